"""OneRoster 1.2 (issue 19 §3): refusals of a result a learning system sends back, the audit
trail's word for OneRoster calls, and the CSV bundle's command line."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "oneroster.error.missing": (
        "«{field}» талаасы жок же бош.",
        "Поле «{field}» отсутствует или пустое.",
        "The field “{field}” is missing or empty.",
    ),
    "oneroster.error.mismatch": (
        "«{field}» дарекке дал келбейт.",
        "Поле «{field}» не совпадает с адресом запроса.",
        "The field “{field}” does not match the address.",
    ),
    "oneroster.error.bad_status": (
        "«{field}» талаасы OneRoster'дин баалоо абалдарынын бири болушу керек.",
        "Поле «{field}» должно быть одним из статусов оценивания OneRoster.",
        "The field “{field}” must be one of OneRoster's score statuses.",
    ),
    "oneroster.error.bad_score": (
        "«{field}» талаасы 0дөн 100гө чейинки пайыз болушу керек.",
        "Поле «{field}» должно быть процентом от 0 до 100.",
        "The field “{field}” must be a percentage from 0 to 100.",
    ),
    "oneroster.error.no_marks": (
        "Бул класста баа коюлбайт (баалоо саясаты боюнча).",
        "В этом классе отметки не ставятся (по положению об оценивании).",
        "This class is not marked (its grading policy has no marks).",
    ),
    "audit.entity.api_oneroster": ("API: OneRoster", "API: OneRoster", "API: OneRoster"),
    "audit.entity.api_guardians": ("API: ата-энелер", "API: родители", "API: guardians"),
    "audit.entity.api_timetable": ("API: сабактардын жадыбалы", "API: расписание", "API: timetable"),
    "audit.entity.api_lessons": ("API: сабактар", "API: уроки", "API: lessons"),
    "audit.entity.api_attendance": ("API: катышуу", "API: посещаемость", "API: attendance"),
    "audit.entity.api_period_marks": ("API: жыйынтык баалар", "API: итоговые отметки", "API: period marks"),
    "oneroster.csv.written": (
        "OneRoster CSV топтому жазылды: {path} ({files} файл).",
        "Пакет OneRoster CSV записан: {path} (файлов: {files}).",
        "OneRoster CSV bundle written: {path} ({files} files).",
    ),
}
