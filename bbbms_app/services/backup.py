"""Backups that restore: one checked file of the live database and the private files, and its restore.

A backup is a gzip'd tar (`bbbms-<UTC time>.backup.tar.gz`) holding, in this order:

- `database.sqlite` — a consistent copy made by SQLite's `VACUUM INTO` while the app runs (never a
  file copy of a database in WAL mode), or `database.pgdump` — `pg_dump -Fc` of PostgreSQL, run on a
  snapshot exported from a REPEATABLE READ transaction, so the dump and the manifest's figures are of
  one and the same moment even while teachers are saving marks;
- `files/<kind>/…` — the private files that are kept (consent scans, photos, documents); the
  short-lived ones (exports, staged uploads, downloads, the job queue) are left out;
- `manifest.json` — format, time, the Alembic revision, per table its row count and a SHA-256 of its
  rows in primary-key order (the same figure on SQLite and PostgreSQL), per member its size and
  SHA-256; then `manifest.sha256`, the checksum of the manifest itself.

`verify()` reads the whole file once and refuses it on any mismatch. `restore()` verifies first and
refuses a damaged file, a backup of a newer schema or a target that already holds data before
anything is written; it restores into an empty database, migrates an older schema forward and
checks the restored rows against the manifest. `drill()` restores the newest good backup into a
scratch database and a scratch folder and says whether it came back whole.

A backup written to a folder gets a sidecar `<name>.json` (summary, «verified») once it has been read
back and checked: only such a backup counts as good for the list, the dashboard and /health.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import URL, Connection, make_url

from bbbms_app import db, settings

FORMAT = "bbbms-backup/1"
SUFFIX = ".backup.tar.gz"
NAME = re.compile(r"^bbbms-(\d{8}-\d{6})(?:-[0-9a-f]{4})?\.backup\.tar\.gz$")
# Private folders that hold only short-lived files (swept within a day) or the queue: not backed up.
EPHEMERAL = frozenset({"exports", "staging", "downloads", "jobs"})
MANIFEST = "manifest.json"
CHECKSUM = "manifest.sha256"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that could not be made (pg_dump missing or too old, disk full…). The English text is
    for the log; `key`/`params`, when given, name the catalog message the operator reads (`say`)."""

    def __init__(self, message: str, key: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params

    def say(self, lang: str | None) -> str:
        """In the operator's language when the refusal has a catalog message, else as written."""
        from bbbms_app.i18n import t

        return t(self.key, lang, **self.params) if self.key else str(self)


class BackupDamaged(BackupError):
    """A backup file that is not whole: a member missing, changed or cut short."""


class RestoreRefused(BackupError):
    """A restore that would not be safe: nothing was written."""


# --- table figures: the same on SQLite and PostgreSQL ---------------------------------------------


def _canon(value: object) -> object:
    """A value as JSON that reads the same from both databases (timestamps in UTC, no time zone)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _tables():
    from sqlmodel import SQLModel

    import bbbms_app.models  # noqa: F401 - registers every table

    return SQLModel.metadata.sorted_tables


def table_digests(conn: Connection) -> dict[str, dict[str, object]]:
    """Per table: its row count and the SHA-256 of its rows in primary-key order, as canonical JSON."""
    insp = inspect(conn)
    present = set(insp.get_table_names())
    out: dict[str, dict[str, object]] = {}
    for table in _tables():
        if table.name not in present:
            continue
        # The columns the database has: a backup of an older schema lacks some the models have now.
        names = {c["name"] for c in insp.get_columns(table.name)}
        columns = [c for c in table.columns if c.name in names]
        order = [c for c in table.primary_key.columns if c.name in names] or columns
        h = hashlib.sha256()
        rows = 0
        result = conn.execution_options(yield_per=2000).execute(select(*columns).order_by(*order))
        for row in result:
            h.update(json.dumps([_canon(v) for v in row], ensure_ascii=False, default=str).encode())
            h.update(b"\n")
            rows += 1
        out[table.name] = {"rows": rows, "sha256": h.hexdigest()}
    return out


def revision(conn: Connection) -> str | None:
    """The database's Alembic revision (None for a database never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return rows[0] if len(rows) == 1 else ",".join(sorted(rows)) or None


def known_revisions() -> list[str]:
    """This release's Alembic revisions, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    root = settings.ROOT
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "alembic"))
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]


def holds_data(conn: Connection) -> bool:
    """True when any of the app's tables has a row."""
    present = set(inspect(conn).get_table_names())
    return any(
        conn.execute(text(f'SELECT 1 FROM "{t.name}" LIMIT 1')).first() is not None  # noqa: S608 - model names
        for t in _tables()
        if t.name in present
    )


# --- private files ----------------------------------------------------------------------------------


def private_root(data_dir: Path | None = None) -> Path:
    return (data_dir or settings.get().data_dir) / "private"


def kept_files(data_dir: Path | None = None) -> Iterator[tuple[str, Path]]:
    """(path relative to private/, file) of every private file a backup keeps, in name order."""
    root = private_root(data_dir)
    if not root.is_dir():
        return
    for kind in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in EPHEMERAL):
        for path in sorted(kind.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(root).as_posix(), path


def file_digests(data_dir: Path | None = None) -> dict[str, dict[str, object]]:
    out = {}
    for rel, path in kept_files(data_dir):
        data = path.read_bytes()
        out[rel] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return out


# --- PostgreSQL tools ---------------------------------------------------------------------------------


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq options for pg_dump/pg_restore; the password goes in the environment, never argv."""
    args = [f"--dbname={url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool_major(tool: str) -> int:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    m = re.search(r"(\d+)(?:\.\d+)?", out)
    if not m:
        raise BackupError(f"cannot read the version of {tool}: {out.strip()!r}")
    return int(m.group(1))


def check_pg_tools(conn: Connection, tool: str = "pg_dump") -> str:
    """Refuse a missing pg_dump/pg_restore or one older than the server (it cannot read newer servers)."""
    server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    major = _tool_major(tool)
    if major < server:
        raise BackupError(
            f"{tool} {major} is older than the PostgreSQL server {server}: install postgresql-client-{server}"
        )
    return f"{tool} {major}, server {server}"


# --- making a backup ----------------------------------------------------------------------------------


@dataclass
class Manifest:
    """What a backup holds, as written in its manifest.json."""

    created_at: str
    dialect: str
    schema: str | None
    tables: dict[str, dict[str, object]]
    files: dict[str, dict[str, object]]
    members: dict[str, dict[str, object]] = field(default_factory=dict)
    format: str = FORMAT
    tool: str = ""

    @property
    def rows(self) -> int:
        return sum(int(t["rows"]) for t in self.tables.values())  # type: ignore[call-overload]

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            fmt = raw.get("format") if isinstance(raw, dict) else None
            raise RestoreRefused(f"unknown backup format {fmt!r}: a newer BBBMS made it; upgrade BBBMS first")
        keys = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in raw.items() if k in keys})


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _snapshot_sqlite(url: URL, dest: Path) -> tuple[dict, str | None]:
    """VACUUM INTO: a consistent, compact copy taken inside one read transaction of the live file."""
    src = sqlite3.connect(url.database or "", timeout=30)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.execute("VACUUM INTO ?", (str(dest),))
    finally:
        src.close()
    eng = create_engine(f"sqlite:///{dest}")
    try:
        with eng.connect() as conn:
            return table_digests(conn), revision(conn)
    finally:
        eng.dispose()


def _snapshot_postgres(url_text: str, dest: Path) -> tuple[dict, str | None, str]:
    """pg_dump -Fc on a snapshot exported from our own REPEATABLE READ transaction: the dump and the
    figures computed here in that transaction see exactly the same rows."""
    url = make_url(url_text)
    eng = db.engine(url_text)
    with eng.connect() as raw:
        conn = raw.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            tool = check_pg_tools(conn, "pg_dump")
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            args, env = _pg_args(url)
            cmd = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={dest}", *args]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
            return table_digests(conn), revision(conn), tool


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _private_tmp(folder: Path, prefix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f".{prefix}-{secrets.token_hex(6)}.tmp"


def create(
    out: Path,
    *,
    url: str | None = None,
    data_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> Manifest:
    """Write one backup file of the database at `url` and the private files to `out`.

    The file appears under its name only once complete (written beside it, then renamed); a
    `<out>.sha256` in `sha256sum` format lets anyone check a copy (`sha256sum -c`)."""
    url = url or settings.get().database_url
    parsed = make_url(url)
    now = now or dt.datetime.now(dt.UTC)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tool = ""
    with tempfile.TemporaryDirectory(prefix="bbbms-backup-", dir=out.parent) as tmp:
        if parsed.get_backend_name() == "sqlite":
            member = "database.sqlite"
            snap = Path(tmp) / member
            tables, schema = _snapshot_sqlite(parsed, snap)
            dialect = "sqlite"
        elif parsed.get_backend_name() == "postgresql":
            member = "database.pgdump"
            snap = Path(tmp) / member
            tables, schema, tool = _snapshot_postgres(url, snap)
            dialect = "postgresql"
        else:
            raise BackupError(f"cannot back up a {parsed.get_backend_name()} database")
        manifest = Manifest(
            created_at=now.astimezone(dt.UTC).isoformat(timespec="seconds"),
            dialect=dialect,
            schema=schema,
            tables=tables,
            files={},
            tool=tool,
        )
        manifest.members[member] = {"size": snap.stat().st_size, "sha256": _hash_file(snap)}
        partial = _private_tmp(out.parent, out.name)
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                tar.add(snap, arcname=member)
                # Read each file once into memory: what is hashed is exactly what is archived.
                for rel, path in kept_files(data_dir):
                    try:
                        data = path.read_bytes()
                    except FileNotFoundError:
                        continue  # removed while we were copying; the database copy is older anyway
                    digest = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                    manifest.files[rel] = digest
                    manifest.members[f"files/{rel}"] = digest
                    _add_bytes(tar, f"files/{rel}", data, path.stat().st_mtime)
                body = manifest.to_json()
                _add_bytes(tar, MANIFEST, body, now.timestamp())
                _add_bytes(tar, CHECKSUM, hashlib.sha256(body).hexdigest().encode() + b"\n", now.timestamp())
            with partial.open("rb") as f:
                os.fsync(f.fileno())
            partial.chmod(0o600)
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    side = Path(f"{out}.sha256")
    side.write_text(f"{_hash_file(out)}  {out.name}\n")
    side.chmod(0o600)
    return manifest


# --- reading a backup ---------------------------------------------------------------------------------


def verify(path: Path, *, extract_to: Path | None = None) -> Manifest:
    """Read the whole backup once and check every member against the manifest and the manifest
    against its checksum; BackupDamaged on any difference. With `extract_to`, members are also
    written there (only trust them once this returns)."""
    path = Path(path)
    seen: dict[str, dict[str, object]] = {}
    body = checksum = None
    try:
        with tarfile.open(path, "r|gz") as tar:
            for info in tar:
                if not info.isfile() or info.name.startswith("/") or ".." in Path(info.name).parts:
                    raise BackupDamaged(f"unexpected member {info.name!r}")
                f = tar.extractfile(info)
                assert f is not None
                if info.name in (MANIFEST, CHECKSUM):
                    data = f.read()
                    if info.name == MANIFEST:
                        body = data
                    else:
                        checksum = data.decode("ascii", "replace").strip()
                    continue
                h = hashlib.sha256()
                size = 0
                target = None
                if extract_to is not None:
                    dest = extract_to / info.name
                    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    target = dest.open("wb")
                try:
                    while chunk := f.read(CHUNK):
                        h.update(chunk)
                        size += len(chunk)
                        if target is not None:
                            target.write(chunk)
                finally:
                    if target is not None:
                        target.close()
                seen[info.name] = {"size": size, "sha256": h.hexdigest()}
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupDamaged(f"no such file: {path}", "ops.err.no_file", path=path) from exc
        raise BackupDamaged(
            f"the file is damaged or cut short ({type(exc).__name__}: {exc})",
            "ops.err.cut_short",
            kind=type(exc).__name__,
        ) from exc
    if body is None or checksum is None:
        raise BackupDamaged("the manifest or its checksum is missing", "ops.err.no_manifest")
    if hashlib.sha256(body).hexdigest() != checksum:
        raise BackupDamaged("the manifest does not match its checksum", "ops.err.checksum")
    manifest = Manifest.from_json(body)
    for name, want in manifest.members.items():
        got = seen.get(name)
        if got is None:
            raise BackupDamaged(f"{name} is missing", "ops.err.member_missing", name=name)
        if got != want:
            raise BackupDamaged(f"{name} differs from the manifest (damaged)", "ops.err.member_differs", name=name)
    extra = set(seen) - set(manifest.members)
    if extra:
        raise BackupDamaged(f"members not in the manifest: {sorted(extra)[:3]}")
    return manifest


# --- restoring ---------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: Manifest
    url: str
    migrated_from: str | None
    migrated_to: str | None
    files: int
    moved_aside: Path | None = None


def _check_schema(manifest: Manifest) -> list[str]:
    chain = known_revisions()
    if manifest.schema is None or manifest.schema not in chain:
        raise RestoreRefused(
            f"the backup's database schema {manifest.schema!r} is unknown to this BBBMS "
            f"(newest known: {chain[-1]}): it was made by a newer release; upgrade BBBMS first",
            "ops.err.newer_schema",
            schema=manifest.schema,
            head=chain[-1],
        )
    return chain


def _compare(manifest: Manifest, got: dict[str, dict[str, object]]) -> None:
    for name, want in manifest.tables.items():
        if got.get(name) != want:
            raise BackupError(f"table {name}: restored {got.get(name)} but the backup recorded {want}")


def _plan_files(manifest: Manifest, data_dir: Path | None) -> list[str]:
    """The files to write; refuses when a file of the same name but other content is already there."""
    root = private_root(data_dir)
    todo = []
    for rel, want in sorted(manifest.files.items()):
        dest = root / rel
        if dest.exists():
            if _hash_file(dest) != want["sha256"]:
                raise RestoreRefused(f"private file {rel} exists with other content: restore into an empty data folder")
            continue
        todo.append(rel)
    return todo


def _put_files(extracted: Path, todo: list[str], data_dir: Path | None) -> None:
    root = private_root(data_dir)
    for rel in todo:
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = dest.with_name(f".{dest.name}.restore")
        shutil.copyfile(extracted / "files" / rel, tmp)
        tmp.chmod(0o600)
        os.replace(tmp, dest)


def _sqlite_target_state(path: Path) -> bool:
    """True when the SQLite file at `path` holds any data."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    eng = create_engine(f"sqlite:///{path}")
    try:
        with eng.connect() as conn:
            return holds_data(conn)
    finally:
        eng.dispose()


def restore(
    path: Path,
    *,
    url: str | None = None,
    data_dir: Path | None = None,
    replace: bool = False,
    migrate: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Restore a backup into the database at `url` (default: the configured one) and the data folder.

    Refused, with nothing written, when the file is damaged, its schema is newer than this release,
    its database kind differs from the target's, the target database already holds data (SQLite:
    unless `replace`, which moves the old file aside, never deletes it) or a private file would be
    overwritten. After the restore the rows are compared with the manifest, then an older schema is
    migrated forward. Stop the app before restoring over its database."""
    url = url or settings.get().database_url
    target = make_url(url)
    if migrate is None:
        from bbbms_app.cli import migrate as migrate  # the CLI owns the one migrate()
    with tempfile.TemporaryDirectory(prefix="bbbms-restore-") as tmp:
        work = Path(tmp)
        manifest = verify(path, extract_to=work)
        chain = _check_schema(manifest)
        kind = target.get_backend_name()
        if kind != manifest.dialect:
            raise RestoreRefused(
                f"this is a {manifest.dialect} backup and the target is {kind}: restore it into {manifest.dialect}, "
                "then use `migrate-data --to` to move",
                "ops.err.dialect",
                dialect=manifest.dialect,
                target=kind,
            )
        todo = _plan_files(manifest, data_dir)
        moved = None
        if kind == "sqlite":
            dest = Path(target.database or "")
            if not target.database or target.database == ":memory:":
                raise RestoreRefused("restore needs a SQLite file, not an in-memory database")
            if _sqlite_target_state(dest) and not replace:
                raise RestoreRefused(
                    f"the database {dest} already holds data: restore into a new file, or add --replace "
                    "(the old file is kept beside it)",
                    "ops.err.sqlite_holds_data",
                    path=dest,
                )
            staged = dest.with_name(f".{dest.name}.restore-{secrets.token_hex(4)}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "database.sqlite", staged)
            try:
                eng = create_engine(f"sqlite:///{staged}")
                try:
                    with eng.connect() as conn:
                        _compare(manifest, table_digests(conn))
                finally:
                    eng.dispose()
                staged_url = f"sqlite:///{staged}"
                if manifest.schema != chain[-1]:
                    migrate(staged_url)
                db.dispose_all()
                if dest.exists():
                    db.dispose_all()
                    moved = dest.with_name(f"{dest.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
                    os.replace(dest, moved)
                    for suffix in ("-wal", "-shm"):
                        side = Path(f"{dest}{suffix}")
                        if side.exists():
                            os.replace(side, Path(f"{moved}{suffix}"))
                os.replace(staged, dest)
                dest.chmod(0o600)
            finally:
                staged.unlink(missing_ok=True)
                for suffix in ("-wal", "-shm", "-journal"):
                    Path(f"{staged}{suffix}").unlink(missing_ok=True)
        else:
            eng = db.engine(url)
            with eng.connect() as conn:
                tool = check_pg_tools(conn, "pg_restore")
                tables = inspect(conn).get_table_names()
            if tables:
                raise RestoreRefused(
                    f"the database {target.database} already has tables: restore into a new, empty database "
                    f"(createdb) and point DATABASE_URL at it ({tool})",
                    "ops.err.pg_has_tables",
                    database=target.database,
                )
            args, env = _pg_args(target)
            cmd = [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(work / "database.pgdump"),
            ]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed (nothing was kept): {done.stderr.strip()[:500]}")
            db.dispose_all()
            with db.engine(url).connect() as conn:
                _compare(manifest, table_digests(conn))
            if manifest.schema != chain[-1]:
                migrate(url)
        _put_files(work, todo, data_dir)
    db.dispose_all()
    return RestoreResult(
        manifest=manifest,
        url=url,
        migrated_from=manifest.schema if manifest.schema != chain[-1] else None,
        migrated_to=chain[-1] if manifest.schema != chain[-1] else None,
        files=len(manifest.files),
        moved_aside=moved,
    )


# --- the backup folder ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    """One backup in a folder, as the list, the dashboard and /health see it."""

    path: Path
    created_at: dt.datetime
    size: int
    good: bool  # read back and checked after writing
    rows: int = 0
    files: int = 0
    schema: str = ""
    drill: str = ""  # "good", "failed: …" or "" when never drilled

    def age(self, now: dt.datetime | None = None) -> dt.timedelta:
        return (now or dt.datetime.now(dt.UTC)) - self.created_at


def new_name(now: dt.datetime) -> str:
    return f"bbbms-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}{SUFFIX}"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(path: Path, manifest: Manifest, *, good: bool, extra: dict | None = None) -> None:
    """Write the sidecar that marks `path` as checked (or not)."""
    summary = {
        "created_at": manifest.created_at,
        "good": good,
        "rows": manifest.rows,
        "files": len(manifest.files),
        "schema": manifest.schema,
        "dialect": manifest.dialect,
        **(extra or {}),
    }
    side = _sidecar(path)
    tmp = side.with_name(f".{side.name}.tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    tmp.chmod(0o600)
    os.replace(tmp, side)


# A backup file is renamed into place complete, then read back and its record (the sidecar) written:
# until then it is being checked, which takes seconds for a school and minutes for a district. A
# file with no record younger than this is left out of the list (it is not damaged: it is not
# finished); an older one was left by a run that died while checking it, and is listed as not good.
CHECKING_FOR = dt.timedelta(hours=1)


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in `folder`, newest first (not those still being checked: CHECKING_FOR)."""
    if not folder.is_dir():
        return []
    found = []
    now = time.time()
    for path in folder.iterdir():
        m = NAME.match(path.name)
        if not m or not path.is_file():
            continue
        side = _read_json(_sidecar(path))
        if not side:
            try:
                if now - path.stat().st_mtime < CHECKING_FOR.total_seconds():
                    continue
            except FileNotFoundError:  # pruned meanwhile
                continue
        try:
            created = dt.datetime.fromisoformat(side["created_at"])
        except (KeyError, TypeError, ValueError):
            created = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)
        drill = side.get("drill") or {}
        found.append(
            BackupInfo(
                path=path,
                created_at=created,
                size=path.stat().st_size,
                good=bool(side.get("good")),
                rows=int(side.get("rows") or 0),
                files=int(side.get("files") or 0),
                schema=str(side.get("schema") or ""),
                drill=str(drill.get("result", "")) if isinstance(drill, dict) else "",
            )
        )
    return sorted(found, key=lambda b: b.created_at, reverse=True)


