"""Messages of the families' screens (period marks, the term's marks), the staff home's counters,
the readable audit lines and the date field."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # /marks: the year's period marks and a term's current marks
    "families.year_mark": ("Жылдык", "Годовая", "Year"),
    "families.year_short": ("Жыл", "Год", "Year"),
    "families.period_marks": ("Чейрек жана жылдык баалар", "Оценки за четверти и год", "Term and year marks"),
    "families.period_marks_hint": (
        "Мугалим койгон баалар; бош тор: баа али коюлган жок.",
        "Оценки, выставленные учителем; пустая клетка: оценка ещё не выставлена.",
        "Marks as set by the teacher; an empty cell: not set yet.",
    ),
    "families.term_detail": ("Мезгилдеги учурдагы баалар", "Текущие оценки за период", "Current marks of the term"),
    "families.term": ("Мезгил", "Период", "Term"),
    "families.term_mark": ("Мезгилдик баа", "За период", "Term mark"),
    "families.no_subjects": ("Азырынча баа жок.", "Оценок пока нет.", "No marks yet."),
    # the teacher's and class teacher's home
    "stats.today_lessons": ("Бүгүнкү сабактар", "Уроков сегодня", "Lessons today"),
    "stats.no_topic": ("Темасы жазылбаган сабактар", "Уроков без темы", "Lessons without a topic"),
    "stats.no_marks": ("Баа коюлбаган сабактар", "Уроков без оценок", "Lessons without marks"),
    "stats.absent_today": ("Бүгүн келбегендер", "Отсутствуют сегодня", "Absent today"),
    "stats.my_day": ("Менин бүгүнкү сабактарым", "Мои уроки сегодня", "My lessons today"),
    "stats.no_lessons_today": ("Бүгүн сабак жок.", "Сегодня уроков нет.", "No lessons today."),
    "stats.class_today": ("{class} классы бүгүн", "{class} класс сегодня", "Class {class} today"),
    "stats.all_present": ("Бүгүн баары келди.", "Сегодня все на месте.", "Everyone is present today."),
    "stats.absent": ("Келген жок", "Отсутствует", "Absent"),
    "stats.late": ("Кечикти", "Опоздал(а)", "Late"),
    "stats.lessons_no": ("сабактар: {numbers}", "уроки: {numbers}", "lessons: {numbers}"),
    "stats.unfinished": (
        "Бул чейректе толтурулбаган сабактар",
        "Незаполненные уроки этой четверти",
        "Lessons of this term still to fill in",
    ),
    "stats.no_topic_badge": ("тема жок", "нет темы", "no topic"),
    "stats.no_marks_badge": ("баа жок", "нет оценок", "no marks"),
}
