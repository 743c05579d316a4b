"""The exchange files keyed by PIN and OKPO (issue 19 §4): `python -m bbbms_app exchange …` and the
contingent import's refusals."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "exchange.col.language": ("Окутуу тили", "Язык обучения", "Language of instruction"),
    "exchange.error.language": (
        "Бул класста башка тилде окутулат",
        "В этом классе обучение на другом языке",
        "This class is taught in another language",
    ),
    "exchange.error.no_term": (
        "Бул мектепте {id} номерлүү чейрек жок",
        "В этой школе нет четверти с номером {id}",
        "This school has no term {id}",
    ),
    "exchange.export.written": (
        "Улуттук электрондук журнал үчүн файл жазылды: {path} ({rows} сап).",
        "Файл обмена записан: {path} (строк: {rows}).",
        "Exchange file written: {path} ({rows} rows).",
    ),
    "exchange.export.without_pin": (
        "ПИНи жок окуучулардын {count} сабы кошулган жок: алардын ПИНин окуучунун баракчасына жазыңыз.",
        "Строк учеников без ПИН не включено: {count}. Впишите их ПИН в карточку ученика.",
        "{count} rows of pupils without a PIN were left out: enter their PIN on the pupil's card.",
    ),
    "exchange.error.term_required": (
        "«{field}» параметри керек: чейректин id (/api/v1/terms)",
        "Нужен параметр «{field}»: id четверти (/api/v1/terms)",
        "The parameter “{field}” is required: the term’s id (/api/v1/terms)",
    ),
    "exchange.error.bad_format": (
        "«{field}» параметри csv же xlsx болот",
        "Параметр «{field}» — csv или xlsx",
        "The parameter “{field}” is csv or xlsx",
    ),
}
