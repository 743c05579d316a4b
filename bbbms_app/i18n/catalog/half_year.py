"""How the journal assesses: half-year assessment (жарым жыл / полугодие) of grades 10–11 and of the
subjects of few weekly hours, and criterion-based results typed as a percentage; refusals and notes."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "journal.error.half_year_later": (
        "10–11-класстар жарым жыл боюнча бааланат: {half}-жарым жылдык баа {quarter}-чейректе коюлат",
        "10–11-е классы оцениваются по полугодиям: оценка за {half}-е полугодие ставится в {quarter}-й четверти",
        "Grades 10–11 are assessed by half-year: the mark of half-year {half} is set in quarter {quarter}",
    ),
    "journal.error.half_year_subject_later": (
        "Аз сааттуу предмет жарым жыл боюнча бааланат: {half}-жарым жылдык баа {quarter}-чейректе коюлат",
        "Предмет с малым числом часов оценивается по полугодиям: оценка за {half}-е полугодие ставится в"
        " {quarter}-й четверти",
        "A subject of few weekly hours is assessed by half-year: the mark of half-year {half} is set in quarter"
        " {quarter}",
    ),
    "journal.error.not_criterion": (
        "Бул класстын баалоо эрежеси критерийлик эмес: пайызды эмес, бааны коюңуз",
        "Оценивание в этом классе не критериальное: ставьте оценку, а не процент",
        "This class is not assessed by criteria: enter a mark, not a percentage",
    ),
    "journal.error.percent_range": (
        "Пайыз: 0дөн 100гө чейинки бүтүн сан",
        "Процент: целое число от 0 до 100",
        "Percentage: a whole number from 0 to 100",
    ),
    # The journal of a class assessed by criteria: a work's result typed as a mark or as a percentage.
    "journal.entry.mark": ("Баа", "Оценка", "Mark"),
    "journal.entry.percent": ("Пайыз", "Процент", "Percentage"),
    "journal.percent.help": (
        "Пайызды териңиз (мисалы, 73) жана Enter басыңыз: клеткада ал берген баа жана пайыз турат."
        " Телефондо: клетканы басып, сандарды жана ✓ басыңыз.",
        "Наберите процент (например, 73) и нажмите Enter: в клетке появятся оценка по таблице и процент."
        " На телефоне: нажмите клетку, затем цифры и ✓.",
        "Type the percentage (e.g. 73) and press Enter: the cell shows the mark it gives and the percentage."
        " On a phone: tap the cell, then the digits and ✓.",
    ),
    "journal.percent.legend": (
        "Критерийлер боюнча баалоо, пайыз → баа",
        "Критериальное оценивание, процент → оценка",
        "Criterion-based assessment, percentage → mark",
    ),
    "journal.half_year.later": (
        "{half}-жарым жыл: баа {quarter}-чейректе коюлат",
        "{half}-е полугодие: оценка ставится в {quarter}-й четверти",
        "Half-year {half}: the mark is set in quarter {quarter}",
    ),
    # The summary sheet's footnote under a subject of few hours marked «*» (screen, XLSX, print).
    "journal.summary.half_year_shown": (
        "* Жарым жыл боюнча бааланат, бул жерде {half}-жарым жылдык баа: {subjects}",
        "* Оцениваются по полугодиям, здесь оценка за {half}-е полугодие: {subjects}",
        "* Assessed by half-year, the mark shown is that of half-year {half}: {subjects}",
    ),
    "journal.summary.half_year_none": (
        "* Жарым жыл боюнча бааланат, бул чейректе баа коюлбайт («—»), көрсөткүчтөргө кирбейт: {subjects}",
        "* Оцениваются по полугодиям, в этой четверти оценка не ставится («—») и в показатели не входит: {subjects}",
        "* Assessed by half-year: no mark this quarter («—»), not counted in the figures: {subjects}",
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
