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
}
