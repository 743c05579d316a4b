"""The command line as a school's IT teacher meets it with bad input (issue 11, items 14–16).

No raw traceback for a missing file, a folder, an unknown school, a missing output folder or a
negative count; the one-time passwords of an import are never lost; a wrong or unmigrated
DATABASE_URL is refused instead of becoming an empty file; every message is in one language;
personal data and password slips are written 0600, slips into the private data folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine
from sqlmodel import func, select

from bbbms_app import cli, db, settings
from bbbms_app.i18n import t
from bbbms_app.models import AuditEvent, School, User
from tests.test_admin_import import KY_HEADERS, xlsx
from tests.test_user_import import HEADERS_RU, ROWS

ROOT = Path(__file__).resolve().parent.parent
PURPOSE = "subject access request of the family"
PASSWORD = "Tash-Kumyr-2025-long"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Iterator[Path]:
    path = tmp_path / "data"
    with monkeypatch.context() as patched:
        patched.setenv("BBBMS_DATA_DIR", str(path))
        settings.reload()
        yield path
    settings.reload()  # the next test reads the folder it is given, not this one


def _env(db_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "BBBMS_ENV": "test",
        "BBBMS_DATA_DIR": str(data_dir),
        "PATH": str(Path(sys.executable).parent),
        **extra,
    }


def _run(args: list[str], env: dict[str, str], cwd: Path = ROOT, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bbbms_app", *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True
    )


def _count(model, *where) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# ------------------------------------------------------------------ 14: no raw tracebacks


def test_bad_input_gets_a_translated_line_never_a_traceback(school, db_url, data_dir, tmp_path):
    env = _env(db_url, data_dir)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    missing = tmp_path / "no-such-folder"
    cases = [
        (
            ["import", "pupil", str(tmp_path / "missing.xlsx")],
            "",
            t("cli.error.no_file", path=tmp_path / "missing.xlsx"),
        ),
        (["import", "pupil", str(folder)], "", t("cli.error.not_a_file", path=folder)),
        (["user", "create", "--username", "new.teacher", "--role", "teacher", "--school", "999"], PASSWORD, "999"),
        (
            [
                "export-person",
                "--pupil",
                str(school.pupils_5a[0]),
                "--out",
                str(missing / "p.json"),
                "--purpose",
                PURPOSE,
            ],
            "",
            t("cli.error.no_folder", path=missing),
        ),
        (["demo", "--pupils", "-5"], "", t("cli.error.positive", option="--pupils", value=-5)),
    ]
    for args, stdin, expected in cases:
        out = _run(args, env, stdin=stdin)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "Traceback" not in out.stderr and expected in out.stderr, (args, out.stderr)
    assert _count(User, User.username == "new.teacher") == 0
    assert _count(AuditEvent, AuditEvent.action == "export") == 0  # no export recorded without its file
    assert not missing.exists()


def test_an_unexpected_error_is_one_line_with_a_reference(school, db_url, data_dir, monkeypatch, capsys):
    from bbbms_app.services import stats

    def broken(_session):
        raise RuntimeError("secret detail 10102201300044")

    monkeypatch.setattr(stats, "counts", broken)
    assert cli.main(["stats"]) == 1
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "10102201300044" not in err and "Traceback" not in err
    assert err.startswith("Күтүлбөгөн ката")


def test_credentials_to_a_missing_folder_save_no_account(school, db_url, data_dir, tmp_path):
    accounts_file = tmp_path / "accounts.xlsx"
    accounts_file.write_bytes(xlsx(HEADERS_RU, ROWS[:2]))
    before = _count(User)
    out = _run(
        ["import", "user", str(accounts_file), "--credentials", str(tmp_path / "nowhere" / "slips.xlsx")],
        _env(db_url, data_dir),
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert t("cli.error.no_folder", path=tmp_path / "nowhere") in out.stderr
    assert _count(User) == before


def test_a_slip_that_cannot_be_written_leaves_no_account(school, db_url, data_dir, tmp_path, monkeypatch, capsys):
    """The slip is written inside the accounts' transaction: failing to write it rolls them back."""
    accounts_file = tmp_path / "accounts.xlsx"
    accounts_file.write_bytes(xlsx(HEADERS_RU, ROWS[:2]))
    before = _count(User)

    def disk_full(path: Path, _data: bytes) -> None:
        raise cli.CliError("cli.error.cannot_write", path=str(path))

    monkeypatch.setattr(cli, "write_private", disk_full)
    assert cli.main(["import", "user", str(accounts_file), "--credentials", str(tmp_path / "slips.xlsx")]) == 2
    assert t("cli.error.cannot_write", path=tmp_path / "slips.xlsx") in capsys.readouterr().err
    assert _count(User) == before


