"""`requires(permission)`: the declaration and the check every Reflex event handler carries.

Any browser can send any event with any arguments (DESIGN §6), so a page guard proves nothing.
Each handler is decorated with the one permission it needs; the wrapper resolves the signed-in
user from the database at every event (a revoked session stops working at its very next event),
refuses and audits what the role may not do, and exposes the Principal to the handler through
`current()`. Data scope (which classes, which pupils) is checked by the handler itself with the
services in `services.access`.

Before the handler runs, every argument is checked against the handler's annotation (shape and
size, `auth.inputs.conforms`): Reflex hands a handler whatever JSON the browser sent when it does
not fit the annotation. A refusal raised inside the handler — any `services.errors.ServiceError`:
`OutOfScope` / `NotFound` for a scope (audited `denied`), `Refused` (and `BadInput`) for a value
(audited `invalid`) — is audited, answered with the toast its `message(lang)` gives, and puts the
tab's own state vars back as they were before the event (its database work rolled back with its
transaction). Pages let these pass; they catch one only to show it in place.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import logging
import secrets
import textwrap
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, get_type_hints

import reflex as rx
from reflex.istate.proxy import StateProxy
from reflex_base.event import EventSpec
from reflex_base.event.context import EventContext

from bbbms_app import db, logs
from bbbms_app.auth.inputs import BadInput, conforms
from bbbms_app.i18n import t
from bbbms_app.services import audit
from bbbms_app.services.access import PERMISSIONS, Principal
from bbbms_app.services.errors import ServiceError

log = logging.getLogger(__name__)


def event_txid() -> str:
    """Reflex's transaction id of the event being processed ('' outside one): the request id."""
    ctx = EventContext._context_var.get(None)
    return ctx.txid if ctx is not None else ""


def backend_error(exception: Exception) -> EventSpec:
    """The app's handler of an unexpected error in an event: the log gets the traceback (redacted,
    bbbms_app.logs), the user a generic message with the reference that finds it in the log and
    in the audit trail. No exception text reaches the browser."""
    ref = event_txid() or secrets.token_hex(6)
    token = logs.set_request_id(ref)
    held = logs.hold_secrets(getattr(exception, SECRETS_ATTR, ()))
    try:
        log.error("event handler failed: %s", type(exception).__name__, exc_info=exception)
    finally:
        logs.release_secrets(held)
        logs.reset_request_id(token)
    lang = getattr(exception, LANG_ATTR, "ky")
    message = t(exception.key, lang) if isinstance(exception, db.DatabaseBusy) else t("error.reference", lang, ref=ref)
    if isinstance(exception, db.DatabaseBusy):
        message = f"{message} ({ref})"
    return rx.toast.error(message, id="backend_error")


PERMISSION_ATTR = "__bbbms_permission__"
SECRETS_ATTR = "__bbbms_secrets__"  # on an exception leaving a handler: the event's secret values
LANG_ATTR = "__bbbms_language__"  # and the language its message is written in
_current: ContextVar[Principal | None] = ContextVar("bbbms_principal", default=None)

F = TypeVar("F", bound=Callable[..., Any])


def current() -> Principal:
    """The Principal of the event being handled (only inside a guarded, non-public handler)."""
    principal = _current.get()
    if principal is None:
        raise RuntimeError("current() outside a guarded handler")
    return principal


def permission_of(fn: Callable[..., Any]) -> str | None:
    """The permission a handler declared, or None when it declared none."""
    return getattr(fn, PERMISSION_ATTR, None)


PROFILE_ROUTE = "/profile"  # where a user with a password chosen by someone else sets his own


