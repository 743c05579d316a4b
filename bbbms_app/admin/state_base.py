"""The parts every generated screen's state shares: `entity_event` (a handler guarded by the
entity's own permission for an action) and EntityState (the spec, what the role may do, the mode).

The screen's State is CrudMixin (admin/state.py), composed of the parts in admin/state_list.py,
state_record.py, state_import.py and state_export.py.
"""

import functools
import inspect
import types
from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx

from bbbms_app.auth import inputs
from bbbms_app.auth.guard import current, requires
from bbbms_app.i18n import t
from bbbms_app.services.engine import values
from bbbms_app.services.engine.spec import EntitySpec

ACTION_ATTR = "__bbbms_entity_action__"
NONE_VALUE = "__none__"  # a select's "nothing chosen" (Radix selects cannot hold "")
MAX_SEARCH = 100
MAX_SELECTED = 5000
MAX_REPORT_ROWS = 200  # error rows shown on screen; the XLSX report has them all
COUNT_TTL = 60.0  # seconds a list's total is reused for page switches (docs/performance.md)


def entity_event(action: str, *, background: bool = False) -> Callable:
    """An event handler guarded by the entity's permission for `action` (read, write, export)."""

    def decorate(fn: Callable) -> Callable:
        guarded: dict[tuple[str, str], Callable] = {}

        def for_entity(state: Any) -> Callable:
            # One guarded copy per entity class, named like it, so a refusal is audited as
            # "PupilAdminState.load" (not the mixin's name) under the entity's own permission.
            owner = state.__class__.__name__
            permission = state.spec.permission(action)
            if (owner, permission) not in guarded:
                named = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
                named.__kwdefaults__ = fn.__kwdefaults__
                named.__annotations__ = fn.__annotations__
                named.__qualname__ = f"{owner}.{fn.__name__}"
                guarded[(owner, permission)] = requires(permission)(named)
            return guarded[(owner, permission)]

        if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            async def gen_wrapper(self, *args, **kwargs):
                async for item in for_entity(self)(self, *args, **kwargs):
                    yield item

            wrapper: Callable = gen_wrapper
        else:

            @functools.wraps(fn)
            async def call_wrapper(self, *args, **kwargs):
                return await for_entity(self)(self, *args, **kwargs)

            wrapper = call_wrapper
        setattr(wrapper, ACTION_ATTR, action)
        return rx.event(wrapper, background=True) if background else rx.event(wrapper)

    return decorate


def _error_texts(errors: values.Errors, lang: str) -> dict[str, str]:
    return {name: t(key, lang, **params) for name, (key, params) in errors.items()}


class EntityState(rx.State, mixin=True):
    """The spec of the screen, what the signed-in role may do on it, and which view is shown."""

    can_write: bool = False
    can_export: bool = False
    mode: str = "list"  # list | form | detail | import
    spec: ClassVar[EntitySpec]
    page_size: ClassVar[int] = 25

    def _lang(self) -> str:
        return current().language

    def _record_id(self, value: Any) -> int:
        return inputs.record_id(value)
