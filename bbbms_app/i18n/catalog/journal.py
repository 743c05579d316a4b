"""Messages of the class journal: the grade grid, period marks, terms, the summary sheet, the export."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # Navigation and titles
    "nav.journal": ("Журнал", "Журнал", "Journal"),
    "nav.journal_summary": ("Жыйынды ведомость", "Сводная ведомость", "Summary sheet"),
    "journal.title": ("Класстык журнал", "Классный журнал", "Class journal"),
    "journal.summary.title": ("Үлгүрүүнүн жыйынды ведомосту", "Сводная ведомость успеваемости", "Summary sheet"),
    # Choosing a journal
    "journal.pick.class": ("Класс", "Класс", "Class"),
    "journal.pick.subject": ("Предмет", "Предмет", "Subject"),
    "journal.pick.term": ("Чейрек", "Четверть", "Term"),
    "journal.subgroup": ("Топ", "Группа", "Group"),
    "journal.no_journals": (
        "Сиз ача турган журнал жок",
        "Нет журналов, доступных вам",
        "There is no journal you can open",
    ),
    "journal.no_lessons": (
        "Бул чейректе сабактар жок",
        "В этом периоде нет уроков",
        "No lessons in this term",
    ),
    # Mark kinds
    "journal.kind.label": ("Баанын түрү", "Вид оценки", "Mark kind"),
    "journal.kind.class": ("Сабактагы иш", "Работа на уроке", "Class work"),
    "journal.kind.home": ("Үй иши", "Домашняя работа", "Homework"),
    "journal.kind.test": ("Текшерүү иши", "Проверочная работа", "Test"),
    "journal.kind.control": ("Контролдук иш", "Контрольная работа", "Control work"),
    # Grid
    "journal.col.pupil": ("Окуучу", "Ученик", "Pupil"),
    "journal.col.date": ("Күнү", "Дата", "Date"),
    "journal.col.topic": ("Сабактын темасы", "Тема урока", "Lesson topic"),
    "journal.col.homework": ("Үй тапшырмасы", "Домашнее задание", "Homework"),
    "journal.col.year": ("Жылдык", "Годовая", "Year"),
    "journal.col.average": ("Орточо", "Средний", "Average"),
    "journal.col.suggested": ("Сунуш", "Расчёт", "Suggested"),
    "journal.left_on": ("{date} чыккан", "выбыл {date}", "left {date}"),
    "journal.keys.help": (
        "5 4 3 2 — баа; н б у п о — катышуу; ⌫ — өчүрүү; жебелер, Enter, Tab — өтүү; Ctrl+Z — артка",
        "5 4 3 2 — оценка; н б у п о — посещаемость; ⌫ — стереть; стрелки, Enter, Tab — переход; Ctrl+Z — отмена",
        "5 4 3 2 — mark; н б у п о — attendance; ⌫ — clear; arrows, Enter, Tab — move; Ctrl+Z — undo",
    ),
    "journal.all_present": ("Баары катышты", "Все присутствуют", "All present"),
    "journal.all_present.done": (
        "{count} окуучунун «жок» белгиси өчүрүлдү",
        "Снято отметок об отсутствии: {count}",
        "{count} absences cleared",
    ),
    "journal.undo": ("Артка кайтаруу", "Отменить", "Undo"),
    "journal.undo.none": ("Артка кайтара турган эч нерсе жок", "Нечего отменять", "Nothing to undo"),
    "journal.export": ("Excel", "Excel", "Excel"),
    "journal.readonly": ("Окуу үчүн гана", "Только просмотр", "Read only"),
    "journal.closed": (
        "Чейрек жабылган: журнал өзгөртүлбөйт",
        "Период закрыт: журнал не изменяется",
        "The term is closed: the journal cannot be changed",
    ),
    "journal.correcting": (
        "Жабык чейректи оңдоо: ар бир өзгөртүү себеби менен катталат",
        "Исправление закрытого периода: каждое изменение записывается с причиной",
        "Correcting a closed term: every change is recorded with its reason",
    ),
    "journal.correction.reason": ("Оңдоонун себеби", "Причина исправления", "Reason for the correction"),
    "journal.saved": ("Сакталды", "Сохранено", "Saved"),
    "journal.saved_cell": (
        "Сакталды: {pupil}, {date} — {value}",
        "Сохранено: {pupil}, {date} — {value}",
        "Saved: {pupil}, {date} — {value}",
    ),
    "journal.not_saved": ("Сакталган жок", "Не сохранено", "Not saved"),
    "journal.empty_value": ("бош", "пусто", "empty"),
    "journal.lesson.heading": ("{date}, {number}-сабак", "{date}, {number}-й урок", "{date}, lesson {number}"),
    "journal.lesson.save": ("Теманы сактоо", "Сохранить тему", "Save topic"),
    "journal.lesson.saved": (
        "Тема жана үй тапшырмасы сакталды",
        "Тема и задание сохранены",
        "Topic and homework saved",
    ),
    "journal.lesson.pick": (
        "Тема жана үй тапшырмасы үчүн датаны басыңыз",
        "Нажмите на дату, чтобы изменить тему и задание",
        "Tap a date to edit its topic and homework",
    ),
    # Period and year marks
    "journal.period.dialog": ("Чейректик баа", "Четвертная оценка", "Period mark"),
    "journal.period.year_dialog": ("Жылдык баа", "Годовая оценка", "Year mark"),
    "journal.period.average": ("Орточо: {average}", "Средний балл: {average}", "Average: {average}"),
    "journal.period.suggestion": ("Сунуш: {mark}", "Расчётная оценка: {mark}", "Suggested: {mark}"),
    "journal.period.current": ("Коюлган: {mark}", "Выставлена: {mark}", "Set: {mark}"),
    "journal.period.confirm": ("Сунушту бекитүү", "Подтвердить расчёт", "Confirm suggestion"),
    "journal.period.confirm_all": ("Бардык сунуштарды бекитүү", "Подтвердить все расчёты", "Confirm all suggestions"),
    "journal.period.confirmed": ("{count} баа бекитилди", "Подтверждено оценок: {count}", "{count} marks confirmed"),
    "journal.period.other": ("Башка баа", "Другая оценка", "Another mark"),
    "journal.period.reason": ("Себеби", "Причина", "Reason"),
    "journal.period.save": ("Сактоо", "Сохранить", "Save"),
    "journal.period.clear": ("Бааны өчүрүү", "Стереть оценку", "Clear the mark"),
    "journal.period.close": ("Жабуу", "Закрыть", "Close"),
    "journal.period.none": ("—", "—", "—"),
    # Terms
    "journal.term.close": ("Чейректи жабуу", "Закрыть четверть", "Close the term"),
    "journal.term.reopen": ("Чейректи кайра ачуу", "Открыть четверть", "Reopen the term"),
    "journal.term.closed_ok": ("Чейрек жабылды", "Четверть закрыта", "The term is closed"),
    "journal.term.reopened": ("Чейрек кайра ачылды", "Четверть снова открыта", "The term is open again"),
    "journal.term.reopen_reason": ("Кайра ачуунун себеби", "Причина открытия", "Reason for reopening"),
    # Refusals
    "journal.error.stale": (
        "Бул маанини башка бирөө өзгөрткөн — жаңысы көрсөтүлдү, текшерип кайра киргизиңиз",
        "Это значение уже изменили — показано новое, проверьте и введите снова",
        "Someone else changed this — the newer value is shown; check it and enter again",
    ),
    "journal.error.term_closed": (
        "Чейрек жабылган: оңдоо үчүн директордун окуу иштери боюнча орун басарына кайрылыңыз",
        "Период закрыт: для исправления обратитесь к заместителю директора по учебной работе",
        "The term is closed: ask the deputy director to make the correction",
    ),
    "journal.error.reason_required": ("Себебин жазыңыз", "Укажите причину", "Give a reason"),
    "journal.error.mark_range": (
        "«{value}» — бул класстын шкаласында мындай баа жок ({low}–{high})",
        "«{value}» — такой оценки нет в шкале класса ({low}–{high})",
        "“{value}” is not a mark on this class's scale ({low}–{high})",
    ),
    "journal.error.no_marks": (
        "Бул класска баа коюлбайт",
        "В этом классе оценки не ставятся",
        "This class is not given marks",
    ),
    "journal.error.kind": (
        "Баанын түрү белгисиз: {kind}",
        "Неизвестный вид оценки: {kind}",
        "Unknown mark kind: {kind}",
    ),
    "journal.error.code": (
        "Катышуунун мындай белгиси жок: {code}",
        "Нет такой отметки посещаемости: {code}",
        "No such attendance code: {code}",
    ),
    "journal.error.late": (
        "Кечигүү «о» белгиси менен гана, 0–{high} мүнөт",
        "Опоздание — только с отметкой «о», от 0 до {high} минут",
        "Lateness goes only with «о», 0–{high} minutes",
    ),
    "journal.error.absent_no_mark": (
        "Окуучу сабакта болгон эмес: баа коюлбайт (адегенде «жок» белгисин өчүрүңүз)",
        "Ученик отсутствовал: оценку поставить нельзя (сначала снимите отметку об отсутствии)",
        "The pupil was absent: no mark can be given (clear the absence first)",
    ),
    "journal.error.marked_not_absent": (
        "Окуучунун бул сабакта баасы бар: «жок» деп белгилөөгө болбойт",
        "У ученика есть оценка за этот урок: отметить отсутствие нельзя",
        "The pupil has a mark at this lesson: he cannot be marked absent",
    ),
    "journal.error.not_enrolled": (
        "Окуучу ал күнү бул класста окуган эмес",
        "Ученик в тот день не числился в этом классе",
        "The pupil was not in this class on that day",
    ),
    "journal.error.cancelled": ("Бул сабак жокко чыгарылган", "Этот урок отменён", "This lesson was cancelled"),
    "journal.error.override_reason": (
        "Сунуштагыдан ({suggestion}) башка баа үчүн себебин жазыңыз",
        "Для оценки, отличной от расчётной ({suggestion}), укажите причину",
        "A mark other than the suggested one ({suggestion}) needs a reason",
    ),
    "journal.error.period_value": (
        "Мындай чейректик баа жок: {value}",
        "Такой четвертной оценки нет: {value}",
        "Not a period mark: {value}",
    ),
    "journal.error.already_closed": ("Чейрек мурунтан эле жабык", "Четверть уже закрыта", "The term is already closed"),
    "journal.error.not_closed": ("Чейрек жабыла элек", "Четверть не закрыта", "The term is not closed"),
    # Summary sheet
    "journal.summary.year": ("Жылдык", "Год", "Year"),
    "journal.summary.absences": ("Калтырган сабактар", "Пропущено уроков", "Lessons missed"),
    "journal.summary.total": ("бардыгы", "всего", "total"),
    "journal.summary.legend": (
        "н/а — аттестацияланган жок, осв — бошотулган; б — оорулуу, у — жүйөлүү себеп менен, п — жүйөсүз,"
        " н — себеби белгисиз, о — кечиккен",
        "н/а — не аттестован, осв — освобождён; б — болезнь, у — по уважительной причине,"
        " п — без уважительной причины, н — причина не указана, о — опоздание",
        "н/а not attested, осв exempt; б ill, у excused, п unexcused, н reason unknown, о late",
    ),
    "journal.summary.all": ("Бардык предметтер", "Все предметы", "All subjects"),
    "journal.summary.n": ("Эсепке алынган окуучулар", "Учтено учеников", "Pupils counted"),
    "journal.summary.success": ("Үлгүрүү, %", "Успеваемость, %", "Success rate, %"),
    "journal.summary.quality": ("Билим сапаты, %", "Качество знаний, %", "Quality, %"),
    "journal.summary.sou": (
        "Билимдүүлүк даражасы (СОУ), %",
        "Степень обученности (СОУ), %",
        "Degree of learning (SOU), %",
    ),
    "journal.summary.average": ("Орточо балл", "Средний балл", "Average mark"),
    "journal.summary.forecast": (
        "Коюла элек бааларды сунуш менен толтуруу (кашаада)",
        "Подставить расчётные оценки вместо невыставленных (в скобках)",
        "Fill marks not yet set with the suggested ones (in brackets)",
    ),
    "journal.summary.no_classes": (
        "Сиз көрө турган класс жок",
        "Нет классов, доступных вам",
        "There is no class you can see",
    ),
    # Export
    "journal.xlsx.sheet": ("Журнал", "Журнал", "Journal"),
    # Marks typed while the connection is down (journal_grid.js keeps them; JournalState.sync_offline)
    "journal.offline.waiting": (
        "баа байланыш калыбына келгенде жөнөтүлөт",
        "оценок будут отправлены, когда появится связь",
        "entries will be sent when the connection is back",
    ),
    "journal.offline.sent": (
        "Байланышсыз коюлган баалар сакталды: {count}",
        "Оценки, поставленные без связи, сохранены: {count}",
        "Entries made offline saved: {count}",
    ),
    "journal.offline.conflict": (
        "{pupil}, {date}: «{typed}» сакталган жок — ошол убакта башка бирөө өзгөрттү (азыр «{now}»). "
        "Текшерип, кайра коюңуз.",
        "{pupil}, {date}: «{typed}» не сохранено — за это время ячейку изменил другой (сейчас «{now}»). "
        "Проверьте и поставьте снова.",
        "{pupil}, {date}: «{typed}» was not saved — someone changed the cell meanwhile (now «{now}»). "
        "Check and enter it again.",
    ),
    "journal.offline.refused": (
        "{pupil}, {date}: «{typed}» сакталган жок: {why}",
        "{pupil}, {date}: «{typed}» не сохранено: {why}",
        "{pupil}, {date}: «{typed}» was not saved: {why}",
    ),
    "journal.offline.not_yours": (
        "бул журналга жазууга укугуңуз жок",
        "у вас нет права писать в этот журнал",
        "you may not write in this journal",
    ),
    # Closing a term: the check and the confirmation (JournalState.close_term / confirm_close)
    "journal.close.title": ("Чейректи жабуу", "Закрытие четверти", "Closing the term"),
    "journal.close.scope": ("Эмнени жабуу", "Что закрыть", "What to close"),
    "journal.close.school": ("Бүт мектеп", "Вся школа", "The whole school"),
    "journal.close.grade": ("{grade}-класстар", "{grade}-е классы", "Grade {grade}"),
    "journal.close.summary": (
        "Жабыла турган класстар: {classes}. Коюла элек чейректик баалар: {missing}.",
        "Будет закрыто классов: {classes}. Не выставлено оценок за период: {missing}.",
        "Classes to close: {classes}. Term marks not set: {missing}.",
    ),
    "journal.close.all_set": (
        "Баардык окуучулардын чейрек баасы коюлган.",
        "У всех учеников выставлены оценки за период.",
        "Every pupil has a term mark.",
    ),
    "journal.close.col.class": ("Класс", "Класс", "Class"),
    "journal.close.col.subject": ("Предмет", "Предмет", "Subject"),
    "journal.close.col.teacher": ("Мугалим", "Учитель", "Teacher"),
    "journal.close.col.missing": ("Баасыз", "Без оценки", "Without a mark"),
    "journal.close.col.who": ("Кимдер", "Кто", "Who"),
    "journal.close.warning": (
        "Жабылгандан кийин мугалимдер бул журналдарды өзгөртө албайт; "
        "оңдоону себеби менен директор же орун басары гана киргизет.",
        "После закрытия учителя не смогут менять эти журналы; "
        "исправления вносят только директор или завуч с указанием причины.",
        "Once closed, teachers cannot change these journals; "
        "only the director or a deputy corrects them, with a reason.",
    ),
    "journal.close.confirm": ("Ооба, жабуу", "Да, закрыть", "Yes, close"),
    "journal.close.cancel": ("Жокко чыгаруу", "Отмена", "Cancel"),
    "journal.close.done": (
        "Чейрек жабылды: {count} класс",
        "Период закрыт: классов — {count}",
        "Term closed: {count} classes",
    ),
    "journal.error.close_scope": (
        "Эмнени жабуу керек экени туура эмес",
        "Неверно выбрано, что закрыть",
        "Wrong choice of what to close",
    ),
    # The legend of the Russian abbreviations a Kyrgyz journal keeps (summary sheet, journal, export).
    "journal.legend.na": ("н/а — аттестацияланган жок", "н/а — не аттестован", "н/а — not attested"),
    "journal.legend.exempt": ("осв — бошотулган", "осв — освобождён", "осв — exempt"),
}
