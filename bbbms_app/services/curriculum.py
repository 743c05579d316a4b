"""The order of subjects: the curriculum's, not the alphabet's.

A school lists its subjects as the curriculum does (Кыргыз тили, Кыргыз адабияты, Орус тили, …,
Дене тарбия) in every language; `Subject.position` holds that place and the deputy edits it.
Every grid, summary, picker, diary and export that lists subjects orders them here: in SQL with
`SUBJECT_ORDER`, in Python with `subject_key` / `sort_subjects`. Subjects with the same position
(0 for subjects nobody has numbered yet) follow their Kyrgyz name in Kyrgyz alphabetical order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from bbbms_app.i18n.collation import sort_key
from bbbms_app.models import Subject

T = TypeVar("T")

# ORDER BY for a query that selects or joins Subject.
SUBJECT_ORDER = (Subject.position, Subject.name_ky, Subject.id)


def subject_key(subject: Any) -> tuple[int, str, int]:
    """The sort key of a Subject (or any object with position, name_ky and id)."""
    return (subject.position or 0, sort_key(subject.name_ky), subject.id or 0)


def sort_subjects(items: Iterable[T], subject_of: Any = None) -> list[T]:
    """Items in the curriculum's order; `subject_of(item)` gives an item's Subject (default: the item)."""
    pick = subject_of or (lambda item: item)
    return sorted(items, key=lambda item: subject_key(pick(item)))