def last_good(folder: Path | None = None) -> BackupInfo | None:
    folder = folder or settings.ops().backup_dir
    return next((b for b in list_backups(folder) if b.good), None)


def prune(folder: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` good backups; remove older ones and failed leftovers older than those."""
    backups = list_backups(folder)
    good = [b for b in backups if b.good]
    cutoff = good[keep - 1].created_at if len(good) > keep else None
    removed = []
    for b in backups:
        too_old = cutoff is not None and b.created_at < cutoff
        failed_leftover = not b.good and bool(good) and b.created_at < good[0].created_at
        if not (too_old or failed_leftover):
            continue
        for p in (b.path, _sidecar(b.path), Path(f"{b.path}.sha256")):
            p.unlink(missing_ok=True)
        removed.append(b.path)
    # Half-written files of a crashed run.
    for p in folder.glob(".*.tmp"):
        if time.time() - p.stat().st_mtime > 6 * 3600:
            p.unlink(missing_ok=True)
    return removed


@dataclass
class RunResult:
    """What one (scheduled) backup did."""

    path: Path
    manifest: Manifest
    seconds: float
    removed: list[Path]
    copy_error: str = ""


def run(
    *,
    folder: Path | None = None,
    copy_to: Path | None = None,
    keep: int | None = None,
    now: dt.datetime | None = None,
    url: str | None = None,
    data_dir: Path | None = None,
) -> RunResult:
    """Make a backup in the backup folder, read it back, mark it good, copy it to the second folder
    (when set) and prune both folders to the newest `keep` good backups."""
    ops = settings.ops()
    folder = folder or ops.backup_dir
    copy_to = copy_to if copy_to is not None else ops.backup_copy_dir
    keep = keep or ops.backup_keep
    now = now or dt.datetime.now(dt.UTC)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    started = time.monotonic()
    path = folder / new_name(now)
    manifest = create(path, url=url, data_dir=data_dir, now=now)
    try:
        checked = verify(path)
    except BackupDamaged as exc:
        # Listed at once as damaged, with why (the list skips a young file with no record: being checked).
        record(path, manifest, good=False, extra={"error": str(exc)})
        raise
    record(path, checked, good=True)
    removed = prune(folder, keep)
    copy_error = ""
    if copy_to is not None:
        try:
            copy_to.mkdir(parents=True, exist_ok=True)
            tmp = _private_tmp(copy_to, path.name)
            shutil.copyfile(path, tmp)
            if _hash_file(tmp) != _hash_file(path):
                tmp.unlink(missing_ok=True)
                raise OSError("the copy differs from the original")
            os.replace(tmp, copy_to / path.name)
            shutil.copyfile(_sidecar(path), _sidecar(copy_to / path.name))
            shutil.copyfile(f"{path}.sha256", f"{copy_to / path.name}.sha256")
            removed += prune(copy_to, keep)
        except OSError as exc:
            copy_error = f"{copy_to}: {exc.strerror or exc}"
    return RunResult(path, manifest, time.monotonic() - started, removed, copy_error)


# --- the restore drill -----------------------------------------------------------------------------------


@dataclass
class DrillResult:
    good: bool
    path: Path | None
    message: str
    seconds: float = 0.0
    rows: int = 0
    files: int = 0
    schema: str = ""  # the restored database's schema (head after a migration)
    error: BackupError | None = None  # why not good, for the operator's language


@contextlib.contextmanager
def _scratch_database(dialect: str, like_url: str) -> Iterator[str]:
    """An empty scratch database of the backup's kind, removed afterwards."""
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bbbms-drill-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'drill.db'}"
        return
    base = make_url(like_url)
    if base.get_backend_name() != "postgresql":
        raise BackupError("a PostgreSQL backup needs a PostgreSQL server to drill on (--scratch-url)")
    name = f"{base.database}_drill_{secrets.token_hex(3)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            db.dispose_all()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # made just above
    finally:
        admin.dispose()


def drill(path: Path | None = None, *, folder: Path | None = None, scratch_url: str | None = None) -> DrillResult:
    """Restore a backup (default: the newest in the folder) into a scratch database and folder, and
    say whether it came back whole: rows and files equal to the manifest, schema migrated to head.
    The result is written into the backup's sidecar, for the backups screen."""
    started = time.monotonic()
    folder = folder or settings.ops().backup_dir
    if path is None:
        backups = list_backups(folder)
        if not backups:
            return DrillResult(
                False,
                None,
                f"no backup in {folder}",
                error=BackupError(f"no backup in {folder}", "ops.err.no_backup", folder=folder),
            )
        path = backups[0].path
    try:
        manifest = verify(path)
        with (
            _scratch_database(manifest.dialect, scratch_url or settings.get().database_url) as url,
            tempfile.TemporaryDirectory(prefix="bbbms-drill-files-") as files_dir,
        ):
            result = restore(path, url=url, data_dir=Path(files_dir))
            got_files = file_digests(Path(files_dir))
            if got_files != manifest.files:
                raise BackupError("the restored private files differ from the backup")
            with db.engine(url).connect() as conn:
                rev = revision(conn)
            db.dispose_all()
        message = (
            f"good: {manifest.rows} rows in {len(manifest.tables)} tables and {len(manifest.files)} files restored"
            + (f", schema migrated {result.migrated_from} → {rev}" if result.migrated_from else f", schema {rev}")
        )
        outcome = DrillResult(
            True, path, message, time.monotonic() - started, manifest.rows, len(manifest.files), schema=rev or ""
        )
    except BackupError as exc:
        outcome = DrillResult(False, path, f"NOT good: {exc}", time.monotonic() - started, error=exc)
    side = _sidecar(path)
    if side.exists():
        data = _read_json(side)
        data["drill"] = {
            "result": "good" if outcome.good else "failed",
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "message": outcome.message[:300],
        }
        side.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    return outcome


def human_size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


# --- words for the screens -----------------------------------------------------------------------------

STALE_AFTER = dt.timedelta(days=1)


def age_words(age: dt.timedelta) -> dict[str, str]:
    """«3 h», «2 days»… in each language (the screens pick by the tab's language)."""
    from bbbms_app.i18n import translations

    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return translations("ops.minutes", n=minutes)
    if minutes < 48 * 60:
        return translations("ops.hours", n=minutes // 60)
    return translations("ops.days", n=minutes // (24 * 60))


def warning(now: dt.datetime | None = None) -> dict[str, str]:
    """The dashboard's warning in each language when the last good backup is missing or older than
    a day; empty when all is well."""
    from bbbms_app.i18n import LANGUAGES, t

    last = last_good()
    if last is None:
        return {lang: t("ops.none", lang) for lang in LANGUAGES}
    age = last.age(now)
    if age <= STALE_AFTER:
        return {}
    words = age_words(age)
    return {lang: t("ops.stale", lang, age=words[lang]) for lang in LANGUAGES}
