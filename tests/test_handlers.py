"""Every event handler declares a permission and enforces it with data scope; forged events fail."""

from __future__ import annotations

import inspect

import pytest
import reflex as rx
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import ClassAdminState, PupilAdminState, StaffAdminState, UserAdminState
from bbbms_app.auth.guard import permission_of
from bbbms_app.auth.state import AuthState
from bbbms_app.models import AuditEvent, User
from bbbms_app.pages.home import HomeState
from bbbms_app.pages.marks import MyMarksState
from bbbms_app.services.access import PERMISSIONS
from tests.states import connect, is_refusal, login, new_tab, sub

# Handlers every Reflex State has, that the framework itself defines and routes.
FRAMEWORK_HANDLERS = {"setvar"}
# Reflex's own setter of its page-hydration flag (a UI flag of the framework, no data behind it).
FRAMEWORK_SETTERS = {"set_is_hydrated"}


def app_states() -> list[type[rx.State]]:
    found: list[type[rx.State]] = []
    todo = list(rx.State.get_substates())
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if cls.__module__.startswith("bbbms_app"):
            found.append(cls)
    return found


def undeclared_handlers(states) -> list[str]:
    """Handler names (State.handler) that declare no permission, or an unknown one."""
    bad = []
    for cls in states:
        for name, handler in cls.event_handlers.items():
            if name in FRAMEWORK_HANDLERS:
                continue
            declared = permission_of(handler.fn)
            if declared not in PERMISSIONS:
                bad.append(f"{cls.__name__}.{name}")
    return bad


def test_every_app_handler_declares_a_known_permission():
    states = app_states()
    assert {AuthState, PupilAdminState, MyMarksState, HomeState} <= set(states)
    assert sum(len(c.event_handlers) for c in states) > 20
    assert undeclared_handlers(states) == []


def test_the_walk_catches_an_undeclared_handler():
    class Fake:
        __name__ = "Fake"

        class _H:
            @staticmethod
            def fn(self):
                return None

        event_handlers = {"save_mark": _H}

    assert undeclared_handlers([Fake]) == ["Fake.save_mark"]


def test_setvar_cannot_set_a_var_without_a_guarded_setter():
    # With auto setters off, setvar("role", …) finds no set_role and fails; every set_* that does
    # exist is an app handler, and so is covered by the walk above.
    for cls in app_states():
        for name in dir(cls):
            if name.startswith("set_") and name not in FRAMEWORK_SETTERS and callable(getattr(cls, name, None)):
                assert name in cls.event_handlers, f"{cls.__name__}.{name} is callable by setvar but not a handler"


def _denials() -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "denied")).all())


async def test_unauthenticated_client_is_refused_everywhere(school):
    root = new_tab()
    calls = [
        (PupilAdminState, "load", ()),
        (PupilAdminState, "set_search", ("Үсөнов",)),
        (StaffAdminState, "load", ()),
        (UserAdminState, "load", ()),
        (ClassAdminState, "load", ()),
        (HomeState, "load", ()),
        (MyMarksState, "choose", (str(school.pupils_5a[0]),)),
    ]
    for cls, name, args in calls:
        result = await getattr(sub(root, cls), name)(*args)
        assert is_refusal(result), f"{cls.__name__}.{name} was not refused"
    assert sub(root, PupilAdminState).rows == []
    assert sub(root, MyMarksState).rows == []
    assert len(_denials()) == len(calls)


async def test_pupil_cannot_list_users_or_pupils(school):
    root = new_tab("t_pupil")
    assert is_refusal(await sub(root, UserAdminState).load())
    assert is_refusal(await sub(root, PupilAdminState).load())
    assert sub(root, UserAdminState).rows == []
    denied = _denials()
    assert {d.username for d in denied} == {"t_pupil"} and {d.role for d in denied} == {"pupil"}


async def test_parent_cannot_open_another_familys_pupil(school):
    root = new_tab("t_parent")
    marks = sub(root, MyMarksState)
    await marks.load()
    assert {c["id"] for c in marks.children} == {str(p) for p in school.pupils_5a[:2]}
    own_rows = list(marks.rows)
    assert own_rows, "the parent sees his own child's marks"
    stranger = str(school.pupils_6b[0])
    result = await marks.choose(stranger)
    assert is_refusal(result)
    assert marks.rows == own_rows or marks.rows == []
    assert any("pupil" in d.reason for d in _denials())


async def test_parent_sees_marks_average_and_absences_of_his_child(school):
    root = new_tab("t_parent")
    marks = sub(root, MyMarksState)
    await marks.load()
    await marks.choose(str(school.pupils_5a[0]))
    rows = {r["subject_en"]: r for r in marks.rows}
    assert rows["Mathematics"]["marks"] == "5 4"
    # The class policy's weighted mean, as each language writes it (the teacher's number).
    assert (rows["Mathematics"]["average_ky"], rows["Mathematics"]["average_en"]) == ("4,5", "4.5")
    assert rows["Mathematics"]["absences"] == "1"


@pytest.mark.parametrize(
    "username,expected",
    [("t_teacher", "6b"), ("t_classteacher", "5a"), ("t_director", "all"), ("t_clerk", "all")],
)
async def test_pupil_list_is_scoped_by_role(school, username, expected):
    root = new_tab(username)
    state = sub(root, PupilAdminState)
    assert not is_refusal(await state.load())
    ids = {int(r["id"]) for r in state.rows}
    want = {
        "6b": set(school.pupils_6b),
        "5a": set(school.pupils_5a),
        "all": set(school.pupils_5a) | set(school.pupils_6b),
    }[expected]
    assert ids == want
    assert state.total == len(want)


