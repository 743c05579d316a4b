"""Translations: the catalog lookup `t()`, Babel formatting of dates and numbers, Kyrgyz collation."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_decimal as _babel_format_decimal

from bbbms_app.i18n.messages import LANGUAGES, MESSAGES

DEFAULT_LANGUAGE = "ky"
_INDEX = {lang: i for i, lang in enumerate(LANGUAGES)}


def normalize_language(lang: str | None) -> str:
    """A supported UI language code; anything else falls back to Kyrgyz."""
    return lang if lang in _INDEX else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message `key` in `lang`, with `{placeholders}` filled in.

    An unknown key raises KeyError: a missing translation must fail a test, not show a key.
    """
    text = MESSAGES[key][_INDEX[normalize_language(lang)]]
    return text.format(**params) if params else text


def translations(key: str, **params: object) -> dict[str, str]:
    """The message in every language, e.g. for a component that switches language in the browser."""
    if params:
        return {lang: t(key, lang, **params) for lang in LANGUAGES}
    return dict(zip(LANGUAGES, MESSAGES[key], strict=True))


def format_date(value: date | None, lang: str | None = None, fmt: str = "dd.MM.yyyy") -> str:
    """A date as the school writes it (dd.mm.yyyy by default), or the locale's named format."""
    if value is None:
        return ""
    return _babel_format_date(value, format=fmt, locale=normalize_language(lang))


def format_datetime(value: datetime | None, lang: str | None = None, fmt: str = "dd.MM.yyyy HH:mm") -> str:
    """A timestamp in the given format (UTC unless the value carries another zone)."""
    if value is None:
        return ""
    return _babel_format_datetime(value, format=fmt, locale=normalize_language(lang))


def format_number(value: float | None, lang: str | None = None, digits: int = 2) -> str:
    """A decimal number with the locale's separators (4,65 in Kyrgyz and Russian)."""
    if value is None:
        return ""
    return _babel_format_decimal(round(value, digits), locale=normalize_language(lang))
