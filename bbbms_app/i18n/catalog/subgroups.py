"""Messages of the subgroups screen (splitting a class into groups for a subject) and the subgroup journal."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "nav.subgroups": ("Топтор", "Подгруппы", "Subgroups"),
    "subgroups.title": (
        "Класстарды топторго бөлүү",
        "Деление классов на подгруппы",
        "Splitting classes into subgroups",
    ),
    "subgroups.pick.class": ("Класс", "Класс", "Class"),
    "subgroups.pick.subject": ("Предмет", "Предмет", "Subject"),
    "subgroups.col.pupil": ("Окуучу", "Ученик", "Pupil"),
    "subgroups.col.group": ("Топ", "Группа", "Group"),
    "subgroups.none": ("Топсуз", "Без группы", "No group"),
    "subgroups.halves": ("Алфавит боюнча тең бөлүү", "Разделить по алфавиту поровну", "Split alphabetically in halves"),
    "subgroups.save": ("Сактоо", "Сохранить", "Save"),
    "subgroups.saved": (
        "Сакталды: {n} окуучунун тобу өзгөрдү",
        "Сохранено: группа изменена у учеников: {n}",
        "Saved: {n} pupils changed group",
    ),
    "subgroups.unsaved": ("Сактала элек өзгөртүүлөр бар", "Есть несохранённые изменения", "There are unsaved changes"),
    "subgroups.count": ("{group}-топ: {n}", "{group}-я группа: {n}", "Group {group}: {n}"),
    "subgroups.teacher": ("{group}-топ — {teacher}", "{group}-я группа — {teacher}", "Group {group} — {teacher}"),
    "subgroups.help": (
        "Ар бир окуучуга топ тандаңыз, анан «Сактоо» басыңыз. Топтун журналында анын окуучулары гана болот.",
        "Выберите группу каждому ученику и нажмите «Сохранить». В журнале группы будут только её ученики.",
        "Choose each pupil's group, then press Save. A group's journal lists only its pupils.",
    ),
    "subgroups.no_classes": (
        "Топторго бөлүнүп окутулган сабагы бар класс жок",
        "Нет классов с предметами, которые ведутся по группам",
        "No class has a subject taught in groups",
    ),
    "subgroups.no_pupils": ("Класста окуучу жок", "В классе нет учеников", "The class has no pupils"),
    "subgroups.error.group": (
        "{group}-топ бул предметте жок",
        "Группы {group} по этому предмету нет",
        "There is no group {group} for this subject",
    ),
    "subgroups.error.not_in_class": (
        "Окуучу бул класста окубайт",
        "Ученик не учится в этом классе",
        "The pupil is not in this class",
    ),
    "subgroups.error.not_split_subject": (
        "Бул предмет класста топторго бөлүнүп окутулбайт",
        "Этот предмет в классе не ведётся по группам",
        "This subject is not taught in groups in this class",
    ),
    "journal.error.not_in_subgroup": (
        "Окуучу {subgroup}-топто эмес",
        "Ученик не в {subgroup}-й группе",
        "The pupil is not in group {subgroup}",
    ),
    "journal.needs_split": (
        "Бул предмет боюнча класс азырынча топторго бөлүнө элек. Класс жетекчи же директордун окуу иштери боюнча"
        " орун басары «Топтор» бөлүмүндө бөлөт.",
        "Класс ещё не разделён на подгруппы по этому предмету. Делит классный руководитель или заместитель"
        " директора по учебной работе в разделе «Подгруппы».",
        "The class is not split into subgroups for this subject yet. The class teacher or the deputy director"
        " splits it under «Subgroups».",
    ),
    "journal.substitute.note": (
        "Бул журналда сиз алмаштыруучусуз: өзүңүз өткөргөн сабактарды гана толтурасыз:",
        "В этом журнале вы на замене: заполняете только проведённые вами уроки:",
        "You substitute in this journal: you fill in only the lessons you taught:",
    ),
    "journal.substitute.only_own": (
        "Бул сабакты сиз өткөргөн эмессиз: алмаштыруучу өз сабактарын гана толтурат",
        "Этот урок вели не вы: на замене заполняются только свои уроки",
        "You did not teach this lesson: a substitute fills in only his own lessons",
    ),
    "rights.perm.subgroup.write": (
        "Классты предмет боюнча топторго бөлүү (класс жетекчи — өз классын)",
        "Деление класса на подгруппы по предмету (классный руководитель — своего класса)",
        "Split a class into subgroups for a subject (the class teacher: his own class)",
    ),
}
