"""A real school's server: `init` (school + director with a one-time password), `prepare` (what
`make run` does first: unsafe production settings refused before any data is touched, the demo
never loaded in production, a backup before an upgrade) and `migrate-data` SQLite → PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import select

from bbbms_app import cli, db, demo, settings
from bbbms_app.i18n import t
from bbbms_app.models import School, Staff, User
from bbbms_app.services import backup, passwords

INIT = ["init", "--school-name", "№ 5 мектеп", "--okpo", "12345678", "--director", "Asanova"]
SAFE_PROD = {
    "BBBMS_ENV": "prod",
    "BBBMS_SECRET_KEY": "k" * 48,
    "BBBMS_PUBLIC_URL": "https://mektep.example.kg",
}


def test_init_creates_the_school_and_its_director(db_url, capsys):
    assert cli.main([*INIT, "--director-name", "Асанова Айгүл Бакытовна"]) == 0
    out = capsys.readouterr().out  # in Kyrgyz, the console's language unless told otherwise
    assert t("ops.cli.school_created", "ky", name="№ 5 мектеп", okpo="12345678") in out
    said = re.escape(t("ops.cli.one_time_password", "ky", password="").strip())
    password = re.search(said + r"\s+(\S+)", out).group(1)

    with db.session() as s:
        school = s.exec(select(School)).one()
        user = s.exec(select(User).where(User.username == "asanova")).one()
        staff = s.get(Staff, user.staff_id)
    assert (school.okpo, school.name_ky, school.name_ru) == ("12345678", "№ 5 мектеп", "№ 5 мектеп")
    assert user.role == "director" and user.school_id == school.id and user.must_change_password
    assert (staff.last_name, staff.first_name, staff.patronymic, staff.position) == (
        "Асанова",
        "Айгүл",
        "Бакытовна",
        "director",
    )
    assert passwords.verify(user.password_hash, password)
    assert password not in user.password_hash

    assert cli.main(INIT) == 2  # one first school only
    assert t("ops.cli.init_has_school", "ky") in capsys.readouterr().err
    assert cli.main(["--lang", "en", *INIT]) == 2
    assert "already holds a school" in capsys.readouterr().err


def test_a_refused_answer_at_the_questions_is_asked_again(db_url, capsys, monkeypatch):
    """`make run` with no school asks its questions at the terminal; a typo in the OKPO or the user
    name is said and asked again, not the end of the run after the last question (the walk of
    `BBBMS_DEMO=0 make run` found it). What the person typed is what `input` returns."""
    typed = iter(["№ 3 мектеп", "12ab", "director", "Асанова Айгүл", "12345678"])
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return next(typed)

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    assert cli.main(["init"]) == 0
    said = capsys.readouterr()
    assert asked == [
        f"{t(key, 'ky')}: "
        for key in (
            "ops.cli.ask.school_name",
            "ops.cli.ask.okpo",
            "ops.cli.ask.director",
            "ops.cli.ask.director_name",
            "ops.cli.ask.okpo",  # «12ab» refused: asked again
        )
    ]
    assert t("district.error.okpo", "ky") in said.err and "Traceback" not in said.err
    assert t("ops.cli.school_created", "ky", name="№ 3 мектеп", okpo="12345678") in said.out
    with db.session() as s:
        assert [x.okpo for x in s.exec(select(School)).all()] == ["12345678"]
        assert s.exec(select(User.username)).all() == ["director"]

    # A bad value given as a flag is still refused at once (a script sees exit 2, nothing is asked).
    flags = ["--school-name", "№ 4", "--okpo", "12ab", "--director", "d4", "--director-name", "Д Д"]
    assert cli.main(["init", "--add", *flags]) == 2
    assert "--okpo" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [("--okpo", "12ab", "--okpo"), ("--director", "x", "--director"), ("--school-name", " ", "--school-name")],
)
def test_init_names_the_bad_answer_and_writes_nothing(db_url, capsys, flag, value, named):
    args = list(INIT)
    args[args.index(flag) + 1] = value
    assert cli.main(args) == 2
    assert named in capsys.readouterr().err
    with db.session() as s:
        assert s.exec(select(School.id)).first() is None
        assert s.exec(select(User.id)).first() is None


def _run(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BBBMS_", "DATABASE_URL"))}
    env.update(PYTHONDONTWRITEBYTECODE="1", BBBMS_DATA_DIR=str(tmp_path / "data"), **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bbbms_app", *args],
        cwd=settings.ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_prod_with_unsafe_settings_is_refused_before_any_data_is_written(tmp_path):
    dbfile = tmp_path / "prod.db"
    done = _run(["prepare"], {"BBBMS_ENV": "prod", "DATABASE_URL": f"sqlite:///{dbfile}"}, tmp_path)
    assert done.returncode == 2
    assert "BBBMS_SECRET_KEY" in done.stderr
    assert not dbfile.exists()  # neither migrated nor demo-loaded


def test_prod_never_loads_the_demo_and_asks_for_init(tmp_path):
    dbfile = tmp_path / "prod.db"
    env = {**SAFE_PROD, "DATABASE_URL": f"sqlite:///{dbfile}"}
    (tmp_path / "data").mkdir(mode=0o700)
    tmp_path.chmod(0o700)

    done = _run(["prepare"], env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "bbbms_app init" in done.stderr
    assert _run(["demo"], env, tmp_path).returncode == 2

    url = f"sqlite:///{dbfile}"
    with db.engine(url).connect() as conn:
        assert backup.revision(conn) == backup.known_revisions()[-1]  # migrated, empty
        assert not backup.holds_data(conn)
    done = _run([*INIT, "--director-name", "Асанова Айгүл"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert _run(["prepare"], env, tmp_path).returncode == 0  # a school now: ready to serve
    with db.engine(url).connect() as conn:
        users = [r[0] for r in conn.execute(text('SELECT username FROM "user"'))]
    assert users == ["asanova"]  # no demo account with the public password
    db.dispose_all()


def test_prepare_on_a_fresh_checkout_makes_the_database_and_its_folder(tmp_path):
    """A fresh clone has no data/ folder: `make run`'s prepare failed there with «unable to open
    database file» (it looked at the database before migrate made the folder). Now it migrates into
    the new folder and, with no school and no one to ask, says how to create it."""
    dbfile = tmp_path / "fresh" / "data" / "bbbms.db"
    env = {"BBBMS_ENV": "dev", "BBBMS_DEMO": "0", "DATABASE_URL": f"sqlite:///{dbfile}"}
    done = _run(["prepare"], env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert "bbbms_app init" in done.stderr and "Traceback" not in done.stderr
    with db.engine(f"sqlite:///{dbfile}").connect() as conn:
        assert backup.revision(conn) == backup.known_revisions()[-1]  # migrated, empty
        assert not backup.holds_data(conn)
    done = _run([*INIT, "--director-name", "Асанова Айгүл"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert _run(["prepare"], env, tmp_path).returncode == 0
    db.dispose_all()


def test_make_run_on_a_real_school_lists_no_demo_accounts(tmp_path):
    """`init`, then `make run` as the README says (not in production, BBBMS_DEMO unset): prepare keeps
    the school and prints no demo accounts with the public password (the README walk found them)."""
    dbfile = tmp_path / "school.db"
    env = {"BBBMS_ENV": "dev", "DATABASE_URL": f"sqlite:///{dbfile}", "BBBMS_DEMO": "1"}
    (tmp_path / "data").mkdir(mode=0o700)
    assert _run([*INIT, "--director-name", "Асанова Айгүл"], env, tmp_path).returncode == 0
    done = _run(["prepare"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert demo.DEMO_PASSWORD not in done.stdout and "classteacher" not in done.stdout
    assert "демо жүктөлгөн жок" in done.stdout  # the school is kept, in Kyrgyz
    db.dispose_all()


def test_a_second_prepare_keeps_the_school_and_says_so_as_demo_if_empty_does(tmp_path):
    # Outside production the demo is wanted; a database that already holds a school keeps it, and
    # `prepare` answers in one process what `demo --if-empty` answers, without a second migration.
    dbfile = tmp_path / "school.db"
    env = {"BBBMS_ENV": "dev", "BBBMS_LANG": "en", "DATABASE_URL": f"sqlite:///{dbfile}"}
    (tmp_path / "data").mkdir(mode=0o700)
    assert _run(["migrate"], env, tmp_path).returncode == 0
    done = _run([*INIT, "--director-name", "Асанова Айгүл"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    done = _run(["prepare"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == _run(["demo", "--if-empty"], env, tmp_path).stdout
    assert "bbbms-demo" not in done.stdout  # no demo accounts to list for a real school
    with db.engine(f"sqlite:///{dbfile}").connect() as conn:
        users = [r[0] for r in conn.execute(text('SELECT username FROM "user"'))]
    assert users == ["asanova"]  # the demo was not loaded over the school
    db.dispose_all()


def test_prepare_backs_up_before_an_upgrade(tmp_path):
    from alembic.config import Config

    from alembic import command

    dbfile = tmp_path / "old.db"
    url = f"sqlite:///{dbfile}"
    cfg = Config(str(settings.ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(settings.ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["url"] = url
    chain = backup.known_revisions()
    command.upgrade(cfg, chain[-2])
    with db.engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO school (okpo, name_ky, name_ru, name_en, languages, address, created_at) "
                "VALUES ('30000003', 'Мектеп', 'Школа', '', 'ky', '', '2025-09-01 08:00:00')"
            )
        )
    db.dispose_all()
    env = {"DATABASE_URL": url, "BBBMS_DEMO": "0", "BBBMS_BACKUP_DIR": str(tmp_path / "backups")}
    env["BBBMS_LANG"] = "ru"  # what `BBBMS_LANG=ru make run` says at the console

    done = _run(["prepare"], env, tmp_path)

    assert done.returncode == 0, done.stderr
    assert t("ops.cli.upgrade_backup", "ru", old=chain[-2], new=chain[-1]) in done.stdout
    (made,) = backup.list_backups(tmp_path / "backups")
    assert made.good and made.schema == chain[-2]
    with db.engine(url).connect() as conn:
        assert backup.revision(conn) == chain[-1]
    db.dispose_all()


@pytest.fixture
def pg_target():
    """A new PostgreSQL database of this test's own (`<test db>_migrate_<pid>`), dropped afterwards;
    the process id keeps two runs on one server (two checkouts, a developer beside CI) apart."""
    base = make_url(
        os.environ.get("BBBMS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bbbms_test")
    ).set(drivername="postgresql+psycopg")
    name = f"{base.database}_migrate_{os.getpid()}"
    admin = db.make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # this fixture's own
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    yield base.set(database=name).render_as_string(hide_password=False)
    db.dispose_all()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrate_data_copies_every_table_to_postgresql_and_verifies(tmp_path, monkeypatch, pg_target, capsys):
    source = f"sqlite:///{tmp_path / 'school.db'}"
    cli.migrate(source)
    demo.generate(db.engine(source), pupils=40, seed=9)
    monkeypatch.setenv("DATABASE_URL", source)
    settings.reload()
    try:
        assert cli.main(["--lang", "ru", "migrate-data", "--to", pg_target.replace("+psycopg", "")]) == 0
        assert "хэши содержимого каждой таблицы совпадают" in capsys.readouterr().out

        with db.engine(source).connect() as a, db.engine(pg_target).connect() as b:
            want, got = backup.table_digests(a), backup.table_digests(b)
        assert got == want
        assert want["mark"]["rows"] > 100 and want["auditevent"]["rows"] > 0
        # The sequences follow the copied ids: the next row gets a fresh id.
        with db.session(pg_target, write=True) as s:
            s.add(School(okpo="40000004", name_ky="Жаңы", name_ru="Новая"))
        with db.engine(pg_target).connect() as b:
            assert b.execute(text("SELECT max(id) FROM school")).scalar() == want["school"]["rows"] + 1

        assert cli.main(["migrate-data", "--to", pg_target]) == 2  # the target holds data now
        assert "already holds data" in capsys.readouterr().err
    finally:
        monkeypatch.delenv("DATABASE_URL")
        settings.reload()
        db.dispose_all()
