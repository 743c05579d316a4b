"""Issue 12 #1 and issue 10 (should-fix): the sign-in throttle stands in front of argon2 — per
account, per unknown username and per client address —, a throttled answer costs no hashing and
takes the same time for known and unknown usernames, the hashing runs off the event loop, and the
profile's current-password check is throttled too."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.auth.state import AuthState
from bbbms_app.models import User
from bbbms_app.pages.profile import ProfileState
from bbbms_app.services import accounts, passwords
from tests.factories import PASSWORD
from tests.states import handle, login, new_tab, sub


@pytest.fixture(autouse=True)
def fresh_throttles(monkeypatch):
    monkeypatch.setattr(accounts, "_unknown_failures", {})
    monkeypatch.setattr(accounts, "_address_failures", {})


@pytest.fixture
def hashes(monkeypatch) -> list[float]:
    """Count argon2 verifications (each one made slow, as a real one is: 0.25 s)."""
    calls: list[float] = []
    real = passwords.verify

    def slow(password_hash: str, password: str) -> bool:
        calls.append(time.perf_counter())
        time.sleep(0.25)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify", slow)
    return calls


def _sign_in(username: str, password: str, address: str = "") -> tuple[str | None, float]:
    started = time.perf_counter()
    with db.session() as s:
        result = accounts.authenticate(s, username, password, address=address)
    return (result.error.key if result.error else None), time.perf_counter() - started


def test_a_throttled_answer_hashes_nothing_for_known_and_unknown_names(school, hashes):
    for name in ("t_clerk", "nobody-at-all"):
        for _ in range(accounts.FREE_ATTEMPTS):
            assert _sign_in(name, "wrong-password-9")[0] == "login.failed"
    assert len(hashes) == 2 * accounts.FREE_ATTEMPTS
    hashes.clear()
    known, _ = _sign_in("t_clerk", PASSWORD)
    unknown, _ = _sign_in("nobody-at-all", "anything-at-all")
    assert known == unknown == "login.throttled"
    # The throttle answered before any hashing, for a real name as for an unknown one: the answer
    # costs the same and tells nothing (its time is a bench figure, not a wall-clock assertion here).
    assert hashes == []


def test_unthrottled_known_and_unknown_names_both_cost_one_hash(school, hashes):
    _, known_s = _sign_in("t_clerk", "wrong-password-9")
    _, unknown_s = _sign_in("nobody-at-all", "wrong-password-9")
    assert len(hashes) == 2 and known_s >= 0.25 and unknown_s >= 0.25


def test_random_usernames_from_one_address_are_throttled_by_the_address(school, hashes):
    for i in range(accounts.ADDRESS_FREE_ATTEMPTS):
        assert _sign_in(f"sprayed-{i}", "Summer2026!", address="203.0.113.7")[0] == "login.failed"
    hashes.clear()
    assert _sign_in("t_clerk", PASSWORD, address="203.0.113.7")[0] == "login.throttled"
    assert hashes == []
    # Another address is not held up, and the account itself was never locked.
    assert _sign_in("t_clerk", PASSWORD, address="198.51.100.2")[0] is None


async def test_a_sign_in_does_not_freeze_the_event_loop(school, hashes):
    ticks: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(0.01)
            ticks.append(time.perf_counter())

    stop = asyncio.Event()
    ticking = asyncio.create_task(ticker(stop))
    auth = sub(new_tab(), AuthState)
    await login(auth, {"username": "t_director", "password": PASSWORD})
    stop.set()
    await ticking
    assert auth.signed_in and len(hashes) == 1
    # The loop kept ticking while the 0.25 s hash ran: it ran beside the loop, not in it. (Counted
    # ticks, not a gap's length: a loaded machine stretches gaps but cannot stop a free loop.)
    started = hashes[0]
    during = [t for t in ticks if started < t < started + 0.25]
    assert len(during) >= 3, (len(during), len(ticks))


async def test_the_profile_current_password_check_is_throttled(school, hashes):
    profile = sub(new_tab("t_teacher"), ProfileState)
    for _ in range(accounts.FREE_ATTEMPTS):
        await handle(profile, "change_password", {"current": "not-my-password", "new": "Ала-Тоо тоолору 2026"})
        assert profile.error == "Азыркы сырсөз туура эмес"
    hashes.clear()
    await handle(profile, "change_password", {"current": PASSWORD, "new": "Ала-Тоо тоолору 2026"})
    assert profile.error.startswith("Өтө көп аракет."), profile.error
    assert hashes == []
    with db.session() as s:
        user = s.exec(select(User).where(User.username == "t_teacher")).one()
        assert passwords.verify(user.password_hash, PASSWORD)
