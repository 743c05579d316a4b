"""`requires(permission)`: the declaration and the check every Reflex event handler carries.

Any browser can send any event with any arguments (DESIGN §6), so a page guard proves nothing.
Each handler is decorated with the one permission it needs; the wrapper resolves the signed-in
user from the database at every event (a revoked session stops working at its very next event),
refuses and audits what the role may not do, and exposes the Principal to the handler through
`current()`. Data scope (which classes, which pupils) is checked by the handler itself with the
services in `services.access`.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import reflex as rx

from bbbms_app import db
from bbbms_app.i18n import t
from bbbms_app.services import audit
from bbbms_app.services.access import PERMISSIONS, Principal

log = logging.getLogger(__name__)
PERMISSION_ATTR = "__bbbms_permission__"
_current: ContextVar[Principal | None] = ContextVar("bbbms_principal", default=None)

F = TypeVar("F", bound=Callable[..., Any])


class Forbidden(Exception):
    """Raised inside a handler when the data scope refuses the target (another teacher's class…)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


def current() -> Principal:
    """The Principal of the event being handled (only inside a guarded, non-public handler)."""
    principal = _current.get()
    if principal is None:
        raise RuntimeError("current() outside a guarded handler")
    return principal


def permission_of(fn: Callable[..., Any]) -> str | None:
    """The permission a handler declared, or None when it declared none."""
    return getattr(fn, PERMISSION_ATTR, None)


def _refusal(state: Any, principal: Principal | None, permission: str, handler: str, detail: str) -> list:
    with db.session() as s:
        audit.record(
            s,
            principal,
            "denied",
            entity=handler[:40],
            reason=f"{permission}: {detail}"[:500] if detail else permission,
        )
    lang = principal.language if principal else getattr(state, "lang", "ky")
    if principal is None:
        return [rx.toast.error(t("login.required", lang)), rx.redirect("/login")]
    return [rx.toast.error(t("error.forbidden", lang))]


def requires(permission: str) -> Callable[[F], F]:
    """Declare the permission a handler needs and enforce it on every call."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(fn: F) -> F:
        name = fn.__qualname__

        async def authorize(self: Any) -> tuple[Principal | None, list | None]:
            if permission == "public":
                return None, None
            from bbbms_app.auth.state import AuthState  # the state module imports this one

            auth = self if isinstance(self, AuthState) else await self.get_state(AuthState)
            principal = auth._resolve_principal()
            if principal is None or not principal.can(permission):
                return principal, _refusal(self, principal, permission, name, "")
            return principal, None

        if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):
            is_async_gen = inspect.isasyncgenfunction(fn)

            @functools.wraps(fn)
            async def gen_wrapper(self: Any, *args: Any, **kwargs: Any):
                principal, refusal = await authorize(self)
                if refusal is not None:
                    yield refusal
                    return
                token = _current.set(principal)
                try:
                    if is_async_gen:
                        async for item in fn(self, *args, **kwargs):
                            yield item
                    else:
                        for item in fn(self, *args, **kwargs):
                            yield item
                except Forbidden as exc:
                    yield _refusal(self, principal, permission, name, exc.detail)
                finally:
                    _current.reset(token)

            setattr(gen_wrapper, PERMISSION_ATTR, permission)
            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            principal, refusal = await authorize(self)
            if refusal is not None:
                return refusal
            token = _current.set(principal)
            try:
                result = fn(self, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                return result
            except Forbidden as exc:
                return _refusal(self, principal, permission, name, exc.detail)
            finally:
                _current.reset(token)

        setattr(wrapper, PERMISSION_ATTR, permission)
        return wrapper  # type: ignore[return-value]

    return decorate