async def test_pupil_list_is_in_kyrgyz_order_and_search_folds_case(school):
    root = new_tab("t_director")
    state = sub(root, PupilAdminState)
    await state.load()
    surnames = [r["name"].split()[0] for r in state.rows]
    # Ң after Н-words and before О; Ү after У-words: Абдыкадырова, Ңаматов, Орозов, Петрова, Үсөнов
    assert surnames == ["Абдыкадырова", "Ңаматов", "Орозов", "Петрова", "Үсөнов"]
    await state.set_search("ҮСӨН")
    assert [r["name"].split()[0] for r in state.rows] == ["Үсөнов"]
    await state.set_search("100%_")
    assert state.rows == []


async def test_teacher_cannot_filter_to_a_class_he_does_not_teach(school):
    root = new_tab("t_teacher")
    state = sub(root, PupilAdminState)
    await state.load()
    assert is_refusal(await state.set_filter("class_id", str(school.class_5a)))  # not one of his classes
    assert state.filters.get("class_id", "") == ""
    assert {int(r["id"]) for r in state.rows} == set(school.pupils_6b)


async def test_login_handler_messages_are_translated(school):
    root = new_tab()
    auth = sub(root, AuthState)
    auth.lang = "ky"
    assert await login(auth, {"username": "t_director", "password": "wrong-password"}) is None
    assert auth.login_error == "Колдонуучунун аты же сырсөз туура эмес"
    assert auth.session_token == ""
    auth.lang = "ru"
    await login(auth, {"username": "nobody", "password": "x"})
    assert auth.login_error == "Неверное имя пользователя или пароль"
    await login(auth, {"username": "t_director", "password": "test-password-1"})
    assert auth.session_token and auth.signed_in and auth.role == "director"
    assert "report.read" in auth.perms


async def test_language_choice_is_remembered_on_the_account(school):
    root = new_tab("t_teacher")
    auth = sub(root, AuthState)
    await auth.set_language("ru")
    assert auth.lang == "ru"
    await auth.set_language("<script>")
    assert auth.lang == "ru"
    with db.session() as s:
        assert s.exec(select(User.language).where(User.username == "t_teacher")).one() == "ru"


async def test_sign_out_is_effective_on_the_next_event(school):
    root = new_tab("t_director")
    token = sub(root, AuthState).session_token
    assert not is_refusal(await sub(root, StaffAdminState).load())
    await sub(root, AuthState).logout()
    # A stolen copy of the token is dead too.
    other = new_tab()
    sub(other, AuthState).session_token = token
    connect(other, token)  # even with the session cookie in its handshake
    assert is_refusal(await sub(other, StaffAdminState).load())


async def test_home_page_follows_the_role(school):
    root = new_tab("t_director")
    home = sub(root, HomeState)
    await home.load()
    assert home.figures["pupils"] == 5 and home.figures["classes"] == 2 and home.figures["staff"] == 5
    assert home.figures["marks"] == 3 and home.figures["absences"] == 1
    assert home.load_rows == [] and home.children == []  # the director teaches nothing here
    teacher = sub(new_tab("t_teacher"), HomeState)
    await teacher.load()
    assert {(r["class_name"], r["subject_en"]) for r in teacher.load_rows} == {
        ("6-Б", "Mathematics"),
        ("6-Б", "Kyrgyz"),
    }
    parent = sub(new_tab("t_parent"), HomeState)
    await parent.load()
    assert parent.figures == {} and parent.load_rows == []
    assert sorted(c["name"] for c in parent.children) == ["Абдыкадырова Мөлдир", "Үсөнов Нурбек"]


def test_handlers_are_coroutines_so_the_guard_always_runs():
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if name in FRAMEWORK_HANDLERS:
                continue
            fn = handler.fn
            assert inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn), f"{cls.__name__}.{name}"


def unchecked_arguments(states) -> list[str]:
    """Handler arguments (State.handler(arg)) the guard cannot check: unannotated, or an annotation
    outside plain JSON shapes. A model, dataclass or pydantic annotation would make Reflex build an
    object from the client's dict before any check runs (DESIGN §6)."""
    from typing import get_type_hints

    from bbbms_app.auth.inputs import supported

    bad = []
    for cls in states:
        for name, handler in cls.event_handlers.items():
            if name in FRAMEWORK_HANDLERS:
                continue
            hints = get_type_hints(handler.fn)
            for param in list(inspect.signature(handler.fn).parameters)[1:]:
                if param not in hints or not supported(hints[param]):
                    bad.append(f"{cls.__name__}.{name}({param})")
    return bad


def test_every_handler_argument_has_a_checkable_annotation():
    assert unchecked_arguments(app_states()) == []


def test_the_argument_walk_catches_an_object_built_from_client_data():
    from datetime import date

    class Fake:
        __name__ = "Fake"

        class _H:
            @staticmethod
            def fn(self, pupil, day, anything, ok):
                return None

        event_handlers = {"save": _H}

    Fake._H.fn.__annotations__ = {"pupil": User, "day": date, "ok": str | list[str]}

    assert unchecked_arguments([Fake]) == ["Fake.save(pupil)", "Fake.save(day)", "Fake.save(anything)"]
