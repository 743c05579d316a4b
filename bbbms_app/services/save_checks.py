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
RULE_MODULES: tuple[str, ...] = ("bbbms_app.services.rights", "bbbms_app.services.consent")

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


def run(
    session: Session, table: str, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]
) -> None:
    """Apply every rule registered for `table`; the first refusal raises FieldError."""
    global _loaded
    if not _loaded:
        for module in RULE_MODULES:
            import_module(module)
        _loaded = True
    for check in _checks.get(table, []):
        check(session, principal, record_id, values)
