"""The operations commands of `python -m bbbms_app`: backup, restore, restore-drill, init,
migrate-data, jobs, and `prepare` (what `make run` does before serving).

Kept apart from cli.py (which registers them with one call, `add_commands`) so the two can change
independently. Messages are for the IT teacher at the server's console, in the command line's language
(`--lang`, else BBBMS_LANG, else Kyrgyz: cli.main chooses it) from the catalog (`i18n/catalog/ops_cli.py`);
a backup refusal says itself in it (`BackupError.say`).
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


def _say(key: str, **params: object) -> str:
    from bbbms_app import cli

    return cli._say(key, **params)


def _lang() -> str:
    from bbbms_app import cli

    return cli._lang_now


def _refusal(exc) -> str:  # a first_run.SetupRefused
    """The refusal in the operator's language, led by the flag it names (the screen names a field)."""
    flag = {"name": "--school-name", "director_name": "--director-name"}.get(exc.field or "", f"--{exc.field}")
    return f"{flag}: {exc.message(_lang())}" if exc.field else exc.message(_lang())


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
                print(_say("ops.cli.second_copy_failed", detail=result.copy_error), file=sys.stderr)
    except backup.BackupError as exc:
        print(_say("ops.cli.backup_failed", detail=exc.say(_lang())), file=sys.stderr)
        return 2
    print(
        _say(
            "ops.cli.backup_done",
            path=where,
            size=backup.human_size(where.stat().st_size),
            schema=manifest.schema,
            rows=manifest.rows,
            tables=len(manifest.tables),
            files=len(manifest.files),
        )
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
        key = "ops.cli.restore_refused" if refused else "ops.cli.restore_failed"
        print(_say(key, detail=exc.say(_lang())), file=sys.stderr)
        return 2
    m = result.manifest
    print(
        _say(
            "ops.cli.restored",
            file=args.file,
            created=m.created_at,
            url=_safe(url),
            rows=m.rows,
            tables=len(m.tables),
            files=result.files,
        )
    )
    if result.migrated_from:
        print(_say("ops.cli.schema_migrated", old=result.migrated_from, new=result.migrated_to))
    if result.moved_aside:
        print(_say("ops.cli.moved_aside", path=result.moved_aside))
    return 0


def _cmd_drill(args: argparse.Namespace) -> int:
    from bbbms_app.services import backup

    outcome = backup.drill(Path(args.file) if args.file else None, scratch_url=args.scratch_url)
    name = outcome.path.name if outcome.path else "—"
    seconds = f"{outcome.seconds:.1f}"
    if outcome.good:
        line = _say(
            "ops.cli.drill_good",
            name=name,
            rows=outcome.rows,
            files=outcome.files,
            schema=outcome.schema,
            seconds=seconds,
        )
    else:
        detail = outcome.error.say(_lang()) if outcome.error else outcome.message
        line = _say("ops.cli.drill_bad", name=name, detail=detail, seconds=seconds)
    print(line)
    return 0 if outcome.good else 1


def _ask(key: str, current: str | None) -> str:
    if current:
        return current
    prompt = _say(key)
    if not sys.stdin.isatty():
        raise SystemExit(_say("ops.cli.ask_missing", what=prompt))
    return input(f"{prompt}: ").strip()


# The first-run questions by the field a refusal names (first_run.SetupRefused.field).
_QUESTIONS = {
    "name": "ops.cli.ask.school_name",
    "okpo": "ops.cli.ask.okpo",
    "director": "ops.cli.ask.director",
    "director_name": "ops.cli.ask.director_name",
}


def _cmd_init(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from bbbms_app.cli import migrate
    from bbbms_app.models import School
    from bbbms_app.services import first_run

    migrate()
    with db.session() as s:
        has_school = s.exec(select(School.id).limit(1)).first() is not None
    if has_school and not args.add:
        print(_say("ops.cli.init_has_school"), file=sys.stderr)
        return 2
    answers = {
        "name": _ask("ops.cli.ask.school_name", args.school_name),
        "okpo": _ask("ops.cli.ask.okpo", args.okpo),
        "director": _ask("ops.cli.ask.director", args.director),
    }
    answers["director_name"] = _ask(
        "ops.cli.ask.director_name", args.director_name or (None if sys.stdin.isatty() else answers["director"])
    )
    # What was typed at a question is asked again when it is refused (a typo must not end `make run`
    # after every question); what came as a flag is refused, the command ends (scripts see exit 2).
    flags = {
        "name": args.school_name,
        "okpo": args.okpo,
        "director": args.director,
        "director_name": args.director_name,
    }
    while True:
        try:
            with db.session(write=True) as s:
                new = first_run.create_school(
                    s,
                    name=answers["name"],
                    name_ru=args.school_name_ru or "",
                    okpo=answers["okpo"],
                    director=answers["director"],
                    director_name=answers["director_name"],
                    language=args.language,
                    region=getattr(args, "region", None) or "",
                    rayon=getattr(args, "rayon", None) or "",
                )
            break
        except first_run.SetupRefused as exc:
            if exc.field not in _QUESTIONS or flags.get(exc.field) or not sys.stdin.isatty():
                print(_refusal(exc), file=sys.stderr)
                return 2
            print(exc.message(_lang()), file=sys.stderr)
            answers[exc.field] = _ask(_QUESTIONS[exc.field], None)
    print(_say("ops.cli.school_created", name=answers["name"], okpo=answers["okpo"]))
    print(_say("ops.cli.director_account", username=new.username))
    print(_say("ops.cli.one_time_password", password=new.password))
    print(_say("ops.cli.password_once"))
    return 0


def _cmd_migrate_data(args: argparse.Namespace) -> int:
    from bbbms_app.cli import migrate
    from bbbms_app.services import backup, first_run

    source = settings.get().database_url
    target = (
        args.to.replace("postgresql://", "postgresql+psycopg://", 1) if args.to.startswith("postgresql://") else args.to
    )
    if make_url(source) == make_url(target):
        print(_say("ops.cli.same_target"), file=sys.stderr)
        return 2
    head = backup.known_revisions()[-1]
    with db.engine(source).connect() as conn:
        if backup.revision(conn) != head:
            print(_say("ops.cli.migrate_source_first"), file=sys.stderr)
            return 2
    migrate(target)
    try:
        result = first_run.copy_database(db.engine(source), db.engine(target))
    except first_run.SetupRefused as exc:
        print(_say("ops.cli.migrate_data_refused", detail=_refusal(exc)), file=sys.stderr)
        return 2
    print(_say("ops.cli.copied", rows=result.rows, tables=result.tables, url=_safe(target)))
    print(_say("ops.cli.copied_next"))
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
    new_file = cli._sqlite_file(s.database_url)
    if new_file is not None and not new_file.exists():
        # A fresh checkout: no database and no data/ folder yet (SQLite cannot open a file in a
        # missing folder); nothing to back up, and migrate makes both.
        needs_backup = False
    else:
        with db.engine().connect() as conn:
            rev = backup.revision(conn) if inspect(conn).has_table("alembic_version") else None
            needs_backup = rev is not None and rev != head and backup.holds_data(conn)
    if needs_backup:
        print(_say("ops.cli.upgrade_backup", old=rev, new=head), flush=True)
        result = backup.run(keep=max(settings.ops().backup_keep, 2))
        print(_say("ops.cli.upgrade_backup_done", path=result.path), flush=True)
    cli.migrate()
    db.dispose_all()
    with db.session() as ses:
        has_school = ses.exec(select(School.id).limit(1)).first() is not None
    if _demo_wanted():
        if has_school:  # as `demo --if-empty` says it, without loading the migrations a second time
            cli.say_demo_kept()
            return 0
        return cli.main(["demo", "--if-empty"])
    if has_school:
        return 0
    if sys.stdin.isatty():
        print(_say("ops.cli.no_school_ask"))
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
    command = (
        ".venv/bin/python -m bbbms_app init --school-name '№ 1 мектеп' --okpo 12345678 "
        "--director director --director-name 'Surname Name'"
    )
    print(_say("ops.cli.no_school", command=command), file=sys.stderr)
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
