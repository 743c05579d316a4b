"""Kyrgyz alphabetical order and case-folded search keys (SQLite folds no Cyrillic case).

Kyrgyz puts ң after н, ө after о and ү after у; Unicode code-point order and Russian collation
put them elsewhere. `sort_key` turns a name into a string of two-digit ranks, which sorts the same
in Python, SQLite and PostgreSQL under any collation (digits only).
"""

from __future__ import annotations

import unicodedata

KYRGYZ_ALPHABET = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя"
# Letters of neighbouring languages sort right after their nearest Kyrgyz letter.
_EXTRA = {"ә": "а", "ғ": "г", "қ": "к", "һ": "х", "ұ": "у", "і": "и", "ў": "у", "ҳ": "х", "ҷ": "ч", "ӣ": "и", "ӯ": "у"}
LATIN = "abcdefghijklmnopqrstuvwxyz"

# Fixed three-digit ranks: "000" ends a word, digits 010–019, Kyrgyz letters from 100 in steps
# of ten, Latin from 500, neighbouring languages' letters 5 after their nearest Kyrgyz letter.
_RANK: dict[str, str] = {}
for _i, _ch in enumerate(KYRGYZ_ALPHABET):
    _RANK[_ch] = f"{100 + _i * 10:03d}"
for _i, _ch in enumerate(LATIN):
    _RANK[_ch] = f"{500 + _i * 10:03d}"
for _ch, _near in _EXTRA.items():
    _RANK[_ch] = f"{int(_RANK[_near]) + 5:03d}"
for _d in "0123456789":
    _RANK[_d] = f"{10 + int(_d):03d}"
_UNKNOWN = "900"
_SEPARATOR = "000"  # word boundary sorts before any letter: «Ли» before «Лиана»


def normalize(text: str) -> str:
    """NFC with surrounding and repeated white space removed (names are stored this way)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def search_key(*parts: str | None) -> str:
    """Case-folded, NFC, space-joined text for LIKE search in any database."""
    return " ".join(normalize(p).casefold() for p in parts if p)


def sort_key(*parts: str | None) -> str:
    """Digits-only key giving Kyrgyz alphabetical order of the joined parts."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        for word in normalize(part).casefold().split(" "):
            for ch in word:
                rank = _RANK.get(ch)
                if rank is None:
                    if ch.isalnum():
                        rank = _UNKNOWN  # unknown letters after the known ones, stable
                    else:
                        continue  # hyphens, apostrophes: ignored, as in a paper index
                out.append(rank)
            out.append(_SEPARATOR)
    return "".join(out)


def kyrgyz_sorted(items, key=lambda x: x):
    """Sort items in Kyrgyz alphabetical order of key(item)."""
    return sorted(items, key=lambda it: sort_key(key(it)))