# ------------------------------------------------------------------ 15: the database and clear refusals


def test_a_wrong_database_url_is_refused_and_nothing_is_created(db_url, data_dir, tmp_path):
    nowhere = tmp_path / "typo" / "bbbms.db"
    out = _run(["stats"], _env(f"sqlite:///{nowhere}", data_dir))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert t("cli.error.no_database", path=nowhere) in out.stderr
    assert not nowhere.parent.exists()


def test_an_unmigrated_database_is_refused(db_url, data_dir, tmp_path):
    empty = tmp_path / "empty.db"
    create_engine(f"sqlite:///{empty}").connect().close()  # an SQLite file with no table
    out = _run(["--lang", "ru", "stats"], _env(f"sqlite:///{empty}", data_dir))
    assert out.returncode == 2 and "no such table" not in out.stderr
    assert t("cli.error.not_migrated", "ru", url=f"sqlite:///{empty}") in out.stderr


def test_an_old_database_is_refused_until_migrated(db_url, data_dir, tmp_path):
    from alembic import command

    old = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(cli._alembic_config(old), "0001")
    out = _run(["--lang", "en", "stats"], _env(old, data_dir))
    assert out.returncode == 2 and "is at 0001" in out.stderr and "migrate" in out.stderr
    assert _run(["migrate"], _env(old, data_dir)).returncode == 0
    assert _run(["stats"], _env(old, data_dir)).returncode == 0


def test_user_create_names_what_is_wrong(school, db_url, data_dir, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Lines(PASSWORD))

    def create(*args: str) -> tuple[int, str]:
        code = cli.main(["user", "create", *args])
        captured = capsys.readouterr()
        return code, captured.err + captured.out

    code, said = create("--username", "bad user!", "--role", "teacher")
    assert code == 2 and said.strip() == t("cli.error.username_format", username="bad user!")
    code, said = create("--username", school.users["teacher"], "--role", "teacher")
    assert code == 2 and said.strip() == t("cli.error.username_taken", username=school.users["teacher"])
    code, said = create("--username", "new.teacher", "--role", "teacher", "--school", "999")
    assert code == 2 and said.strip() == t("cli.error.no_school", id=999)
    # With one school a teacher belongs to it; with several he must be told which.
    code, said = create("--username", "new.teacher", "--role", "teacher")
    assert code == 0, said
    with db.session() as s:
        assert s.exec(select(User.school_id).where(User.username == "new.teacher")).one() == school.school_id
        s.add(School(okpo="10000002", name_ky="№ 2 мектеп", name_ru="Школа № 2", name_en="School No. 2"))
    code, said = create("--username", "second.teacher", "--role", "teacher")
    assert code == 2 and said.strip() == t("cli.error.school_required", role=t("role.teacher"))
    assert _count(User, User.username == "second.teacher") == 0
    code, said = create("--username", "district.admin", "--role", "administrator")
    assert code == 0, said


class _Lines:
    """A non-interactive stdin that answers every password prompt with the same line."""

    def __init__(self, line: str) -> None:
        self.line = line

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.line + "\n"


def test_import_with_no_school_says_so(db_url, data_dir, tmp_path, capsys):
    path = tmp_path / "pupils.xlsx"
    path.write_bytes(xlsx(KY_HEADERS, []))
    assert cli.main(["import", "pupil", str(path)]) == 2
    assert capsys.readouterr().err.strip() == t("cli.error.no_schools")


def test_export_of_an_unknown_school_fails(school, db_url, data_dir, tmp_path, capsys):
    out = tmp_path / "classes.xlsx"
    assert cli.main(["export", "class", "--out", str(out), "--school", "999"]) == 2
    assert capsys.readouterr().err.strip() == t("cli.error.no_school", id=999)
    assert not out.exists()


