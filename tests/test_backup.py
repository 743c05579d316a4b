"""Backups that restore (services/backup.py, `python -m bbbms_app backup/restore/restore-drill`).

Every test runs on the suite's database (SQLite, or PostgreSQL with BBBMS_TEST_DATABASE_URL) and
restores into a second, empty database of the same kind; the restored rows are compared with the
source by row counts and content hashes per table, and the private files by their bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bbbms_app import cli, db, demo, settings
from bbbms_app.i18n import t
from bbbms_app.services import backup
from tests.conftest import is_postgres

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _digests(url: str) -> dict:
    with db.engine(url).connect() as conn:
        return backup.table_digests(conn)


def _revision(url: str) -> str | None:
    with db.engine(url).connect() as conn:
        return backup.revision(conn)


@pytest.fixture
def data_dir(db_url, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("BBBMS_DATA_DIR", str(path))
    monkeypatch.setenv("BBBMS_BACKUP_DIR", str(tmp_path / "backups"))
    settings.reload()
    return path


@pytest.fixture
def loaded(db_url, data_dir) -> str:
    """A small demo school (every table of the journal filled) and two private scans."""
    demo.generate(db.engine(db_url), pupils=40, seed=3)
    from bbbms_app.services import private_files

    private_files.store("consents", 1, PDF)
    private_files.store("photos", 1, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    private_files.store("exports", 1, PDF)  # short-lived: not backed up
    return db_url


@pytest.fixture
def empty_target(tmp_path):
    """The URL of a new, empty database of the suite's kind (PostgreSQL: our own `<db>_restore`)."""
    if not is_postgres():
        (tmp_path / "restored").mkdir()  # a new database's folder (engines no longer make folders)
        yield f"sqlite:///{tmp_path / 'restored' / 'bbbms.db'}"
        return
    base = make_url(settings.get().database_url)
    name = f"{base.database}_restore"
    admin = db.make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # made here, by this fixture
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    url = base.set(database=name).render_as_string(hide_password=False)
    yield url
    db.dispose_all()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a backup, letting `change(name, data)` alter members; the manifest checksum is redone so
    the copy is a well-formed backup (as a newer release would write one)."""
    members = []
    with tarfile.open(src, "r:gz") as tar:
        for info in tar:
            members.append((info.name, tar.extractfile(info).read()))
    with tarfile.open(dst, "w:gz") as tar:
        body = None
        for name, data in members:
            data = hashlib.sha256(body).hexdigest().encode() if name == backup.CHECKSUM else change(name, data)
            if name == backup.MANIFEST:
                body = data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_backup_then_restore_is_identical(loaded, data_dir, empty_target, tmp_path):
    source = _digests(loaded)
    out = tmp_path / "one.backup.tar.gz"
    manifest = backup.create(out)

    assert manifest.schema == backup.known_revisions()[-1]
    assert manifest.tables == source
    # This year's 40 pupils and last year's graduates, kept as history.
    assert source["mark"]["rows"] > 100 and source["pupil"]["rows"] > 40
    # The two scans and the demo's own private files (the register's documents, course materials …);
    # never the short-lived export or staging folders.
    kinds = {p.split("/")[0] for p in manifest.files}
    assert {"consents", "photos"} <= kinds and not kinds & {"exports", "staging"}
    assert sorted(manifest.files) == [rel for rel, _path in backup.kept_files(data_dir)]
    assert Path(f"{out}.sha256").read_text().split()[0] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert backup.verify(out).tables == source

    restored_dir = tmp_path / "restored-data"
    result = backup.restore(out, url=empty_target, data_dir=restored_dir)

    assert _digests(empty_target) == source
    assert _revision(empty_target) == manifest.schema
    assert result.files == len(manifest.files) and result.migrated_from is None
    for rel, path in backup.kept_files(data_dir):
        assert (restored_dir / "private" / rel).read_bytes() == path.read_bytes()
    assert backup.file_digests(restored_dir) == backup.file_digests(data_dir)


def _flip_byte(path: Path, at: float) -> None:
    raw = bytearray(path.read_bytes())
    raw[int(len(raw) * at)] ^= 0x5A
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage", ["flipped byte", "cut short", "member changed"])
def test_damaged_backup_is_refused_and_the_live_data_untouched(loaded, data_dir, tmp_path, damage):
    out = tmp_path / "b.backup.tar.gz"
    backup.create(out)
    if damage == "flipped byte":
        _flip_byte(out, 0.5)
    elif damage == "cut short":
        out.write_bytes(out.read_bytes()[: out.stat().st_size * 2 // 3])
    else:
        bad = tmp_path / "changed.backup.tar.gz"
        # A scan altered inside an otherwise well-formed archive (the gzip and tar layers are fine).
        _rewrite(out, bad, lambda n, d: d + b"x" if n.startswith("files/consents") else d)
        out = bad
    before = _digests(loaded)
    files_before = backup.file_digests(data_dir)

    with pytest.raises(backup.BackupDamaged):
        backup.verify(out)
    with pytest.raises(backup.BackupError):
        backup.restore(out, replace=True)  # even told to replace, a damaged file writes nothing

    assert _digests(loaded) == before
    assert backup.file_digests(data_dir) == files_before
    assert cli.main(["restore", str(out), "--replace"]) == 2
    assert _digests(loaded) == before


def test_backup_of_a_newer_schema_is_refused(loaded, data_dir, tmp_path, empty_target, capsys):
    out = tmp_path / "b.backup.tar.gz"
    backup.create(out)
    newer = tmp_path / "newer.backup.tar.gz"

    def future(name, data):
        if name != backup.MANIFEST:
            return data
        m = json.loads(data)
        m["schema"] = "0099_from_the_future"
        return json.dumps(m).encode()

    _rewrite(out, newer, future)
    assert backup.verify(newer).schema == "0099_from_the_future"  # well formed, only newer
    with pytest.raises(backup.RestoreRefused, match="newer release"):
        backup.restore(newer, url=empty_target, data_dir=tmp_path / "elsewhere")
    # At the console, in the IT teacher's language: refused, why, and that nothing changed.
    head = backup.known_revisions()[-1]
    args = ["restore", str(newer), "--to", empty_target, "--data-dir", str(tmp_path / "elsewhere")]
    for lang, said_nothing in (("ru", "Ничего не изменено."), ("ky", "Эч нерсе өзгөргөн жок."), ("en", "Nothing")):
        capsys.readouterr()
        assert cli.main(["--lang", lang, *args]) == 2
        err = capsys.readouterr().err
        why = t("ops.err.newer_schema", lang, schema="0099_from_the_future", head=head)
        assert err.strip() == t("ops.cli.restore_refused", lang, detail=why) and said_nothing in err
    with db.engine(empty_target).connect() as conn:
        assert backup.revision(conn) is None and not backup.holds_data(conn)
    assert not (tmp_path / "elsewhere").exists()


def test_restore_refuses_a_target_that_holds_data(loaded, data_dir, tmp_path):
    out = tmp_path / "b.backup.tar.gz"
    backup.create(out)
    before = _digests(loaded)
    with pytest.raises(backup.RestoreRefused, match="already"):
        backup.restore(out)  # the live database itself
    assert _digests(loaded) == before


def test_replace_keeps_the_old_sqlite_file_beside(loaded, data_dir, tmp_path):
    """SQLite: --replace moves the live file aside, never deletes it. PostgreSQL: refused, a restore
    goes into a new database."""
    out = tmp_path / "b.backup.tar.gz"
    backup.create(out)
    source = _digests(loaded)
    with db.engine(loaded).begin() as conn:
        conn.execute(text("UPDATE pupil SET first_name = 'Changed' WHERE id = 1"))
    changed = _digests(loaded)
    assert changed != source
    if is_postgres():
        with pytest.raises(backup.RestoreRefused, match="new, empty database"):
            backup.restore(out, replace=True)
        assert _digests(loaded) == changed
        return

    result = backup.restore(out, replace=True)

    assert _digests(loaded) == source
    assert result.moved_aside is not None and result.moved_aside.exists()
    assert _digests(f"sqlite:///{result.moved_aside}") == changed


def test_older_schema_is_migrated_forward(db_url, data_dir, empty_target, tmp_path, monkeypatch):
    """A backup of a database one migration behind restores and ends at this release's head."""
    from alembic.config import Config

    from alembic import command

    chain = backup.known_revisions()
    if is_postgres():
        old_url = empty_target  # made at the older revision; restored into a second database below
        target = None
    else:
        old_url = f"sqlite:///{tmp_path / 'old.db'}"
        target = f"sqlite:///{tmp_path / 'new' / 'bbbms.db'}"
    cfg = Config(str(settings.ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(settings.ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    cfg.attributes["url"] = old_url
    command.upgrade(cfg, chain[-2])
    with db.engine(old_url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO school (okpo, name_ky, name_ru, name_en, languages, address, created_at) "
                "VALUES ('20000002', 'Эски мектеп', 'Старая школа', 'Old school', 'ky', '', :t)"
            ),
            {"t": dt.datetime(2025, 9, 1, 8, tzinfo=dt.UTC)},
        )
    out = tmp_path / "old.backup.tar.gz"
    manifest = backup.create(out, url=old_url)
    assert manifest.schema == chain[-2]
    if target is None:
        db.dispose_all()
        with db.engine(old_url).begin() as conn:  # the source is no longer needed: empty it again
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        target = old_url

    result = backup.restore(out, url=target, data_dir=tmp_path / "d")

    assert result.migrated_from == chain[-2] and result.migrated_to == chain[-1]
    assert _revision(target) == chain[-1]
    with db.engine(target).connect() as conn:
        assert conn.execute(text("SELECT name_ru FROM school")).scalar_one() == "Старая школа"


def test_backup_taken_while_the_app_writes(loaded, data_dir, empty_target, tmp_path):
    """Audit events are written without pause during the backup: the file is still one moment —
    its manifest's figures are exactly what restores — and lies between the counts before and after."""
    from bbbms_app.services import audit

    stop = threading.Event()
    written = [0]

    def writer():
        while not stop.is_set():
            with db.session(write=True) as s:
                audit.record(s, None, "update", "pupil", entity_id=1, reason=f"write {written[0]}")
            written[0] += 1

    count = "SELECT count(*) FROM auditevent"
    with db.engine(loaded).connect() as conn:
        before = conn.execute(text(count)).scalar_one()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.3)
        out = tmp_path / "busy.backup.tar.gz"
        manifest = backup.create(out)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    with db.engine(loaded).connect() as conn:
        after = conn.execute(text(count)).scalar_one()
    assert written[0] > 5
    assert before < manifest.tables["auditevent"]["rows"] < after

    backup.restore(out, url=empty_target, data_dir=tmp_path / "r")
    assert _digests(empty_target) == manifest.tables


def test_restore_drill_reports_good_and_not_good(loaded, data_dir, tmp_path, capsys, monkeypatch):
    folder = settings.ops().backup_dir
    assert backup.drill().good is False  # no backup yet
    run = backup.run(now=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC))
    assert run.path.parent == folder

    good = backup.drill()
    assert good.good, good.message
    assert good.rows == run.manifest.rows and good.files == len(run.manifest.files) >= 2
    assert backup.list_backups(folder)[0].drill == "good"
    capsys.readouterr()
    assert cli.main(["restore-drill"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Калыбына келтирүүнү текшерүү {run.path.name}: жарактуу — {good.rows} сап жана ")

    _flip_byte(run.path, 0.3)
    bad = backup.drill()
    assert not bad.good and "NOT good" in bad.message
    assert backup.list_backups(folder)[0].drill == "failed"
    assert bad.error is not None and bad.error.key is not None  # a refusal the catalog says
    capsys.readouterr()
    monkeypatch.setenv("BBBMS_LANG", "ru")  # the language from the environment when no --lang
    assert cli.main(["restore-drill"]) == 1
    said = capsys.readouterr().out
    assert said.startswith(f"Проверка восстановления {run.path.name}: копия НЕ годна — ")
    assert bad.error.say("ru") in said


def test_a_backup_being_checked_is_not_listed_as_damaged(loaded, data_dir, monkeypatch):
    """The file is in place before it is read back and recorded: the backups screen, refreshed in
    between, called it «damaged» with 0 rows (the browser run on SQLite caught it). A file with no
    record is left out while young, listed as not good once old (a run that died checking it); one
    that fails its check is recorded as damaged at once."""
    folder = settings.ops().backup_dir
    run = backup.run(now=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC))
    side = run.path.with_name(run.path.name + ".json")
    recorded = side.read_bytes()
    side.unlink()  # as between the rename into place and the record
    assert backup.list_backups(folder) == []
    hours_ago = time.time() - 2 * 3600
    os.utime(run.path, (hours_ago, hours_ago))
    [left] = backup.list_backups(folder)
    assert left.path == run.path and not left.good and left.rows == 0
    side.write_bytes(recorded)
    assert backup.list_backups(folder)[0].good

    def damaged(path, **_kw):
        raise backup.BackupDamaged("the file is damaged or cut short (test)", "ops.err.cut_short", kind="test")

    monkeypatch.setattr(backup, "verify", damaged)
    with pytest.raises(backup.BackupDamaged):
        backup.run(now=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))
    newest = backup.list_backups(folder)[0]
    assert newest.created_at.day == 2 and not newest.good and newest.rows > 0


