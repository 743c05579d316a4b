"""The backups screen's handler and the home page's backup warning, called as browser events."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from bbbms_app import db, jobs, settings
from bbbms_app.models import AuditEvent, User
from bbbms_app.pages.backups import BackupsState
from bbbms_app.pages.home import HomeState
from bbbms_app.services import backup
from tests.states import is_refusal, new_tab, sub


@pytest.fixture
def folders(school, tmp_path, monkeypatch):
    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("BBBMS_QUEUE_NAME", "test-page")
    settings.reload()
    jobs.reload()
    yield tmp_path
    jobs.huey.storage.close()


@pytest.mark.parametrize("username", ["t_teacher", "t_clerk", "t_parent"])
async def test_roles_without_backup_read_are_refused(folders, username):
    state = sub(new_tab(username), BackupsState)
    assert is_refusal(await state.load())
    assert state.rows == []
    home = sub(new_tab(username), HomeState)
    await home.load()
    assert home.backup_warning == {}  # nobody else is alarmed by the server's backups


async def test_administrator_sees_the_list_and_the_warnings(folders):
    home = sub(new_tab("t_admin"), HomeState)
    await home.load()
    assert "көчүрмө жок" in home.backup_warning["ky"] and "резервной копии пока нет" in home.backup_warning["ru"]

    now = dt.datetime.now(dt.UTC)
    backup.run(now=now - dt.timedelta(days=3))
    await home.load()
    assert home.backup_warning["ru"].startswith("Последняя хорошая резервная копия сделана 3 дн. назад")
    assert home.backup_warning["ky"].startswith("Акыркы жакшы камдык көчүрмө 3 күн мурун")

    backup.run(now=now - dt.timedelta(hours=2))
    jobs.put_status("backup", ok=False, message="/media/usb: No space left on device")
    await home.load()
    assert home.backup_warning == {}

    state = sub(new_tab("t_admin"), BackupsState)
    assert not is_refusal(await state.load())
    assert [r["age_en"] for r in state.rows] == ["2 h", "3 days"]
    assert all(r["good"] == "1" for r in state.rows)
    assert state.rows[0]["content_ru"].endswith("записей, 0 файлов")
    assert not state.stale and state.summary["en"] == "The last good backup was made 2 h ago."
    assert state.last_run_failed and "No space left" in state.last_run["ru"]
    assert str(folders / "backups") in state.where["ky"]


async def test_the_director_sees_them_too(folders):
    from bbbms_app.jobs import tasks

    tasks.backup_now.call_local()  # the job, run here: its outcome is what the screen reads
    state = sub(new_tab("t_director"), BackupsState)
    assert not is_refusal(await state.load())
    assert len(state.rows) == 1 and state.rows[0]["drill_en"] == "not run"
    name = state.rows[0]["name"]
    assert state.last_run["ru"].startswith(f"Последний запуск: {name} — ")
    assert "записей" in state.last_run["ru"] and "жазуу" in state.last_run["ky"]
    assert not state.last_run_failed


@pytest.mark.parametrize("username", ["t_teacher", "t_clerk", "t_deputy"])
async def test_only_backup_run_may_ask_for_a_backup_now(folders, username):
    state = sub(new_tab(username), BackupsState)
    assert is_refusal(await state.backup_now())  # a forged event: the button is not drawn for them
    assert jobs.huey.pending_count() == 0
    with db.session() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "backup.asked")).all() == []


async def test_back_up_now_queues_one_job_that_the_consumer_turns_into_a_checked_backup(folders):
    state = sub(new_tab("t_admin"), BackupsState)
    first = await state.backup_now()
    assert not is_refusal(first) and "success" in repr(first)
    assert jobs.huey.pending_count() == 1
    second = await state.backup_now()  # the impatient second click queues nothing more
    assert not is_refusal(second) and "info" in repr(second)
    assert jobs.huey.pending_count() == 1

    jobs.huey.execute(jobs.huey.dequeue())  # what the consumer does with the queued job
    await state.load()
    assert len(state.rows) == 1 and state.rows[0]["good"] == "1"
    assert state.last_run["en"].startswith(f"Last run: {state.rows[0]['name']} — ")
    with db.session() as s:
        asked = s.exec(select(AuditEvent).where(AuditEvent.action == "backup.asked")).all()
        admin = s.exec(select(User).where(User.username == "t_admin")).one()
    assert [a.user_id for a in asked] == [admin.id]

    await state.backup_now()  # once the backup is made, the next click is a new backup
    assert jobs.huey.pending_count() == 1
