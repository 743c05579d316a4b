"""A tab holds only the states of the pages it used (issue 12: a journal tab ≤ 300 KiB).

The same tab's events — the first hydrate, the sign-in, the journal opened, a second hydrate as
after a reconnect — go through Reflex's own event processor twice: with the bounded memory manager
making the whole tree as Reflex 0.10.1 does (`lazy=False`), and with substates made at their first
use (the default). The browser must receive the same deltas either way — but for the reconnect's
snapshot, which from the lazy tab leaves out the states it never made, holding their defaults: what
the browser holds after each delta is the same —, and the lazy tab must hold far fewer states.
Then: a state made by a handler's `get_state`, a sign-out that wipes every state, and the escape
hatch `BBBMS_LAZY_TAB_STATES=0`.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
from reflex_base.utils import format

import bbbms_app.app as web
from bbbms_app import tab_states
from bbbms_app.admin.states import PupilAdminState
from bbbms_app.auth.state import COOKIE_NAME, AuthState
from bbbms_app.pages.journal import JournalState
from tests.factories import PASSWORD


class _Browser:
    """The socket's side of the processor: every delta the server sends, in order."""

    def __init__(self) -> None:
        self.deltas: list[dict] = []

    async def emit_update(self, update, token: str) -> None:
        if update.delta:
            self.deltas.append(update.delta)


def _tree(state) -> list:
    out = [state]
    for sub in dict.values(state.substates):
        out += _tree(sub)
    return out


