"""Issue 10 #2 and #3: the tab's state token is no credential, and sign-out leaves nothing behind.

A session in a tab's state counts only over the socket that signed in or with the `bbbms_session`
cookie in the websocket handshake; a replayed state token from another browser is refused and
the tab wiped. Sign-out, expiry, revocation and a password change wipe every substate.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from bbbms_app.admin.states import PupilAdminState, StaffAdminState
from bbbms_app.auth.state import AuthState, ForeignTabGuard, _state_classes
from bbbms_app.pages.profile import ProfileState
from tests.factories import PASSWORD
from tests.states import connect, handle, is_refusal, login, new_tab, sub

NEW_PASSWORD = "Ала-Тоо тоолору 2026"


async def _loaded_states(root: rx.State) -> list[rx.State]:
    return [await root.get_state(cls) for cls in _state_classes(type(root))[1:]]


async def _leftovers(root: rx.State) -> dict[str, Any]:
    """Every var of every substate that is not at its default (the UI language aside)."""
    out = {}
    for state in await _loaded_states(root):
        cls = type(state)
        for name, f in cls.__fields__.items():
            if f._owner is cls and name != "lang" and state.get_value(name) != f.default_value():
                out[f"{cls.__name__}.{name}"] = state.get_value(name)
    return out


async def _pupil_card_open(root: rx.State, school) -> None:
    pupils = sub(root, PupilAdminState)
    await pupils.load()
    await pupils.open_record(str(school.pupils_6b[0]))
    assert pupils.detail_title == "Петрова Анна" and pupils.rows


async def test_a_replayed_state_token_without_the_cookie_is_worth_nothing(school):
    root = new_tab("t_director")
    await _pupil_card_open(root, school)
    # The attacker reconnects with the tab's state token from his own browser: new socket, no cookie.
    connect(root)
    assert is_refusal(await sub(root, StaffAdminState).load())
    assert await _leftovers(root) == {}


async def test_the_middleware_wipes_a_foreign_tab_before_any_event_even_hydrate(school):
    root = new_tab("t_director")
    await _pupil_card_open(root, school)
    connect(root)  # no cookie
    await ForeignTabGuard().preprocess(None, root, None)
    assert await _leftovers(root) == {}
    # The owner's own reconnect carries the cookie: nothing is wiped.
    owner = new_tab("t_director")
    await _pupil_card_open(owner, school)
    connect(owner, sub(owner, AuthState).session_token)
    await ForeignTabGuard().preprocess(None, owner, None)
    assert sub(owner, PupilAdminState).detail_title == "Петрова Анна"
    assert not is_refusal(await sub(owner, StaffAdminState).load())


async def test_the_socket_that_signed_in_needs_no_cookie_and_a_reload_needs_it(school):
    root = new_tab()
    auth = sub(root, AuthState)
    await login(auth, {"username": "t_director", "password": PASSWORD})
    assert auth.signed_in
    # Same socket, its handshake older than the cookie: it works.
    assert not is_refusal(await sub(root, StaffAdminState).load())
    token = auth.session_token
    connect(root, token)  # a reload: the new handshake carries the cookie
    assert not is_refusal(await sub(root, StaffAdminState).load())
    connect(root, "another-token-" + "x" * 30)  # a cookie of another session does not do
    assert is_refusal(await sub(root, StaffAdminState).load())


async def test_sign_out_wipes_every_substate_and_drops_the_tab_token(school):
    root = new_tab("t_director")
    await _pupil_card_open(root, school)
    sub(root, AuthState).lang = "ru"
    result = await sub(root, AuthState).logout()
    assert "sessionStorage.removeItem" in repr(result)
    assert await _leftovers(root) == {}
    assert sub(root, AuthState).lang == "ru"  # the language is no personal data


async def test_a_password_change_and_a_revocation_wipe_the_tabs(school):
    root = new_tab("t_teacher")
    other = new_tab("t_teacher")
    await sub(other, StaffAdminState).load()
    profile = sub(root, ProfileState)
    result = await handle(profile, "change_password", {"current": PASSWORD, "new": NEW_PASSWORD})
    assert not is_refusal(result)
    # The other tab's session is revoked: its next event is refused and leaves it empty.
    assert is_refusal(await sub(other, StaffAdminState).load())
    assert await _leftovers(other) == {}
