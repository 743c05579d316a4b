"""The operations commands of `python -m bbbms_app`: backup, restore, restore-drill, init,
migrate-data, jobs, and `prepare` (what `make run` does before serving).

Kept apart from cli.py (which registers them with one call, `add_commands`) so the two can change
independently. Messages are for the operator at the server's console, in English like the rest
of the command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bbbms_app import db, settings


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _cmd_backup(args: argparse.Namespace) -> int:
    from bbbms_app.services import backup

    try:
        if args.out:
            out = Path(args.out)
            manifest = backup.create(out)
            checked = backup.verify(out)
            if backup.NAME.match(out.name):  # a file named like the folder's: list it as good
                backup.record(out, checked, good=True)
            where = out
        else:
            result = backup.run()
            manifest, where = result.manifest, result.path
            if result.copy_error:
                print(f"warning: the second copy failed: {result.copy_error}", file=sys.stderr)
    except backup.BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {where} ({backup.human_size(where.stat().st_size)}): schema {manifest.schema}, "
        f"{manifest.rows} rows in {len(manifest.tables)} tables, {len(manifest.files)} private files; "
        "read back and checked"
    )
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from bbbms_app.services import backup

    url = args.to or settings.get().database_url
    try:
        result = backup.restore(
            Path(args.file), url=url, data_dir=Path(args.data_dir) if args.data_dir else None, replace=args.replace
        )
    except backup.BackupError as exc:
        refused = isinstance(exc, backup.BackupDamaged | backup.RestoreRefused)
        print(f"restore refused: {exc}\nNothing was changed." if refused else f"restore failed: {exc}", file=sys.stderr)
        return 2
    m = result.manifest
    print(
        f"restored {args.file} ({m.created_at}) into {_safe(url)}: {m.rows} rows in {len(m.tables)} tables "
        f"equal to the backup, {result.files} private files"
    )
    if result.migrated_from:
        print(f"schema migrated {result.migrated_from} → {result.migrated_to}")
    if result.moved_aside:
        print(f"the previous database was kept as {result.moved_aside}")
    return 0


def _cmd_drill(args: argparse.Namespace) -> int:
    from bbbms_app.services import backup

    outcome = backup.drill(Path(args.file) if args.file else None, scratch_url=args.scratch_url)
    where = f"{outcome.path.name}: " if outcome.path else ""
    print(f"restore drill {where}{outcome.message} ({outcome.seconds:.1f} s)")
    return 0 if outcome.good else 1


def _ask(prompt: str, current: str | None) -> str:
    if current:
        return current
    if not sys.stdin.isatty():
        raise SystemExit(f"missing {prompt}: give it as a flag (python -m bbbms_app init --help)")
    return input(f"{prompt}: ").strip()


def _cmd_init(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from bbbms_app.cli import migrate
    from bbbms_app.models import School
    from bbbms_app.services import first_run

    migrate()
    with db.session() as s:
        has_school = s.exec(select(School.id).limit(1)).first() is not None
    if has_school and not args.add:
        print("The database already holds a school; init creates the first one (--add for another).", file=sys.stderr)
        return 2
    name = _ask("School name (Kyrgyz)", args.school_name)
    okpo = _ask("OKPO code (8 digits)", args.okpo)
    director = _ask("Director's user name (e.g. director)", args.director)
    full = _ask("Director's full name (Surname Name)", args.director_name or (None if sys.stdin.isatty() else director))
    try:
        with db.session(write=True) as s:
            new = first_run.create_school(
                s,
                name=name,
                name_ru=args.school_name_ru or "",
                okpo=okpo,
                director=director,
                director_name=full,
                language=args.language,
                region=getattr(args, "region", None) or "",
                rayon=getattr(args, "rayon", None) or "",
            )
    except first_run.SetupRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"School {name} (OKPO {okpo}) created.")
    print(f"Director's account: {new.username}")
    print(f"One-time password:  {new.password}")
    print("It is shown only now: write it down and hand it over; it must be changed at the first sign-in.")
    return 0


def _cmd_migrate_data(args: argparse.Namespace) -> int:
    from bbbms_app.cli import migrate
    from bbbms_app.services import backup, first_run

    source = settings.get().database_url
    target = (
        args.to.replace("postgresql://", "postgresql+psycopg://", 1) if args.to.startswith("postgresql://") else args.to
    )
    if make_url(source) == make_url(target):
        print("--to names the database the app already uses", file=sys.stderr)
        return 2
    head = backup.known_revisions()[-1]
    with db.engine(source).connect() as conn:
        if backup.revision(conn) != head:
            print("migrate the source first: python -m bbbms_app migrate", file=sys.stderr)
            return 2
    migrate(target)
    try:
        result = first_run.copy_database(db.engine(source), db.engine(target))
    except first_run.SetupRefused as exc:
        print(f"migrate-data refused: {exc}", file=sys.stderr)
        return 2
    print(
        f"copied {result.rows} rows of {result.tables} tables to {_safe(target)}; "
        "row counts and content hashes of every table are equal"
    )
    print("Private files stay in BBBMS_DATA_DIR. Set DATABASE_URL to the new database and restart.")
    return 0


def _cmd_jobs(args: argparse.Namespace) -> int:
    from bbbms_app.jobs import consumer

    consumer.run(workers=args.workers, periodic=not args.no_periodic, parent=args.parent)
    return 0


def _demo_wanted() -> bool:
    return settings.get().environment != "prod" and os.environ.get("BBBMS_DEMO", "1").strip().lower() not in (
        "0",
        "no",
        "false",
        "off",
    )


def _cmd_prepare(_args: argparse.Namespace) -> int:
    """`make run`'s step before serving: refuse unsafe production settings before touching any data,
    back up a database that is about to be migrated, migrate, then demo or first-run."""
    from sqlalchemy import inspect
    from sqlmodel import select

    from bbbms_app import cli
    from bbbms_app.models import School
    from bbbms_app.services import backup

    s = settings.get()
    if s.environment == "prod":
        problems = settings.check_production(s)
        if problems:
            print(settings.UnsafeConfiguration(problems), file=sys.stderr)
            return 2
    head = backup.known_revisions()[-1]
    with db.engine().connect() as conn:
        rev = backup.revision(conn) if inspect(conn).has_table("alembic_version") else None
        needs_backup = rev is not None and rev != head and backup.holds_data(conn)
    if needs_backup:
        print(f"the database is at schema {rev}, this release at {head}: backing up before the upgrade…", flush=True)
        result = backup.run(keep=max(settings.ops().backup_keep, 2))
        print(f"backup before upgrade: {result.path}", flush=True)
    cli.migrate()
    db.dispose_all()
    with db.session() as ses:
        has_school = ses.exec(select(School.id).limit(1)).first() is not None
    if _demo_wanted():
        return cli.main(["demo", "--if-empty"])
    if has_school:
        return 0
    if sys.stdin.isatty():
        print("No school yet. A few questions create it and its director (python -m bbbms_app init).")
        return _cmd_init(
            argparse.Namespace(
                school_name=None,
                school_name_ru=None,
                okpo=None,
                director=None,
                director_name=None,
                language="ky",
                add=False,
            )
        )
    print(
        "No school yet, and the demo is not loaded here. Create the school and its director first:\n"
        "  .venv/bin/python -m bbbms_app init --school-name '№ 1 мектеп' --okpo 12345678 "
        "--director director --director-name 'Surname Name'",
        file=sys.stderr,
    )
    return 2


def add_commands(sub) -> None:
    """Register the operations commands on the main parser's subparsers."""
    b = sub.add_parser("backup", help="write one checked backup file of the database and the private files")
    b.add_argument(
        "--out",
        default=None,
        help="the file to write (default: a new file in BBBMS_BACKUP_DIR, pruned to BBBMS_BACKUP_KEEP)",
    )
    b.set_defaults(func=_cmd_backup)

    r = sub.add_parser("restore", help="restore a backup into an empty database (refuses a damaged or newer one)")
    r.add_argument("file")
    r.add_argument("--to", default=None, help="database URL to restore into (default: DATABASE_URL)")
    r.add_argument("--data-dir", default=None, help="data folder for the private files (default: BBBMS_DATA_DIR)")
    r.add_argument(
        "--replace", action="store_true", help="SQLite: move a database holding data aside and restore in its place"
    )
    r.set_defaults(func=_cmd_restore)

    d = sub.add_parser("restore-drill", help="restore the newest backup into a scratch database; exit 0 when good")
    d.add_argument("file", nargs="?", default=None, help="a backup file (default: the newest in BBBMS_BACKUP_DIR)")
    d.add_argument("--scratch-url", default=None, help="PostgreSQL server to make the scratch database on")
    d.set_defaults(func=_cmd_drill)

    i = sub.add_parser("init", help="create the school and its first director (prints a one-time password)")
    i.add_argument("--school-name", default=None, help="the school's name in Kyrgyz")
    i.add_argument("--school-name-ru", default=None, help="its name in Russian (default: the same)")
    i.add_argument("--okpo", default=None, help="the school's OKPO code")
    i.add_argument("--director", default=None, help="the director's user name")
    i.add_argument("--director-name", default=None, help="the director's full name: Surname Name Patronymic")
    i.add_argument("--language", default="ky", choices=("ky", "ru", "en"))
    i.add_argument("--add", action="store_true", help="add another school to a database that has one (district)")
    i.add_argument("--region", default=None, help="region code of bbbms_app/data/kg_places.csv, e.g. chui or bishkek")
    i.add_argument("--rayon", default=None, help="rayon code of that region, e.g. chui.alamudun (a city: itself)")
    i.set_defaults(func=_cmd_init)

    md = sub.add_parser("migrate-data", help="copy every table to another database (SQLite → PostgreSQL) and verify")
    md.add_argument(
        "--to", required=True, help="URL of the new, empty database, e.g. postgresql://bbbms@localhost/bbbms"
    )
    md.set_defaults(func=_cmd_migrate_data)

    j = sub.add_parser("jobs", help="run the job consumer (scheduled backups, clean-up)")
    j.add_argument("--workers", type=int, default=1)
    j.add_argument("--no-periodic", action="store_true", help="do not run the schedule (another consumer does)")
    j.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    j.set_defaults(func=_cmd_jobs)

    p = sub.add_parser(
        "prepare", help="what `make run` does before serving: checks, backup before upgrade, migrate, demo or init"
    )
    p.set_defaults(func=_cmd_prepare)
