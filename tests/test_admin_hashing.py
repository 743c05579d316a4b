"""Issue 10 (should-fix): the administrator's password reset and account creation hash with
argon2id in a worker thread, as the sign-in does: the event loop keeps serving other tabs.

The hash is made slow (0.25 s, what a real one costs on a school's server) and a ticker beside the
handler measures the longest the loop was held; the handlers are called as a browser's event."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import UserAdminState
from bbbms_app.models import User
from bbbms_app.services import accounts, passwords
from tests.states import handle, is_refusal, new_tab, sub

NEW_PASSWORD = "Ысык-Көл жээги 2026"


@pytest.fixture(autouse=True)
def private_dir(db_url, tmp_path, monkeypatch):
    from bbbms_app import settings

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()


@pytest.fixture
def hashes(monkeypatch) -> list[float]:
    """Count argon2 hashes (each one made slow, as a real one is: 0.25 s)."""
    calls: list[float] = []
    real = passwords.hash_password

    def slow(password: str) -> str:
        calls.append(time.perf_counter())
        time.sleep(0.25)
        return real(password)

    monkeypatch.setattr(passwords, "hash_password", slow)
    return calls


async def _ticks_during_hash(work, hashes: list[float]) -> tuple[object, int]:
    """Run `work()` with a ticker beside it: (its result, how many ticks the loop made while the
    0.25 s hash ran). Ticks are counted rather than a gap bounded: a loaded machine stretches gaps,
    but only a blocked loop makes no ticks at all."""
    ticks: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            await asyncio.sleep(0.01)
            ticks.append(time.perf_counter())

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    try:
        result = await work()
    finally:
        stop.set()
        await ticking
    started = hashes[0] if hashes else 0.0
    return result, sum(1 for t in ticks if started < t < started + 0.25)


def _user(username: str) -> User:
    with db.session() as s:
        return s.exec(select(User).where(User.username == username)).one()


async def test_a_password_reset_does_not_freeze_the_event_loop(school, hashes):
    users = sub(new_tab("t_admin"), UserAdminState)
    await users.open_record(str(_user("t_teacher").id))
    reset = {"password": NEW_PASSWORD}
    result, ticked = await _ticks_during_hash(lambda: handle(users, "reset_password", reset), hashes)
    assert not is_refusal(result) and users.password_error == ""
    assert len(hashes) == 1
    assert ticked >= 3, ticked  # the 0.25 s hash ran beside the loop, not in it
    with db.session() as s:
        assert accounts.authenticate(s, "t_teacher", NEW_PASSWORD).token


async def test_a_rejected_password_still_answers_beside_its_field(school, hashes):
    users = sub(new_tab("t_admin"), UserAdminState)
    await users.open_record(str(_user("t_teacher").id))
    await handle(users, "reset_password", {"password": "password"})
    assert users.password_error and hashes == []


async def test_creating_an_account_does_not_freeze_the_event_loop(school, hashes):
    users = sub(new_tab("t_admin"), UserAdminState)
    await users.new_record()
    form = {
        "username": "new.teacher",
        "full_name": "Жаңы Мугалим",
        "role": "teacher",
        "language": "ky",
        "password": NEW_PASSWORD,
    }
    result, ticked = await _ticks_during_hash(lambda: handle(users, "save", form), hashes)
    assert not is_refusal(result) and users.form_errors == {}, users.form_errors
    assert len(hashes) == 1
    assert ticked >= 3, ticked
    assert _user("new.teacher").password_hash.startswith("$argon2id$")