def test_keep_n_and_the_second_folder(loaded, data_dir, tmp_path):
    second = tmp_path / "usb"
    start = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    for day in range(4):
        backup.run(now=start + dt.timedelta(days=day), keep=2, copy_to=second)
    for folder in (settings.ops().backup_dir, second):
        kept = backup.list_backups(folder)
        assert [b.created_at.day for b in kept] == [4, 3]
        assert all(b.good for b in kept)
    copy = backup.list_backups(second)[0].path
    assert backup.verify(copy).tables == _digests(loaded)
    assert backup.last_good().created_at == start + dt.timedelta(days=3)


def test_cli_backup_and_restore(loaded, data_dir, empty_target, tmp_path, capsys):
    out = tmp_path / "cli.backup.tar.gz"
    assert cli.main(["backup", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    m = backup.verify(out)  # the console speaks Kyrgyz unless told otherwise
    size = backup.human_size(out.stat().st_size)
    assert said.strip() == t(
        "ops.cli.backup_done", "ky", path=out, size=size, schema=m.schema, rows=m.rows, tables=len(m.tables),
        files=len(m.files),
    )  # fmt: skip
    assert str(m.rows) in said and "сап" in said
    assert cli.main(["restore", str(out), "--to", empty_target, "--data-dir", str(tmp_path / "r")]) == 0
    assert _digests(empty_target) == _digests(loaded)
    with tarfile.open(out, "r:gz") as tar:  # a plain gzip'd tar any admin can list
        assert tar.getnames()[0] == ("database.pgdump" if is_postgres() else "database.sqlite")
