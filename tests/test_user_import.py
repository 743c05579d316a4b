"""Import of user accounts through the admin engine: all or nothing, no passwords in the file, a
one-time password per new account on a credentials sheet, the rights rules on roles, audited."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import reflex as rx
from sqlmodel import func, select

from bbbms_app import db
from bbbms_app.admin.states import UserAdminState
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, User
from bbbms_app.services import accounts, passwords
from bbbms_app.services.engine import imports
from bbbms_app.services.engine.registry import ENTITIES
from tests.states import handle, new_tab, sub
from tests.test_admin_import import run, xlsx

USERS = ENTITIES.get("user")

HEADERS_KY = ["Колдонуучунун аты (логин)", "Аты-жөнү", "Ролу", "Интерфейс тили", "Кызматкер", "Окуучу", "Ата-эне"]
HEADERS_RU = ["Логин", "ФИО", "Роль", "Язык интерфейса", "Сотрудник", "Ученик", "Родитель"]
ROWS = [
    ["ivanov.s", "Иванов Сергей", "Мугалим", "Русский", "Иванов Сергей", "", ""],
    ["usonova.ch", "Үсөнова Чолпон", "Ата-эне", "ky", "", "", "Үсөнова Чолпон"],
    ["petrova.a", "Петрова Анна", "pupil", "Орусча", "", "10102201300044", ""],
]


@pytest.fixture(autouse=True)
def private_dir(db_url, tmp_path, monkeypatch):
    from bbbms_app import settings

    monkeypatch.setenv("BBBMS_DATA_DIR", str(tmp_path / "data"))
    settings.reload()


def users() -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(User)).one()


def test_an_import_makes_accounts_with_one_time_passwords_and_links(school):
    before = users()
    checked = run(USERS, xlsx(HEADERS_KY, ROWS), user="t_admin", dry_run=True)
    assert checked.ok and not checked.written and checked.created == 3 and checked.credentials == []
    assert users() == before
    result = run(USERS, xlsx(HEADERS_KY, ROWS), user="t_admin")
    assert result.ok and result.written, result.errors
    assert (result.created, users()) == (3, before + 3)
    # The administrator's links to persons wait for the director (issue 10 #1); he confirms them.
    with db.session() as s:
        made = {u.username: u for u in s.exec(select(User).where(User.username.in_([r[0] for r in ROWS]))).all()}  # type: ignore[attr-defined]
        assert [(u.staff_id, u.guardian_id, u.pupil_id) for u in made.values()] == [(None, None, None)] * 3
    with db.session(write=True) as s:
        director = accounts.principal_for(s.exec(select(User).where(User.username == "t_director")).one(), session=s)
        pending = accounts.pending_requests(s, director)
        assert sorted((r["username"], r["field"]) for r in pending) == [
            ("ivanov.s", "staff_id"),
            ("petrova.a", "pupil_id"),
            ("usonova.ch", "guardian_id"),
        ]
        for r in pending:
            accounts.decide(s, director, int(r["id"]), True)
    with db.session() as s:
        made = {u.username: u for u in s.exec(select(User).where(User.username.in_([r[0] for r in ROWS]))).all()}  # type: ignore[attr-defined]
        assert made["ivanov.s"].role == "teacher" and made["ivanov.s"].staff_id == school.teacher_b
        assert made["ivanov.s"].language == "ru" and made["ivanov.s"].school_id == school.school_id
        assert made["usonova.ch"].role == "parent" and made["usonova.ch"].guardian_id == school.guardian_1
        assert made["petrova.a"].role == "pupil" and made["petrova.a"].pupil_id == school.pupils_6b[0]
        audited = s.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "create", AuditEvent.entity == "user", AuditEvent.username == "t_admin")
        ).one()
        assert audited == 3
    # Every password is random, meets the rules, and is what the account now takes.
    pws = {u: pw for u, _name, _role, pw in result.credentials}
    assert len(set(pws.values())) == 3
    for username, pw in pws.items():
        passwords.check_rules(pw)
        assert passwords.verify(made[username].password_hash, pw)
        with db.session(write=True) as s:
            assert accounts.authenticate(s, username, pw).token
    # The sheet the importer downloads holds them (read back as a real XLSX).
    ws = openpyxl.load_workbook(io.BytesIO(imports.credentials_sheet(result, "ru"))).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["Логин", "ФИО", "Роль", "Одноразовый пароль"]
    assert ["ivanov.s", "Иванов Сергей", "Учитель", pws["ivanov.s"]] in rows
    # The same file again: nothing new, nothing changed, no password issued or touched.
    again = run(USERS, xlsx(HEADERS_RU, ROWS), user="t_admin")
    assert again.ok and (again.created, again.unchanged, again.credentials) == (0, 3, [])
    with db.session() as s:
        assert (
            s.exec(select(User.password_hash).where(User.username == "ivanov.s")).one()
            == made["ivanov.s"].password_hash
        )


def test_the_administrator_cannot_import_a_director_or_raise_a_role(school):
    before = users()
    rows = [ROWS[0], ["new.boss", "Жаңы Директор", "Директор", "ky", "", "", ""]]
    result = run(USERS, xlsx(HEADERS_KY, rows), user="t_admin")
    assert not result.written and users() == before
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "Ролу", "Директор")]
    assert result.errors[0].message == t("rights.error.privileged_role", "ky")
    # Raising an existing teacher to administrator through a file is refused as well.
    raise_row = [["t_teacher", "t_teacher", "administrator", "ky", "", "", ""]]
    raised = run(USERS, xlsx(HEADERS_KY, raise_row), user="t_admin")
    assert [(e.row, e.column) for e in raised.errors] == [(2, "Ролу")] and not raised.written
    with db.session() as s:
        assert s.exec(select(User.role).where(User.username == "t_teacher")).one() == "teacher"
    # The director may make a director.
    ok = run(USERS, xlsx(HEADERS_KY, rows), user="t_director")
    assert ok.ok and ok.written and ok.created == 2


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_written(school):
    before = users()
    rows = [
        ROWS[0],
        ["Bad Name!", "Жок", "teacher", "ky", "", "", ""],  # username pattern
        ["x.y", "Бирөө", "космонавт", "ky", "", "", ""],  # unknown role
        ["ivanov.s", "Иванов С.", "teacher", "ky", "", "", ""],  # twice in the file
        ["z.z", "Белгисиз", "parent", "ky", "", "", "Жок Мындай"],  # no such guardian
        ["t_parent", "t_parent", "parent", "ky", "", "", ""],  # fine: the existing account, unchanged
    ]
    result = run(USERS, xlsx(HEADERS_KY, rows), user="t_admin")
    assert not result.written and users() == before
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "Колдонуучунун аты (логин)"), (4, "Ролу"), (5, "Колдонуучунун аты (логин)"), (6, "Ата-эне")}
    # A password column is refused outright: passwords and their hashes are never imported.
    with_pw = run(USERS, xlsx([*HEADERS_RU, "Пароль"], [[*ROWS[0], "secret-123456"]]), user="t_admin")
    assert [e.message for e in with_pw.errors] == [t("import.users.no_passwords", "ky")]
    hashed = run(USERS, xlsx([*HEADERS_RU, "password_hash"], [[*ROWS[0], "$argon2id$v=19$..."]]), user="t_admin")
    assert hashed.errors and not hashed.written and users() == before


async def test_the_screen_hands_the_credentials_sheet_over_once_and_audits_it(school):
    screen = sub(new_tab("t_admin"), UserAdminState)
    await screen.load()
    await screen.open_import()
    data = io.BytesIO(xlsx(HEADERS_KY, ROWS))
    await screen.upload_import([rx.UploadFile(file=data, path=Path("accounts.xlsx"))])
    assert screen.import_ready and users() == 8  # checked only: nothing written yet
    await handle(screen, "commit_import")
    assert screen.import_done and screen.credentials_count == 3 and users() == 11
    sheet = Path(screen._credentials_path)
    assert sheet.exists() and (sheet.stat().st_mode & 0o777) == 0o600
    sent = await screen.download_credentials()
    assert "download" in repr(sent) and not sheet.exists() and screen.credentials_count == 0
    assert await screen.download_credentials() is None  # once
    with db.session() as s:
        exported = s.exec(select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.entity == "user")).all()
    assert [e.new_value for e in exported] == ["credentials sheet: 3 new accounts"]


def test_the_command_line_writes_the_one_time_passwords_to_a_private_file(school, db_url, tmp_path):
    import subprocess
    import sys

    env = {"DATABASE_URL": db_url, "BBBMS_ENV": "test", "PATH": str(Path(sys.executable).parent)}
    accounts_file = tmp_path / "accounts.xlsx"
    accounts_file.write_bytes(xlsx(HEADERS_RU, ROWS[:2]))
    sheet = tmp_path / "slips.xlsx"
    cmd = [sys.executable, "-m", "bbbms_app", "import", "user", str(accounts_file), "--credentials", str(sheet)]
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert str(sheet) in out.stdout and (sheet.stat().st_mode & 0o777) == 0o600
    rows = list(openpyxl.load_workbook(sheet).active.values)
    assert [r[0] for r in rows[1:]] == ["ivanov.s", "usonova.ch"]
    with db.session() as s:
        stored = s.exec(select(User).where(User.username == "ivanov.s")).one()
    assert passwords.verify(stored.password_hash, rows[1][3])
