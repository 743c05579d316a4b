"""The message catalog: every visible string, as (Kyrgyz, Russian, English).

Kyrgyz comes first because it is the default. Placeholders use `{name}` and must appear in all
three languages (a test checks it). Each area of the app keeps its messages in its own module of
`i18n/catalog/`; list a new module in PARTS. A key defined twice is an error.
"""

from __future__ import annotations

from importlib import import_module

LANGUAGES = ("ky", "ru", "en")
PARTS = (
    "core",
    "timetable",
    "consent",
    "journal",
    "sso",
    "rights",
    "admin",
    "subgroups",
    "movement",
    "places",
    "speed",
    "ops",
    "ops_cli",
    "families",
    "cli",
    "guard",
    "rules",
    "reports",
    "reports2",
    "comm",
    "api",
    "movement2",
    "register",
    "courses",
    "portfolio",
    "quiz",
    "quiz2",
    "msg",
    "roster",
    "half_year",
    "exchange",
    "exports",
    "courses2",
    "district",
    "district_summary",
)


def _merge() -> dict[str, tuple[str, str, str]]:
    merged: dict[str, tuple[str, str, str]] = {}
    for part in PARTS:
        messages: dict[str, tuple[str, str, str]] = import_module(f"bbbms_app.i18n.catalog.{part}").MESSAGES
        clash = merged.keys() & messages.keys()
        if clash:
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        merged.update(messages)
    return merged


MESSAGES = _merge()
