"""Half-year assessment of grades 10–11 (жарым жыл / полугодие): the journal's refusals and notes."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "journal.error.half_year_later": (
        "10–11-класстар жарым жыл боюнча бааланат: {half}-жарым жылдык баа {quarter}-чейректе коюлат",
        "10–11-е классы оцениваются по полугодиям: оценка за {half}-е полугодие ставится в {quarter}-й четверти",
        "Grades 10–11 are assessed by half-year: the mark of half-year {half} is set in quarter {quarter}",
    ),
    "journal.half_year.later": (
        "{half}-жарым жыл: баа {quarter}-чейректе коюлат",
        "{half}-е полугодие: оценка ставится в {quarter}-й четверти",
        "Half-year {half}: the mark is set in quarter {quarter}",
    ),
    "journal.period.half_year_dialog": ("Жарым жылдык баа", "Оценка за полугодие", "Half-year mark"),
    "families.half_year_marks": (
        "Жарым жылдык жана жылдык баалар",
        "Оценки за полугодия и год",
        "Half-year and year marks",
    ),
    "notify.subject.half_year": ("Жарым жылдык баа", "Оценка за полугодие", "A half-year mark"),
    "notify.text.half_year": (
        "{pupil}: {subject} боюнча жарым жылдык баа — {value}",
        "{pupil}: оценка за полугодие по предмету «{subject}» — {value}",
        "{pupil}: half-year mark in {subject} — {value}",
    ),
}
