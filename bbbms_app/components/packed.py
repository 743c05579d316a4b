"""Rows of text kept as one string in a tab's state, split again by the browser (issue 12 #2).

A list of dicts of strings costs a tab's server state a dict per row (~650 bytes for 15 keys)
and a string object per value; one string per row, its values joined by FIELD, costs a third of
that and, interned, nothing more for the tabs that show the same row (a class's lessons in its
parents' diaries). The journal packs its row heads and topics this way (pages/journal/state.py),
the diary its days and lessons. FIELD is U+001F, a control character that stored text never holds
(`clean_text`); a value that came another way has it replaced by a space.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import reflex as rx

FIELD = "\x1f"


def free(text: str) -> str:
    """`text` without the separator (a space in its place): a value it cannot split."""
    return text.replace(FIELD, " ")


def pack(names: Sequence[str], row: Mapping[str, object]) -> str:
    """`row`'s values of `names`, in that order, as one interned string."""
    return sys.intern(FIELD.join(free(str(row.get(name, ""))) for name in names))


def unpack(names: Sequence[str], view: str) -> dict[str, str]:
    """A packed row as {name: value} (what the browser's split reads)."""
    return dict(zip(names, view.split(FIELD), strict=True))


def fields(view: rx.Var, names: Sequence[str]) -> dict[str, rx.Var]:
    """A packed row Var as {name: Var}, split in the browser; reads as a row's dict did."""
    split = view.to(str).split(FIELD)  # type: ignore[attr-defined]
    return {name: split[n] for n, name in enumerate(names)}