@pytest.mark.parametrize(
    ("lang", "row", "one_error", "allowed", "foreign"),
    [
        ("ky", "2-сап", "1 ката", "Эркек, Аял", ("row ", "строка", "error")),
        ("ru", "строка 2", "1 ошибка", "Муж., Жен.", ("row ", "сап", "error", "ката")),
        ("en", "row 2", "1 error ", "Male, Female", ("сап", "строка", "errors", "ката", "ошиб")),
    ],
)
def test_import_errors_name_the_sheet_row_and_the_allowed_values(
    school, db_url, data_dir, tmp_path, lang, row, one_error, allowed, foreign
):
    path = tmp_path / "pupils.csv"
    path.write_text(",".join(KY_HEADERS) + "\n10102201500044,Асанова,Айгүл,,01.02.2015,Кыз,,5-А\n", encoding="utf-8")
    out = _run(["import", "pupil", str(path)], _env(db_url, data_dir, BBBMS_LANG=lang))
    assert out.returncode == 1
    text = out.stderr.replace("«Кыз»", "")  # the refused value is quoted as it was typed
    assert row in text and one_error in text and allowed in text, text
    assert not any(word in text for word in foreign), text


# ------------------------------------------------------------------ 16: files with personal data


def test_personal_exports_are_written_for_the_owner_only(school, db_url, data_dir, tmp_path):
    env = _env(db_url, data_dir)
    person = tmp_path / "person.json"
    pupils_xlsx = tmp_path / "pupils.xlsx"
    pupils_csv = tmp_path / "pupils.csv"
    pid = str(school.pupils_5a[0])
    assert _run(["export-person", "--pupil", pid, "--out", str(person), "--purpose", PURPOSE], env).returncode == 0
    for out in (pupils_xlsx, pupils_csv):
        run = _run(["export", "pupil", "--out", str(out), "--purpose", PURPOSE], env)
        assert run.returncode == 0, run.stderr
    assert [_mode(p) for p in (person, pupils_xlsx, pupils_csv)] == [0o600] * 3
    # An existing world-readable file is narrowed too, not only a new one.
    pupils_csv.chmod(0o644)
    assert _run(["export", "pupil", "--out", str(pupils_csv), "--purpose", PURPOSE], env).returncode == 0
    assert _mode(pupils_csv) == 0o600


def test_the_slip_goes_to_the_private_folder_not_the_current_one(school, db_url, data_dir, tmp_path):
    here = tmp_path / "where-the-teacher-stands"
    here.mkdir()
    accounts_file = here / "accounts.xlsx"
    accounts_file.write_bytes(xlsx(HEADERS_RU, ROWS[:2]))
    out = _run(["import", "user", str(accounts_file)], _env(db_url, data_dir, PYTHONPATH=str(ROOT)), cwd=here)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in here.iterdir()) == ["accounts.xlsx"]
    [slip] = (data_dir / "private" / "credentials").iterdir()
    assert str(slip) in out.stdout and slip.name.startswith("credentials-")
    assert _mode(slip) == 0o600 and _mode(slip.parent) == 0o700 and _mode(slip.parent.parent) == 0o700
    rows = list(openpyxl.load_workbook(slip).active.values)
    assert [r[0] for r in rows[1:]] == ["ivanov.s", "usonova.ch"]


def test_git_ignores_slips_and_exports(tmp_path):
    names = ["credentials-20261202-101500.xlsx", "credentials-20261202-101500.csv", "data/private/credentials/x.xlsx"]
    out = subprocess.run(["git", "check-ignore", *names], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == names


def test_python_m_bbbms_app_works_from_any_folder(tmp_path):
    """`make install` links the checkout into the venv, so the command runs from any folder."""
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The new venv borrows the installed requirements of the test's own venv.
    Path(purelib, "requirements.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": os.environ["PATH"], "BBBMS_ENV": "test", "HOME": str(tmp_path)}
    before = subprocess.run([str(python), "-m", "bbbms_app", "--help"], cwd=elsewhere, env=env, capture_output=True)
    assert before.returncode != 0  # not linked yet: the package is not found outside the checkout
    subprocess.run(["make", "-s", "link", f"PY={python}"], cwd=ROOT, check=True)
    after = subprocess.run(
        [str(python), "-m", "bbbms_app", "--help"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert after.returncode == 0 and "usage: python -m bbbms_app" in after.stdout, after.stderr


def test_tests_never_write_into_the_real_data_folder():
    assert not settings.reload().data_dir.resolve().is_relative_to(ROOT)


def test_files_made_for_download_are_the_owners_only(school, db_url, data_dir):
    """Journal exports, list exports and import reports wait in the private folder, owner-only."""
    from bbbms_app.services.engine import downloads

    _token, path = downloads.new_file("xlsx")
    path.write_bytes(b"marks of a class")
    assert _mode(path) == 0o600 and path.parent == data_dir / "private" / "downloads"
