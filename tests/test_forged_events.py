"""Forged events: handlers called directly, as any browser can, are refused, audited, and change nothing.

The walks are generic: every handler of every State of the app is called with arguments of the
types its signature declares. A handler added tomorrow is covered without a line here.
"""

from __future__ import annotations

import inspect
import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
import reflex as rx
from sqlalchemy import func
from sqlmodel import SQLModel, select

import bbbms_app.models  # noqa: F401
from bbbms_app import db
from bbbms_app.admin.states import PupilAdminState
from bbbms_app.auth.guard import permission_of
from bbbms_app.models import AuditEvent, User
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services import accounts
from tests.states import is_refusal, new_tab, sub
from tests.test_handlers import FRAMEWORK_HANDLERS, app_states


def _dummy(hint: Any) -> Any:
    """A plausible value of the annotated type (what a browser could send)."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return _dummy(next(a for a in get_args(hint) if a is not type(None)))
    if origin is Literal:
        return get_args(hint)[0]
    return {str: "1", int: 1, float: 1.0, bool: True, dict: {}, list: []}.get(origin or hint, "1")


def _dummy_args(fn) -> list[Any]:
    hints = get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[1:]
    return [_dummy(hints.get(p.name, str)) for p in params if p.default is inspect.Parameter.empty]


async def call(state: rx.State, name: str, *args: Any) -> list[Any]:
    """Run a handler as Reflex would: await it, or drain it when it yields."""
    handler = type(state).event_handlers.get(name)
    # Reflex refuses a direct call of a background task; the app runs its function like this.
    background = handler is not None and handler.is_background
    result = handler.fn(state, *args) if background else getattr(state, name)(*args)  # type: ignore[union-attr]
    if inspect.isasyncgen(result):
        return [item async for item in result]
    return [await result]


def _handlers() -> list[tuple[type[rx.State], str, str]]:
    found = []
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if name in FRAMEWORK_HANDLERS:
                continue
            found.append((cls, name, permission_of(handler.fn) or ""))
    return sorted(found, key=lambda h: (h[0].__name__, h[1]))


def _table_counts() -> dict[str, int]:
    """Rows per table, in one statement (it runs around every forged call)."""
    tables = SQLModel.metadata.sorted_tables
    counts = select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    with db.engine().connect() as conn:
        row = conn.execute(counts).one()
    return dict(zip([t.name for t in tables], row, strict=True))


def _state_values(state: rx.State) -> dict[str, Any]:
    cls = type(state)
    return {n: state.get_value(n) for n, f in cls.__fields__.items() if f._owner is cls}


def _last_audit_id() -> int:
    with db.session() as s:
        return s.exec(select(func.max(AuditEvent.id))).one() or 0


def _events_after(event_id: int) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.id > event_id).order_by(AuditEvent.id)).all())


def _changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    # login sessions are touched by the sign-in of the test tabs themselves, not by the calls
    return {t: (before[t], after[t]) for t in before if before[t] != after[t] and t != "auditevent"}


async def _walk_refused(root: rx.State, allowed: frozenset[str], expect_user: str) -> tuple[list[str], set[str]]:
    """Call every handler the principal may not call; return a line per handler that was not refused
    cleanly, and the names of the handlers called.

    Per call: refused, exactly one "denied" audit event naming the handler and the user, the
    state's vars unchanged. Over the walk: no table but the audit changed its row count (a refused
    handler never runs, so it cannot have updated a row either).
    """
    problems: list[str] = []
    tried: set[str] = set()
    counts = _table_counts()
    mark = _last_audit_id()
    for cls, name, permission in _handlers():
        if permission == "public" or permission in allowed:
            continue
        tried.add(f"{cls.__name__}.{name}")
        state = sub(root, cls)
        values = _state_values(state)
        fn = cls.event_handlers[name].fn
        results = await call(state, name, *_dummy_args(fn))
        events = _events_after(mark)
        mark = max([mark, *(e.id for e in events if e.id is not None)])
        label = f"{cls.__name__}.{name}({permission})"
        if not any(is_refusal(r) for r in results):
            problems.append(f"{label}: not refused")
        audited = [(e.action, e.username, e.entity) for e in events]
        if audited != [("denied", expect_user, f"{cls.__name__}.{name}"[:40])]:
            problems.append(f"{label}: audit {audited}")
        if _state_values(state) != values:
            problems.append(f"{label}: state changed")
    if changed := _changed_tables(counts, _table_counts()):
        problems.append(f"tables changed during the walk: {changed}")
    return problems, tried


def test_the_walk_sees_the_handlers_of_every_page():
    names = {f"{cls.__name__}.{name}" for cls, name, _ in _handlers()}
    assert {"PupilAdminState.load", "MyMarksState.choose", "RightsState.toggle", "AuditState.load"} <= names


async def test_an_unauthenticated_client_is_refused_by_every_non_public_handler(school):
    root = new_tab()
    problems, tried = await _walk_refused(root, frozenset(), "")
    assert problems == []
    assert {"JournalState.key", "RightsState.toggle", "MyMarksState.choose", "AuditState.load"} <= tried


# A family role (the parent's permissions are the pupil's) and a staff role with few permissions.
@pytest.mark.parametrize("username", ["t_pupil", "t_teacher"])
async def test_a_signed_in_user_is_refused_every_handler_his_role_lacks(school, username):
    root = new_tab(username)
    with db.session() as s:
        user = s.exec(select(User).where(User.username == username)).one()
        allowed = accounts.principal_for(user, session=s).permissions | {"signed_in"}
    problems, tried = await _walk_refused(root, allowed, username)
    assert problems == []
    # Among them: the pupil calling the mark-saving handler; the teacher calling the rights matrix.
    assert {"pupil": "JournalState.key", "teacher": "RightsState.toggle"}[username.removeprefix("t_")] in tried


async def test_a_parent_cannot_load_another_familys_pupil(school):
    root = new_tab("t_parent")
    marks = sub(root, MyMarksState)
    await marks.load()
    own = _state_values(marks)
    assert own["rows"], "his own child's marks are shown"
    mark = _last_audit_id()
    for forged in (str(school.pupils_6b[0]), [str(school.pupils_6b[1])], str(school.pupils_5a[2])):
        assert is_refusal((await call(marks, "choose", forged))[0]), forged
        assert _state_values(marks) == own  # the child on screen and his marks stay as they were
    events = _events_after(mark)
    assert [e.action for e in events] == ["denied"] * 3
    assert {e.username for e in events} == {"t_parent"}
    assert all("pupil" in e.reason for e in events)
    # Malformed ids are refused before any query, as invalid input.
    mark = _last_audit_id()
    for forged in ("-1", "0", "1e3", "9" * 40, "", school.pupils_6b[0], {"id": 1}, None):
        assert is_refusal((await call(marks, "choose", forged))[0]), forged
        assert _state_values(marks) == own
    assert {e.action for e in _events_after(mark)} == {"invalid"}


async def test_a_teacher_cannot_reach_another_teachers_class(school):
    root = new_tab("t_teacher")  # teaches 6-Б only
    pupils = sub(root, PupilAdminState)
    await pupils.load()
    assert {o["id"] for o in pupils.filter_options["class_id"]} == {str(school.class_6b)}
    before = _state_values(pupils)
    mark = _last_audit_id()
    assert is_refusal((await call(pupils, "set_filter", "class_id", str(school.class_5a)))[0])
    assert is_refusal((await call(pupils, "set_filter", "class_id", "999999"))[0])
    assert _state_values(pupils) == before
    assert {int(r["id"]) for r in pupils.rows} == set(school.pupils_6b)
    events = _events_after(mark)
    assert [(e.action, e.username) for e in events] == [("denied", "t_teacher")] * 2
    assert f"class {school.class_5a}" in events[0].reason
    # Searching by a 5-А pupil's name finds nothing either.
    await call(pupils, "set_search", "Үсөнов")
    assert pupils.rows == [] and pupils.total == 0
    # The class teacher of 5-А is refused 6-Б the same way.
    ct = sub(new_tab("t_classteacher"), PupilAdminState)
    await ct.load()
    assert is_refusal((await call(ct, "set_filter", "class_id", str(school.class_6b)))[0])
    assert {int(r["id"]) for r in ct.rows} == set(school.pupils_5a)


async def test_hostile_argument_shapes_are_refused_as_invalid_and_audited(school):
    root = new_tab("t_director")
    pupils = sub(root, PupilAdminState)
    await pupils.load()
    before = _state_values(pupils)
    mark = _last_audit_id()
    for args in [(12,), ("x" * 70_000,), ({"$where": 1},), (["a"] * 5,), ("a\x00b",), ("1", "2")]:
        assert is_refusal((await call(pupils, "set_search", *args))[0]), args
    assert _state_values(pupils) == before
    events = _events_after(mark)
    assert [(e.action, e.username) for e in events] == [("invalid", "t_director")] * 6


async def test_a_teacher_cannot_save_a_mark_in_another_teachers_class(school):
    # The journal area has its own tests of this; here the generic promises: refused, audited,
    # the tab's state and every table but the audit unchanged.
    from bbbms_app.models import Mark
    from bbbms_app.pages.journal import JournalState
    from bbbms_app.services import journal
    from tests.journal_factories import add_journal_data

    with db.session() as s:
        extras = add_journal_data(s, school)
    state = sub(new_tab("t_teacher"), JournalState)  # teaches 6-Б only
    assert not is_refusal((await call(state, "load"))[0])
    await call(state, "set_class", str(school.class_5a))  # not among his classes: not opened
    assert state.class_id == str(school.class_6b)
    # A tab whose server-side vars were somehow pointed at a 5-А lesson is still refused by the service.
    state._lesson_ids = [extras.lessons_5a_q1[3]]
    state._pupil_ids = [school.pupils_5a[2]]
    state.mode = "write"
    values, counts, mark = _state_values(state), _table_counts(), _last_audit_id()
    assert is_refusal((await call(state, "key", "0:0", "5"))[0])
    assert _state_values(state) == values
    assert _changed_tables(counts, _table_counts()) == {}
    assert [(e.action, e.username) for e in _events_after(mark)] == [("denied", "t_teacher")]
    with db.session() as s:
        teacher = accounts.principal_for(s.exec(select(User).where(User.username == "t_teacher")).one(), session=s)
    with db.session(write=True) as s, pytest.raises(journal.OutOfScope):
        journal.save_cell(s, teacher, extras.lessons_5a_q1[3], school.pupils_5a[2], journal.CellChange("class", 5), "")
    with db.session() as s:
        assert s.exec(select(Mark).where(Mark.lesson_id == extras.lessons_5a_q1[3])).all() == []