def _event(cls, handler: str, ident: str, pathname: str, cookie: str = "", **payload) -> Event:
    headers = {"cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    router = {"pathname": pathname, "token": ident, "sid": "sid-1", "headers": headers}
    return Event(name=f"{cls.get_full_name()}.{handler}", payload=payload, router_data=router)


async def _run(manager, events) -> tuple[list[str], object]:
    """Send the tab's events one after another; (the deltas it received as JSON, with the tab's
    session token and client token blanked — they differ between two sign-ins —, its root state)."""
    failures: list[BaseException] = []
    browser = _Browser()
    processor = BaseStateEventProcessor(middleware=web.app, backend_exception_handler=failures.append).configure(
        state_manager=manager, event_namespace=browser
    )
    ident = str(uuid.uuid4())
    cookie = ""
    async with processor:
        for make in events:
            future = await processor.enqueue(ident, make(ident, cookie))
            await asyncio.wait_for(future, 30)
            await asyncio.sleep(0.3)  # a background event's own write (the sign-in)
            root = manager.states.get(BaseStateToken(ident=ident, cls=State).cache_key)
            if root is not None and not cookie:
                cookie = (await root.get_state(AuthState)).session_token
    assert not failures, failures
    assert cookie, "the sign-in gave the tab a session"
    texts = [format.json_dumps(delta).replace(cookie, "<session>").replace(ident, "<tab>") for delta in browser.deltas]
    return texts, manager.states[BaseStateToken(ident=ident, cls=State).cache_key]


def _teacher_opens_the_journal(school) -> list:
    def hydrate_at(path: str):
        """The socket's first event: the browser's cookies and local storage come with it."""

        def make(ident: str, cookie: str) -> Event:
            headers = {"cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
            stored = {f"{AuthState.get_full_name()}.session_token{FIELD_MARKER}": cookie} if cookie else {}
            return Event(
                name=f"{State.get_full_name()}.hydrate_and_load",
                payload={"vars": stored},
                router_data={"pathname": path, "token": ident, "sid": "sid-1", "headers": headers},
            )

        return make

    form = {"username": "t_classteacher", "password": PASSWORD}
    term, class_5a = str(school.term_ids[0]), str(school.class_5a)
    return [
        hydrate_at("/login"),
        lambda ident, cookie: _event(AuthState, "login", ident, "/login", form_data=form),
        lambda ident, cookie: _event(JournalState, "load", ident, "/journal", cookie),
        lambda ident, cookie: _event(JournalState, "set_term", ident, "/journal", cookie, value=term),
        lambda ident, cookie: _event(JournalState, "set_class", ident, "/journal", cookie, value=class_5a),
        hydrate_at("/journal"),  # the socket reconnects: the whole snapshot again
    ]


def _browser_store(deltas: list[dict]) -> list[dict]:
    """What the browser holds after each delta: it starts from the compiled defaults and merges
    each state's vars of a delta into what it has."""
    held = json.loads(format.json_dumps(State(_reflex_internal_init=True).dict(initial=True)))
    out = []
    for delta in deltas:
        for name, fields in delta.items():
            held.setdefault(name, {}).update(fields)
        out.append(json.loads(json.dumps(held)))
    return out


async def test_a_lazy_tab_sends_what_the_whole_tree_sends_and_holds_a_few_states(school):
    whole_deltas, whole = await _run(tab_states.BoundedMemoryManager(lazy=False), _teacher_opens_the_journal(school))
    lazy_deltas, lazy = await _run(tab_states.BoundedMemoryManager(lazy=True), _teacher_opens_the_journal(school))

    assert len(whole_deltas) >= 6 and len(lazy_deltas) == len(whole_deltas)
    # Equal as JSON objects: the order of the states in a delta differs (the browser applies each
    # state's part on its own), not one value.
    deltas = [json.loads(text) for text in lazy_deltas]
    whole_json = [json.loads(text) for text in whole_deltas]
    every = {type(st).get_full_name() for st in _tree(whole)}
    k = max(i for i, delta in enumerate(whole_json) if set(delta) == every)  # the reconnect's snapshot
    assert k > 0 and deltas[:k] + deltas[k + 1 :] == whole_json[:k] + whole_json[k + 1 :]
    # The grid reached the browser; the reconnect's snapshot carried every state of the app from
    # the whole tree, and from the lazy tab the states it made (the journal's grid with them), not
    # the ones it never made: the browser holds the same after it.
    journal = JournalState.get_full_name()
    assert any(delta.get(journal, {}).get("n_rows_rx_state_", 0) > 0 for delta in deltas)
    assert deltas[k][journal] == whole_json[k][journal] and deltas[k][journal]["n_rows_rx_state_"] > 0
    assert PupilAdminState.get_full_name() not in deltas[k]
    assert _browser_store(deltas) == _browser_store(whole_json)
    assert len(lazy_deltas[k]) < len(whole_deltas[k]) * 0.6, (len(lazy_deltas[k]), len(whole_deltas[k]))

    made = {type(st) for st in _tree(lazy)}
    assert len(_tree(whole)) >= 50
    assert {State, AuthState, JournalState} <= made
    assert PupilAdminState not in made
    assert len(made) <= 6, sorted(c.__name__ for c in made)


async def test_a_state_the_tab_never_made_is_made_by_its_first_event_and_wiped_at_sign_out(school):
    manager = tab_states.BoundedMemoryManager()
    assert manager.lazy
    form = {"username": "t_director", "password": PASSWORD}
    events = [
        lambda ident, cookie: _event(AuthState, "login", ident, "/login", form_data=form),
        lambda ident, cookie: _event(PupilAdminState, "load", ident, "/pupils", cookie),
    ]
    _deltas, root = await _run(manager, events)
    pupils = dict.get(root.substates, PupilAdminState.get_name())
    assert pupils is not None and pupils.rows  # made by its event, holding the list
    assert JournalState.get_name() not in dict.keys(root.substates)
    # A handler's get_state makes the state it asks for, in the same tree.
    journal = await root.get_state(JournalState)
    assert dict.get(root.substates, JournalState.get_name()) is journal
    assert journal.parent_state is root


def test_the_escape_hatch_gives_reflex_whole_tree(monkeypatch):
    monkeypatch.setenv("BBBMS_LAZY_TAB_STATES", "0")
    manager = tab_states.BoundedMemoryManager()
    assert not manager.lazy
    root = manager._get_or_create_state(BaseStateToken(ident="x", cls=State))
    assert type(root.substates) is dict and len(_tree(root)) >= 50
    monkeypatch.setenv("BBBMS_LAZY_TAB_STATES", "1")
    root = tab_states.BoundedMemoryManager()._get_or_create_state(BaseStateToken(ident="y", cls=State))
    assert _tree(root) == [root]


def test_a_snapshot_of_absent_states_is_the_whole_trees_and_each_snapshot_its_own():
    whole = tab_states.BoundedMemoryManager(lazy=False)._get_or_create_state(BaseStateToken(ident="w", cls=State))
    lazy = tab_states.BoundedMemoryManager(lazy=True)._get_or_create_state(BaseStateToken(ident="l", cls=State))
    expected = json.loads(format.json_dumps(whole.dict()))
    first = lazy.dict()
    assert json.loads(format.json_dumps(first)) == expected
    # Reflex resolves and extends a snapshot in place (hydrate_and_load): the next one must not see it.
    for fields in first.values():
        fields.clear()
    # The next snapshot (a reconnect) leaves out the states whose defaults are the same for every tab:
    # the browser holds them since the first. The others (a substate, a computed var reading more
    # than its own fields) are all there, as is the root.
    again = json.loads(format.json_dumps(lazy.dict()))
    left_out = set(expected) - set(again)
    same = {cls.get_full_name() for cls in State.get_substates() if tab_states._same_for_every_tab(cls)}
    assert left_out == same and len(same) >= 50 and State.get_full_name() in again
    assert again == {name: fields for name, fields in expected.items() if name not in same}
    assert _tree(lazy) == [lazy]  # the snapshots made nothing that stays
    # A new tree (a restart, a dropped tab) sends every state again.
    fresh = tab_states.BoundedMemoryManager(lazy=True)._get_or_create_state(BaseStateToken(ident="f", cls=State))
    assert json.loads(format.json_dumps(fresh.dict())) == expected