def _refusal(
    state: Any, principal: Principal | None, permission: str, handler: str, error: ServiceError | None
) -> list:
    """The audit row (`denied` or `invalid`, with the refusal's detail) and the translated toast."""
    action = error.audit_action if error is not None else "denied"
    detail = str(error) if error is not None else ""
    with db.session() as s:
        audit.record(
            s,
            principal,
            action,
            entity=handler[:40],
            reason=f"{permission}: {detail}"[:500] if detail else permission,
        )
    lang = principal.language if principal else getattr(state, "lang", "ky")
    if principal is None and action == "denied":
        return [rx.toast.error(t("login.required", lang)), rx.redirect("/login")]
    return [rx.toast.error(error.message(lang) if error is not None else t("error.forbidden", lang))]


@functools.cache
def _argument_spec(fn: Callable[..., Any]) -> tuple[inspect.Signature, dict[str, Any]]:
    try:
        hints = get_type_hints(fn)
    except Exception:  # an annotation that does not resolve: the handler walk test names it
        hints = {}
    return inspect.signature(fn), hints


def _check_arguments(fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """Refuse arguments that do not fit the handler's signature and annotations."""
    signature, hints = _argument_spec(fn)
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        raise BadInput("arguments", "wrong number of arguments") from None
    for name, value in list(bound.arguments.items())[1:]:
        if name in hints and not conforms(value, hints[name]):
            raise BadInput(name, f"not a {hints[name]}")


# Methods of the base state a handler may call on `self` without changing its vars.
_READ_ONLY_BASE = frozenset({"get_state", "get_value", "get_substate", "get_name", "get_full_name", "_get_root_state"})
_MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault", "sort", "reverse"}
    | {"add", "discard", "__setitem__", "__delitem__", "__iadd__"}
)
_UNKNOWN = None  # the analysis cannot tell: copy every var, as before


