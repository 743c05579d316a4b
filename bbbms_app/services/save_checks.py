"""Rules every save of an entity must pass, registered by the area that owns the rule.

The admin engine (generic create/edit) and hand-made screens call `run()` before they write; an area
such as consent registers its rule for the tables it cares about, so neither has to know the other.
A refused save raises FieldError naming the field and a catalog message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from sqlmodel import Session

from bbbms_app.services.access import Principal

# Modules that register rules when imported; an area adds its module here.
RULE_MODULES: tuple[str, ...] = (
    "bbbms_app.services.rights",
    "bbbms_app.services.consent",
    "bbbms_app.services.school_calendar",
    "bbbms_app.services.movement",
)

Check = Callable[[Session, Principal | None, int | None, Mapping[str, Any]], None]
_checks: dict[str, list[Check]] = {}
_loaded = False


class FieldError(ValueError):
    """A value may not be saved: `field` is the column, `key` and `params` the translated message."""

    def __init__(self, field: str, key: str, **params: object) -> None:
        super().__init__(f"{field}: {key}")
        self.field = field
        self.key = key
        self.params = params


def register(table: str, check: Check) -> None:
    """Run `check(session, principal, record_id, values)` before every save of `table`."""
    if check not in _checks.setdefault(table, []):
        _checks[table].append(check)


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in RULE_MODULES:
            import_module(module)
        _loaded = True


def run(
    session: Session, table: str, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]
) -> None:
    """Apply every rule registered for `table`; the first refusal raises FieldError."""
    _load()
    for check in _checks.get(table, []):
        check(session, principal, record_id, values)


# What a new row of a table sets in motion, in the same transaction (a movement record moves the
# pupil's enrollment): the engine calls these after inserting and auditing the rows.
AfterCreate = Callable[[Session, Principal | None, list[Any]], None]
_after_create: dict[str, list[AfterCreate]] = {}


def register_after_create(table: str, hook: AfterCreate) -> None:
    """Run `hook(session, principal, rows)` after new rows of `table` are inserted."""
    if hook not in _after_create.setdefault(table, []):
        _after_create[table].append(hook)


def after_create(session: Session, table: str, principal: Principal | None, rows: list[Any]) -> None:
    """Run the hooks registered for `table` on its new rows (a refusal raises FieldError)."""
    _load()
    for hook in _after_create.get(table, []):
        hook(session, principal, rows)
