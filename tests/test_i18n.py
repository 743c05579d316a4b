"""The catalog is complete in ky / ru / en, every key the code uses exists, Kyrgyz order holds."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest

from bbbms_app.i18n import format_date, format_number, t, translations
from bbbms_app.i18n.collation import kyrgyz_sorted, search_key, sort_key
from bbbms_app.i18n.messages import LANGUAGES, MESSAGES

SOURCE = Path(__file__).resolve().parent.parent / "bbbms_app"
# tr("key"), t("key", …), page_shell("key", …), f"role.{…}" prefixes; page titles from the list of pages
KEY_CALL = re.compile(r"""\b(?:tr|t|page_shell|translations)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_every_language_with_the_same_placeholders():
    assert LANGUAGES == ("ky", "ru", "en")
    for key, texts in MESSAGES.items():
        assert len(texts) == 3, key
        assert all(text.strip() for text in texts), f"{key} lacks a language"
        assert len({frozenset(_placeholders(text)) for text in texts}) == 1, f"{key}: placeholders differ"


def test_every_key_used_in_the_code_is_in_the_catalog():
    used: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        used.update(KEY_CALL.findall(path.read_text(encoding="utf-8")))
    import bbbms_app.app  # noqa: F401  (fills the list of pages)
    from bbbms_app.components.navigation import pages
    from bbbms_app.services.engine.registry import ENTITIES

    used.update(p.title_key for p in pages())
    used.update(key for spec in ENTITIES for key in (spec.title_key, spec.item_key))
    assert len(used) > 30
    missing = sorted(k for k in used if k not in MESSAGES)
    assert missing == []


def test_role_position_and_sex_labels_exist_for_every_value():
    from bbbms_app.models import ROLES
    from bbbms_app.models.people import POSITIONS, SEXES

    for role in ROLES:
        assert f"role.{role}" in MESSAGES
    for pos in POSITIONS:
        assert f"position.{pos}" in MESSAGES
    for sex in SEXES:
        assert f"sex.{sex}" in MESSAGES


def test_kyrgyz_is_the_default_and_unknown_languages_fall_back_to_it():
    assert t("login.submit") == "Кирүү"
    assert t("login.submit", "ru") == "Войти"
    assert t("login.submit", "en") == "Sign in"
    assert t("login.submit", "fr") == "Кирүү"
    assert t("term.quarter", "ky", number=2) == "2-чейрек"
    assert translations("logout") == {"ky": "Чыгуу", "ru": "Выйти", "en": "Sign out"}
    with pytest.raises(KeyError):
        t("no.such.key")


def test_dates_and_numbers_through_babel():
    d = date(2025, 9, 1)
    assert format_date(d, "ky") == "01.09.2025"
    assert format_date(d, "ru", "d MMMM yyyy") == "1 сентября 2025"
    assert format_number(4.6666, "ru") == "4,67"
    assert format_number(4.6666, "en") == "4.67"


def test_kyrgyz_alphabetical_order():
    names = ["Үсөнов", "Усенов", "Фомин", "Өмүров", "Оморов", "Ңаа", "Нурланов", "Пак", "Ли", "Лиана"]
    assert kyrgyz_sorted(names) == [
        "Ли",
        "Лиана",
        "Нурланов",
        "Ңаа",
        "Оморов",
        "Өмүров",
        "Пак",
        "Усенов",
        "Үсөнов",
        "Фомин",
    ]
    # Plain code-point order would put Ң, Ө, Ү after Я; ours does not.
    assert sorted(names)[-3:] != kyrgyz_sorted(names)[-3:]
    assert sort_key("ли асан") < sort_key("лиана")
    assert sort_key("Ли") == sort_key("ЛИ")


def test_search_key_folds_cyrillic_case_and_normalises():
    assert search_key("  ӨМҮРБЕКОВА ", "Айжан") == "өмүрбекова айжан"
    assert search_key("Аи\u0306гүл") == search_key("Айгүл")