def _root_attr(node: ast.AST) -> str | None:
    """`X` when `node` is `self.X`, `self.X[...]`, `self.X.y…`; '?' when rooted at getattr(self, …)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return node.attr
        node = node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and node.args
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "self"
    ):
        return "?"
    return None


def _in_place_names(cls: type, fn: Callable[..., Any], seen: set[str]) -> set[str] | None:
    """Vars of `cls` that `fn` (and the methods of `self` it calls) may change in place — a
    mutating method call or an item assignment on `self.X` —, or None when it cannot tell (no
    source, `self` handed to another function, a dynamic getattr mutated, an unknown base method).
    Plain reassignments need no copy: the snapshot keeps the old object itself."""
    fn = inspect.unwrap(fn)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return _UNKNOWN
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            arguments = (*node.args, *(k.value for k in node.keywords))
            harmless = isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr", "isinstance", "super")
            # self handed to another function: it may change anything
            if not harmless and any(isinstance(a, ast.Name) and a.id == "self" for a in arguments):
                return _UNKNOWN
            # self.X handed to a function may be changed by it in place
            for a in arguments:
                if isinstance(a, (ast.Attribute, ast.Subscript)) and (root := _root_attr(a)) not in (None, "?"):
                    names.add(root)  # type: ignore[arg-type]
            func = node.func
            if isinstance(func, ast.Attribute):
                if isinstance(func.value, ast.Name) and func.value.id == "self":
                    method = func.attr
                    if method in seen:
                        continue
                    seen.add(method)
                    target = inspect.getattr_static(cls, method, None)
                    target = getattr(target, "__func__", target)
                    target = getattr(target, "fn", target)  # an EventHandler wraps its function
                    if not callable(target):
                        continue  # a var's own method, say self.rows.copy(): covered below
                    if not getattr(target, "__module__", "").startswith("reflex"):  # the app's own code
                        inner = _in_place_names(cls, target, seen)
                        if inner is None:
                            return _UNKNOWN
                        names |= inner
                    elif method not in _READ_ONLY_BASE:
                        return _UNKNOWN
                elif func.attr in _MUTATORS:
                    root = _root_attr(func.value)
                    if root == "?":
                        return _UNKNOWN
                    if root is not None:
                        names.add(root)
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, (ast.Attribute, ast.Subscript))
            and (root := _root_attr(node.value)) not in (None, "?")
        ):
            names.add(root)  # type: ignore[arg-type]  # rows = self.rows: changed in place later, maybe
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                in_place = isinstance(target, ast.Subscript) or isinstance(node, ast.AugAssign)
                root = _root_attr(target) if in_place or isinstance(target, ast.Attribute) else None
                if root == "?":
                    return _UNKNOWN
                if root is not None and (in_place or not isinstance(target.value, ast.Name)):  # type: ignore[union-attr]
                    names.add(root)
    return names


_snapshot_plans: dict[tuple[type, Callable[..., Any]], tuple[tuple[str, ...], frozenset[str] | None]] = {}


def _plan(cls: type, fn: Callable[..., Any]) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """(the state's own var names, those to copy — None: all), worked out once per handler."""
    key = (cls, fn)
    plan = _snapshot_plans.get(key)
    if plan is None:
        fields = getattr(cls, "__fields__", {})
        own = tuple(n for n, f in fields.items() if getattr(f, "_owner", None) is cls)
        found = _in_place_names(cls, fn, set())
        plan = _snapshot_plans[key] = (own, None if found is None else frozenset(found) & frozenset(own))
    return plan


def _snapshot(state: Any, fn: Callable[..., Any] | None = None) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """The state's own vars, to put back when the event is refused half way: the old objects
    themselves (one C-level copy of the instance dict: a reassignment leaves them intact), and
    copies only of the vars the handler may change in place (`_in_place_names`; all of them when
    that cannot be told)."""
    cls = type(state)
    if getattr(cls, "__fields__", None) is None or isinstance(state, StateProxy):
        return None  # a background task changes state only inside `async with`, nothing to undo here
    own, copied = _plan(cls, fn if fn is not None else _snapshot)
    snap = dict(state.__dict__)
    for n in own if copied is None else copied:
        snap[n] = copy.copy(state.get_value(n))
    return own, snap


def _restore(state: Any, snapshot: tuple[tuple[str, ...], dict[str, Any]] | None) -> None:
    if snapshot is None:
        return
    own, values = snapshot
    fields = type(state).__fields__
    for name in own:
        value = values[name] if name in values else fields[name].default_value()
        current = state.get_value(name)
        if current is not value and current != value:
            setattr(state, name, value)


async def _resolve(state: Any, auth_cls: type) -> tuple[Principal | None, bool]:
    """(the event's principal, whether the tab held a session). A background event's state is a
    read-only proxy until `async with` opens it, and so is the auth state got through it: the
    session cookie (the root state's router data) is read, and the socket bound, inside it."""
    if isinstance(state, auth_cls):
        auth = state
    elif isinstance(state, StateProxy) and not state._is_mutable():
        async with state:
            auth = await state.get_state(auth_cls)
            return auth._resolve_principal(), bool(auth.signed_in or auth.session_token)
    else:
        auth = await state.get_state(auth_cls)
    return auth._resolve_principal(), bool(auth.signed_in or auth.session_token)


class _AuthBinding:
    """The auth state class and its tab wipe. `auth/state.py` binds them (`bind_auth_state`) right
    after defining them: it imports this module for `requires`, so this module never imports it."""

    state: type | None = None
    wipe: Callable[[Any], Any] | None = None


def bind_auth_state(state_cls: type, wipe: Callable[[Any], Any]) -> None:
    """Tell the guard which State holds the session (called once, by auth/state.py)."""
    _AuthBinding.state, _AuthBinding.wipe = state_cls, wipe


def _auth_state() -> type:
    if _AuthBinding.state is None:
        raise RuntimeError("the auth state is not bound: import bbbms_app.auth.state")
    return _AuthBinding.state


def _hold_secrets(state: Any, args: tuple, kwargs: dict) -> tuple[str, ...]:
    """Hold this event's secret values (password fields, the session token) out of the log."""
    values = logs.secret_values(list(args)) + logs.secret_values(kwargs)
    token = ""
    try:
        AuthState = _auth_state()
        # A background event's proxy: its state as loaded when the event began (read only here).
        state = state.__wrapped__ if isinstance(state, StateProxy) else state
        auth = state if isinstance(state, AuthState) else state._get_root_state().substates.get(AuthState.get_name())
        token = getattr(auth, "session_token", "") or ""
    except Exception:  # no auth state loaded: nothing to hold
        token = ""
    held = (*values, token) if token else tuple(values)
    logs.hold_secrets(held)  # the event's own task: its context ends with it
    return held


def _unexpected(state: Any, before: Any, exc: Exception, secret: Any, principal: Principal | None) -> None:
    """An error no handler expected: the tab's vars go back as they were (a half-loaded screen is
    not shown as a true one), and backend_error gets the event's secrets and the user's language."""
    try:
        _restore(state, before)
    except Exception:  # a background event's closed proxy: nothing of the tab changed outside it
        log.debug("tab state not restored after an unexpected error", exc_info=True)
    setattr(exc, SECRETS_ATTR, secret)
    setattr(exc, LANG_ATTR, principal.language if principal is not None else "ky")


def requires(permission: str) -> Callable[[F], F]:
    """Declare the permission a handler needs and enforce it on every call."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(fn: F) -> F:
        name = fn.__qualname__

        async def authorize(self: Any) -> tuple[Principal | None, list | None]:
            if permission == "public":
                return None, None
            principal, had_session = await _resolve(self, _auth_state())
            if principal is not None and principal.must_change_password and permission != "signed_in":
                # Not an attack: the password was chosen by someone else. Off to set his own.
                return principal, [rx.redirect(PROFILE_ROUTE)]
            if principal is None and had_session and not isinstance(self, StateProxy):
                # Revoked, expired or disabled since the last event: nothing of it stays in the tab.
                assert _AuthBinding.wipe is not None
                await _AuthBinding.wipe(self)
            if principal is None or not principal.can(permission):
                return principal, _refusal(self, principal, permission, name, None)
            return principal, None

        if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):
            is_async_gen = inspect.isasyncgenfunction(fn)

            @functools.wraps(fn)
            async def gen_wrapper(self: Any, *args: Any, **kwargs: Any):
                logs.set_request_id(event_txid())  # the event's own task: its context ends with it
                secret = _hold_secrets(self, args, kwargs)
                principal, refusal = await authorize(self)
                if refusal is not None:
                    yield refusal
                    return
                token = _current.set(principal)
                before = _snapshot(self, fn)
                try:
                    _check_arguments(fn, args, kwargs)
                    if is_async_gen:
                        async for item in fn(self, *args, **kwargs):
                            yield item
                    else:
                        for item in fn(self, *args, **kwargs):
                            yield item
                except ServiceError as exc:
                    _restore(self, before)
                    yield _refusal(self, principal, permission, name, exc)
                except Exception as exc:
                    _unexpected(self, before, exc, secret, principal)
                    raise
                finally:
                    _current.reset(token)

            setattr(gen_wrapper, PERMISSION_ATTR, permission)
            return gen_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            logs.set_request_id(event_txid())  # the event's own task: its context ends with it
            secret = _hold_secrets(self, args, kwargs)
            principal, refusal = await authorize(self)
            if refusal is not None:
                return refusal
            token = _current.set(principal)
            before = _snapshot(self, fn)
            try:
                _check_arguments(fn, args, kwargs)
                result = fn(self, *args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                return result
            except ServiceError as exc:
                _restore(self, before)
                return _refusal(self, principal, permission, name, exc)
            except Exception as exc:
                _unexpected(self, before, exc, secret, principal)
                raise
            finally:
                _current.reset(token)

        setattr(wrapper, PERMISSION_ATTR, permission)
        return wrapper  # type: ignore[return-value]

    return decorate
