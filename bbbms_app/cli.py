"""`python -m bbbms_app …`: migrate, demo data, statistics, user accounts, imports and exports.

Every message is in one language, the command line's (`--lang`, else BBBMS_LANG, else Kyrgyz),
from the catalog (`i18n/catalog/cli.py`). A refusal is a `CliError` (exit 2) naming what to fix;
anything unexpected is one translated line with a reference, never a traceback. Commands other
than `migrate` and `demo` refuse a database that does not exist or is not migrated, instead of
creating an empty file. Files with personal data or passwords are written 0600, the passwords'
slip into the private data folder unless told otherwise, and before the accounts are committed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import secrets
import sys
from datetime import date, datetime
from pathlib import Path

from sqlmodel import select

from bbbms_app import db, settings
from bbbms_app.i18n import LANGUAGES, t

ROOT = Path(__file__).resolve().parent.parent
# The same rule as the user form (admin registry): what a username may be.
USERNAME = re.compile(r"[a-z0-9._\-]{3,80}")
# Every other role works inside one school. The first director of a new server is created before
# any school exists (docs/operations.md), so he may come without one too.
SCHOOL_FREE_ROLES = ("administrator", "director")


class CliError(Exception):
    """A refusal the operator can act on: `key`/`params` name the translated message; exit 2."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


_lang_now = "ky"


def _say(key: str, **params: object) -> str:
    return t(key, _lang_now, **params)


def _lang(args: argparse.Namespace) -> str:
    """The command line's language: the command's --lang, the global --lang, BBBMS_LANG, Kyrgyz."""
    for value in (getattr(args, "lang", None), getattr(args, "cli_lang", None), os.environ.get("BBBMS_LANG")):
        if value in LANGUAGES:
            return value
    return "ky"


def migrate(url: str | None = None) -> None:
    """Apply every Alembic migration to the configured database (or `url`)."""
    from alembic import command

    cfg = _alembic_config(url)
    sqlite_file = _sqlite_file(url or settings.get().database_url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)  # migrate is what makes a new database
    _collapse_old_branches(cfg, url)
    command.upgrade(cfg, "head")
    # A SQLite table rebuilt by a later migration loses its triggers: put the search index's back.
    from bbbms_app.models import search_index

    with db.engine(url).begin() as conn:
        search_index.ensure(conn)


def _alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    if url:
        cfg.attributes["url"] = url
    return cfg


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def require_database(url: str | None = None) -> None:
    """Refuse a database that does not exist, cannot be reached or is not at the current migration
    (a mistyped DATABASE_URL must not become a new empty file and then «no such table»)."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    url = url or settings.get().database_url
    shown = _safe_url(url)
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.is_file():
        raise CliError("cli.error.no_database", path=str(sqlite_file))
    head = ScriptDirectory.from_config(_alembic_config(url)).get_current_head()
    try:
        with db.engine(url).connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                raise CliError("cli.error.not_migrated", url=shown)
            versions = sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        raise CliError("cli.error.db_unreachable", url=shown) from None
    if versions != [head]:
        raise CliError("cli.error.old_schema", url=shown, version=", ".join(versions) or "-", head=head)


def _collapse_old_branches(cfg, url: str | None) -> None:
    """Databases made before the history became linear carry one version row per old branch.

    Every old branch started at 0001 and touched its own tables, so a database holding the rows of
    a prefix of today's linear chain is exactly at that prefix's last revision: those rows become
    one. Anything else is refused with a message, never guessed.
    """
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect, text

    with db.engine(url).begin() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return
        rows = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
        if len(rows) < 2:
            return
        script = ScriptDirectory.from_config(cfg)
        chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
        if not rows <= set(chain):
            raise CliError("cli.error.unknown_revisions", revisions=", ".join(sorted(rows - set(chain))))
        last = max(chain.index(r) for r in rows)
        applied = rows | {chain[0]}
        if "0003_timetable_admin" in rows:  # its old parent, 0002_timetable, had no row of its own
            applied.add("0002_timetable")
        missing = [r for r in chain[: last + 1] if r not in applied]
        if missing:
            raise CliError("cli.error.missing_revisions", revisions=", ".join(missing))
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": chain[last]})


def _safe_url(url: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url or settings.get().database_url).render_as_string(hide_password=True)


def _cmd_migrate(_args: argparse.Namespace) -> int:
    migrate()
    print(_say("cli.migrated", url=_safe_url()))
    return 0


def _print_accounts() -> None:
    from bbbms_app import demo

    print(_say("cli.demo.accounts", password=demo.DEMO_PASSWORD))
    for username, role in demo.DEMO_ACCOUNTS:
        print(f"  {username:<14} {_say(f'role.{role}')}")


def say_demo_kept() -> None:
    """What `demo --if-empty` prints when the database already holds a school: the demo accounts
    only where they exist (a real school's `make run` lists no demo accounts it lacks)."""
    from bbbms_app import demo

    print(_say("cli.demo.kept"))
    if demo.has_demo_accounts(db.engine()):
        _print_accounts()


def _positive(value: int | None, option: str) -> None:
    if value is not None and value < 1:
        raise CliError("cli.error.positive", option=option, value=value)


def _cmd_demo(args: argparse.Namespace) -> int:
    from bbbms_app import demo

    if settings.get().environment == "prod":
        # Its accounts share one public password: never in a production database.
        print("BBBMS_ENV=prod: the demo is never loaded in production (python -m bbbms_app init).", file=sys.stderr)
        return 2
    _positive(args.pupils, "--pupils")
    _positive(args.schools, "--schools")
    migrate()
    eng = db.engine()
    if not demo.is_empty(eng):
        if args.if_empty:
            say_demo_kept()
            return 0
        raise CliError("cli.demo.not_empty")
    print(_say("cli.demo.working"), flush=True)
    summary = demo.generate(eng, pupils=args.pupils, schools=args.schools, seed=args.seed, today=args.today)
    print(
        _say(
            "cli.demo.loaded",
            year=summary.year,
            seconds=f"{summary.seconds:.1f}",
            schools=summary.schools,
            pupils=summary.pupils,
            classes=summary.classes,
            staff=summary.staff,
            lessons=summary.lessons,
            marks=summary.marks,
            attendance=summary.attendance,
        )
    )
    _print_accounts()
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from bbbms_app.services import stats

    require_database()
    with db.session() as s:
        counts = stats.counts(s)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    else:
        for key, value in counts.items():
            print(f"{key:<12} {value}")
    return 0


def _read_password(prompt_key: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(_say(prompt_key))
        if getpass.getpass(_say("cli.prompt.again")) != first:
            raise CliError("cli.user.passwords_differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _school_exists(school_id: int) -> bool:
    from bbbms_app.models import School

    with db.session() as s:
        return s.get(School, school_id) is not None


def _school_ids() -> list[int]:
    from bbbms_app.models import School

    with db.session() as s:
        return sorted(s.exec(select(School.id)).all())  # type: ignore[arg-type]


def _operator_school(school: int | None) -> int:
    """The school a console command is about: the one given (which must exist), or the only one."""
    if school is not None:
        if not _school_exists(school):
            raise CliError("cli.error.no_school", id=school)
        return school
    ids = _school_ids()
    if not ids:
        raise CliError("cli.error.no_schools")
    if len(ids) > 1:
        raise CliError("cli.error.several_schools", ids=", ".join(map(str, ids[:20])))
    return ids[0]


def _cmd_user_create(args: argparse.Namespace) -> int:
    from bbbms_app.models import User
    from bbbms_app.services import accounts, passwords

    require_database()
    username = args.username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise CliError("cli.error.username_format", username=args.username)
    school = args.school
    if school is not None or args.role not in SCHOOL_FREE_ROLES:
        try:
            school = _operator_school(school)
        except CliError as exc:
            if exc.key in ("cli.error.no_schools", "cli.error.several_schools"):
                raise CliError("cli.error.school_required", role=_say(f"role.{args.role}")) from None
            raise
    with db.session() as s:
        if s.exec(select(User.id).where(User.username == username)).first() is not None:
            raise CliError("cli.error.username_taken", username=username)
    password = _read_password("cli.prompt.password")
    try:
        with db.session(write=True) as s:
            user = accounts.create_user(
                s,
                username,
                args.role,
                password,
                school_id=school,
                full_name=args.name or "",
                language=args.language,
            )
            print(_say("cli.user.created", username=user.username, role=_say(f"role.{user.role}")))
    except (accounts.AccountError, passwords.PasswordRejected) as exc:
        raise CliError(exc.key, **exc.params) from None
    return 0


def _find_user(s, username: str):
    from bbbms_app.models import User

    user = s.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise CliError("cli.user.no_such", username=username)
    return user


def _cmd_user_set_password(args: argparse.Namespace) -> int:
    from bbbms_app.services import accounts, passwords

    require_database()
    with db.session() as s:
        _find_user(s, args.username)
    password = _read_password("cli.prompt.new_password")
    try:
        with db.session(write=True) as s:
            user = _find_user(s, args.username)
            accounts.set_password(s, user, password)
            print(_say("cli.user.password_changed", username=user.username))
    except passwords.PasswordRejected as exc:
        raise CliError(exc.key, **exc.params) from None
    return 0


def _cmd_user_link_sso(args: argparse.Namespace) -> int:
    from bbbms_app.services import accounts, sso

    require_database()
    issuer = args.issuer
    if args.provider:
        provider = settings.get().sso_provider(args.provider)
        if provider is None:
            raise CliError("cli.sso.no_provider", provider=args.provider)
        issuer = provider.issuer
    try:
        with db.session(write=True) as s:
            user = _find_user(s, args.username)
            if args.unlink:
                sso.unlink(s, user)
                print(_say("cli.sso.unlinked", username=user.username))
            else:
                sso.link(s, user, issuer or "", args.subject or "")
                print(
                    _say("cli.sso.linked", username=user.username, subject=user.oidc_subject, issuer=user.oidc_issuer)
                )
    except accounts.AccountError as exc:
        raise CliError(exc.key, **exc.params) from None
    return 0


def _cmd_check_config(_args: argparse.Namespace) -> int:
    problems = settings.check_production()
    for problem in problems:
        print(f"- {problem}")
    if not problems:
        print(_say("cli.check.ok"))
    return 1 if problems else 0


# ------------------------------------------------------------------ files the command line writes


def _writable_target(path: Path) -> Path:
    """Refuse, before anything is read or written, a file the command could not create."""
    if path.is_dir():
        raise CliError("cli.error.is_folder", path=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise CliError("cli.error.no_folder", path=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError("cli.error.cannot_write", path=str(path))
    return path


def _private_file(path: Path) -> None:
    """Create (or truncate) `path` readable and writable by its owner only, whatever the umask."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
    except OSError as exc:
        raise CliError("cli.error.cannot_write", path=str(path)) from exc


def write_private(path: Path, data: bytes) -> None:
    """Write personal data or passwords to a file only the operator can read (0600)."""
    _private_file(path)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise CliError("cli.error.cannot_write", path=str(path)) from exc


def credentials_folder() -> Path:
    """Where password slips go by default: the private data folder, never the current folder."""
    private = settings.get().data_dir / "private"
    folder = private / "credentials"
    for path in (private, folder):
        if not path.is_dir():
            path.mkdir(parents=True, mode=0o700)
            path.chmod(0o700)  # whatever the umask
    return folder


def _read_input(name: str) -> bytes:
    path = Path(name)
    if not path.exists():
        raise CliError("cli.error.no_file", path=name)
    if not path.is_file():
        raise CliError("cli.error.not_a_file", path=name)
    try:
        return path.read_bytes()
    except OSError:
        raise CliError("cli.error.unreadable", path=name) from None


def _operator() -> str:
    return f"cli:{getpass.getuser()}"[:80]


def _cmd_export_person(args: argparse.Namespace) -> int:
    """Subject access request from the server's console: the operator, not a web role, is recorded."""
    from bbbms_app.services import consent, subject_access
    from bbbms_app.services.engine import marking

    subject_type, subject_id = next((k, v) for k in ("pupil", "guardian", "staff") if (v := getattr(args, k)))
    out = _writable_target(Path(args.out))
    require_database()
    operator = _operator()
    try:
        with db.session(write=True) as s:
            data, _name = subject_access.export(
                s,
                None,
                subject_type,
                subject_id,
                fmt=args.format,
                purpose=args.purpose,
                operator=operator,
                lang=_lang_now,
            )
            write_private(out, data)  # a failure here rolls the audit event back with it
    except marking.ExportInvalid as exc:
        raise CliError(exc.key, **exc.params) from None
    except consent.OutOfScope:
        raise CliError(f"cli.error.no_{subject_type}", id=subject_id) from None
    print(_say("cli.export_person.written", path=str(out), size=len(data), operator=operator))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    """Import an entity from XLSX/CSV as the admin screens do: the whole file checked, all or nothing.

    New accounts' one-time passwords are written to their slip before the accounts are committed:
    a slip that cannot be written leaves no account behind, and no password is ever lost."""
    from bbbms_app.services.engine import imports
    from bbbms_app.services.engine.registry import ENTITIES

    if args.entity == "movement":
        return _import_movements(args)
    spec = ENTITIES.specs.get(args.entity)
    if spec is None or not spec.importable:
        names = ", ".join([*(s.name for s in ENTITIES if s.importable), "movement"])
        raise CliError("cli.import.not_importable", entity=args.entity, names=names)
    data = _read_input(args.file)
    if args.credentials:
        _writable_target(Path(args.credentials))  # refused before the database is even opened
    require_database()
    school = _operator_school(args.school)
    slip: Path | None = None
    if spec.table == "user" and not args.dry_run:
        chosen = args.credentials or str(credentials_folder() / f"credentials-{datetime.now():%Y%m%d-%H%M%S}.xlsx")
        slip = _writable_target(Path(chosen))
    written: Path | None = None
    try:
        with db.session(write=True) as s:
            result = imports.run(
                s, spec, None, data, Path(args.file).name, lang=_lang_now, dry_run=args.dry_run, school_id=school
            )
            if result.credentials and result.written and slip is not None:
                write_private(slip, imports.credentials_sheet(result, _lang_now))
                written = slip
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)  # the accounts were not saved: their passwords mean nothing
        raise
    for e in result.errors:
        where = ", ".join(p for p in (_say("cli.import.row", row=e.row) if e.row else "", e.column) if p)
        what = f"«{e.value}»: {e.message}" if e.value else e.message
        print(f"{where}: {what}" if where else what, file=sys.stderr)
    print(imports.summary(result, _lang_now), file=sys.stderr if result.errors else sys.stdout)
    if written is not None:
        print(_say("cli.import.credentials", n=len(result.credentials), path=str(written)))
    return 1 if result.errors else 0


def _import_movements(args: argparse.Namespace) -> int:
    """Movement book lines from a file (services/movement_import.py): in date order, all or nothing."""
    from bbbms_app.services import movement_import
    from bbbms_app.services.engine import imports

    data = _read_input(args.file)
    require_database()
    school = _operator_school(args.school)
    with db.session(write=True) as s:
        result = movement_import.run(
            s, None, data, Path(args.file).name, lang=_lang_now, dry_run=args.dry_run, school_id=school
        )
    for e in result.errors:
        where = ", ".join(p for p in (_say("cli.import.row", row=e.row) if e.row else "", e.column) if p)
        what = f"«{e.value}»: {e.message}" if e.value else e.message
        print(f"{where}: {what}" if where else what, file=sys.stderr)
    print(imports.summary(result, _lang_now), file=sys.stderr if result.errors else sys.stdout)
    return 1 if result.errors else 0


def _cmd_export(args: argparse.Namespace) -> int:
    """Export an entity's list to XLSX or CSV (the format follows --out unless --format says).

    Personal data (pupils, guardians, staff, users) needs --purpose; the export is audited with it
    under the console user, as export-person does, and the file is marked and written 0600."""
    from bbbms_app.services.engine import exports, marking
    from bbbms_app.services.engine.registry import ENTITIES

    if args.entity == "marks":
        return _cmd_export_marks(args)
    if args.entity == "journals":
        return _cmd_export_journals(args)
    if args.entity == "archive":
        return _cmd_export_archive(args)
    spec = ENTITIES.specs.get(args.entity)
    if spec is None:
        raise CliError("cli.export.unknown", entity=args.entity, names=", ".join(ENTITIES.specs))
    fmt = args.format or ("csv" if args.out.lower().endswith(".csv") else "xlsx")
    out = _writable_target(Path(args.out))
    require_database()
    if args.school is not None and not _school_exists(args.school):
        raise CliError("cli.error.no_school", id=args.school)
    operator = _operator()
    existed = out.exists()
    try:
        _private_file(out)
        with db.session(write=True) as s:
            n = exports.export(
                s,
                spec,
                None,
                out,
                fmt=fmt,
                lang=_lang_now,
                school_id=args.school,
                purpose=args.purpose or "",
                operator=operator,
            )
        out.chmod(0o600)
    except marking.ExportInvalid as exc:
        if not existed:
            out.unlink(missing_ok=True)
        raise CliError("cli.export.needs_purpose", entity=args.entity, message=_say(exc.key, **exc.params)) from None
    except BaseException:
        if not existed:
            out.unlink(missing_ok=True)  # no file without its audit event
        raise
    print(_say("cli.export.written", n=n, path=str(out)))
    if exports.is_personal(spec):
        print(_say("cli.export.audited", operator=operator))
    return 0


def _day(text: str) -> date:
    """A date given on the command line: 2025-09-01 or 01.09.2025."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise CliError("cli.report.bad_date", value=text)


def _cmd_report_contingent(args: argparse.Namespace) -> int:
    """The contingent report (движение учащихся) of a period to XLSX: counts only, no names."""
    from bbbms_app.models import School
    from bbbms_app.services import movement_report
    from bbbms_app.services.school import localized_name

    start, end = _day(args.start), _day(args.end)
    if end < start:
        raise CliError(movement_report.PeriodInvalid.key)
    out = _writable_target(Path(args.out))
    require_database()
    school = _operator_school(args.school)
    with db.session() as s:
        report = movement_report.contingent(s, school, start, end, _lang_now)
        name = localized_name(s.get(School, school), _lang_now)
    out.write_bytes(movement_report.xlsx_bytes(report, _lang_now, name))
    print(_say("cli.report.contingent_written", path=str(out), end=report.school.total("end")))
    return 0


def _report_context(args: argparse.Namespace):
    """(console principal, year id, term id or None) of a `report` command; refusals name what to fix."""
    from bbbms_app.services import school as school_service
    from bbbms_app.services.access import Principal
    from bbbms_app.services.journal import year_terms

    require_database()
    school_id = _operator_school(args.school)
    # The server's console reads the whole school, as the director does; the export is audited under it.
    # It names pupils in the lists (export.personal): whoever runs it holds the database itself, and
    # the file is written for its owner only (0600).
    principal = Principal(
        0,
        _operator(),
        "director",
        school_id,
        language=_lang_now,
        permissions=frozenset({"report.read", "export.personal"}),
    )
    with db.session() as s:
        year = school_service.current_year(s, school_id)
        if year is None:
            raise CliError("cli.report.no_year")
        terms = year_terms(s, year.id)
    wanted = str(args.term).strip().lower()
    if wanted == "year":
        return principal, year.id, None
    choices = [str(t.number) if t.kind == "quarter" else f"h{t.number}" for t in terms]
    if wanted not in choices:
        raise CliError("cli.report.no_term", term=args.term, choices=", ".join([*choices, "year"]))
    return principal, year.id, terms[choices.index(wanted)].id


def _write_report(args: argparse.Namespace, principal, name: str, data: bytes, what: str) -> int:
    from bbbms_app.services import audit

    out = _writable_target(Path(args.out))
    with db.session(write=True) as s:
        audit.record(
            s, None, "export", "report", None, field=what, new=name, school_id=principal.school_id, username=_operator()
        )
        write_private(out, data)  # a failure here rolls the audit event back with it
    print(_say("cli.report.written", path=str(out), size=len(data)))
    return 0


def _cmd_report_results(args: argparse.Namespace) -> int:
    """The academic results of a term or the year as XLSX (the /reports page's workbook)."""
    from bbbms_app.services.reports import by_teacher, results, sheets

    principal, year_id, term_id = _report_context(args)
    with db.session() as s:
        res = results.results(s, principal, year_id, term_id)
        teachers = by_teacher.by_teacher(s, res)
    subject_id = None
    if args.subject:
        subject_id = next((sub.id for sub in res.subjects if sub.code.lower() == args.subject.lower()), None)
        if subject_id is None:
            raise CliError(
                "cli.report.no_subject", subject=args.subject, choices=", ".join(sub.code for sub in res.subjects)
            )
    rows = by_teacher.table(res, teachers, subject_id, args.sex, _lang_now)
    name, data = sheets.results_xlsx(
        res, subject_id, args.sex, _lang_now, teachers=sheets.Table(by_teacher.COLUMNS, rows)
    )
    return _write_report(args, principal, name, data, f"results:{res.period.key}")


def _cmd_report_attendance(args: argparse.Namespace) -> int:
    """Lessons and days missed by reason, per class and pupil, as XLSX."""
    from bbbms_app.services.journal import OutOfScope
    from bbbms_app.services.reports import attendance, sheets

    principal, year_id, term_id = _report_context(args)
    try:
        with db.session() as s:
            rep = attendance.attendance(s, principal, year_id, term_id, month=args.month, threshold=args.threshold)
    except (ValueError, OutOfScope):
        if args.month:
            raise CliError("cli.report.bad_month", month=args.month) from None
        raise
    name, data = sheets.attendance_xlsx(rep, _lang_now)
    return _write_report(args, principal, name, data, f"attendance:{rep.starts_on}:{rep.ends_on}")


def _year_asked(school_id: int, asked: object):
    """`--year 2025-2026` or `--year 2025` (the current year when not given), or a CliError listing them."""
    from sqlmodel import select

    from bbbms_app.models import AcademicYear

    with db.session() as s:
        years = s.exec(select(AcademicYear).where(AcademicYear.school_id == school_id)).all()
    wanted = str(asked or "").strip().replace("–", "-")  # years are named «2025–2026»; a console types «-»

    def named(y) -> bool:
        return y.name.replace("–", "-") == wanted or y.name[:4] == wanted or (not wanted and y.is_current)

    year = next((y for y in years if named(y)), None)
    if year is None:
        raise CliError("cli.export.no_year", year=wanted, choices=", ".join(y.name for y in years))
    return year


def _cmd_export_marks(args: argparse.Namespace) -> int:
    """The school year's marks as one flat XLSX table, streamed; personal data: --purpose, audited, marked."""

    from bbbms_app.services.engine import marking
    from bbbms_app.services.reports import marks_export

    out = _writable_target(Path(args.out))
    require_database()
    school_id = _operator_school(args.school)
    year = _year_asked(school_id, args.year)
    existed = out.exists()
    try:
        _private_file(out)
        with db.session(write=True) as s:
            stamp = marking.begin(
                s,
                None,
                purpose=args.purpose,
                what=f"marks {year.name}",
                rows=0,
                fmt="xlsx",
                entity="marks",
                entity_id=year.id,
                school_id=school_id,
                operator=_operator(),
                lang=_lang_now,
            )
            n = marks_export.write(
                out,
                s,
                school_id,
                year.id,  # type: ignore[arg-type]
                _lang_now,
                last_line=stamp.line(),
                footer=marking.footer_line(stamp),
                properties=marking.xlsx_properties(
                    stamp, f"{marks_export.t('export.marks.sheet', _lang_now)} {year.name}"
                ),
                custom_properties=marking.xlsx_custom_properties(stamp),
            )
        out.chmod(0o600)
    except marking.ExportInvalid as exc:
        if not existed:
            out.unlink(missing_ok=True)
        raise CliError("cli.export.needs_purpose", entity="marks", message=_say(exc.key, **exc.params)) from None
    except BaseException:
        if not existed:
            out.unlink(missing_ok=True)  # no file without its audit event
        raise
    print(_say("cli.export.marks_written", rows=n, path=str(out)))
    return 0


def _cmd_export_journals(args: argparse.Namespace) -> int:
    """Every class journal of a term in one XLSX, a sheet per class × subject; audited under the console user."""
    import dataclasses

    from bbbms_app.services.reports import journals_export

    args.term = args.term or ""
    principal, year_id, term_id = _report_context(args)
    if term_id is None:
        raise CliError("cli.export.journals_term")
    principal = dataclasses.replace(principal, permissions=frozenset({"report.read", "journal.read"}))
    out = _writable_target(Path(args.out))
    existed = out.exists()
    try:
        _private_file(out)
        with db.session() as s:
            n = journals_export.write(out, s, principal, year_id, term_id, _lang_now, footer=f"BBBMS · {_operator()}")
        _write_audit(principal, f"journals:{term_id}", out.name, n)
        out.chmod(0o600)
    except BaseException:
        if not existed:
            out.unlink(missing_ok=True)
        raise
    print(_say("cli.export.journals_written", sheets=n, path=str(out)))
    return 0


def _cmd_export_archive(args: argparse.Namespace) -> int:
    """The school year's archive (services/reports/archive.py): one ZIP with a manifest; personal data:
    --purpose, audited under the console user before anything is written."""

    from bbbms_app.services.engine import marking
    from bbbms_app.services.reports import archive

    out = _writable_target(Path(args.out))
    require_database()
    school_id = _operator_school(args.school)
    year = _year_asked(school_id, args.year)
    try:
        with db.session(write=True) as s:
            made = archive.write(
                out,
                s,
                school_id,
                year.id,
                purpose=args.purpose,
                operator=_operator(),
                lang=_lang_now,  # type: ignore[arg-type]
            )
    except marking.ExportInvalid as exc:
        raise CliError("cli.export.needs_purpose", entity="archive", message=_say(exc.key, **exc.params)) from None
    print(_say("cli.export.archive_written", files=len(made.files), skipped=len(made.skipped), path=str(out)))
    return 0


def _write_audit(principal, what: str, name: str, n: int) -> None:
    from bbbms_app.services import audit

    with db.session(write=True) as s:
        audit.record(
            s, None, "export", "journal", None, field=what, new=f"{name}: {n} sheets",
            school_id=principal.school_id, username=_operator(),
        )  # fmt: skip


def _cmd_report_teachers(args: argparse.Namespace) -> int:
    """The teacher reports (hours against the plan, lessons not filled in, too few marks, late marks) as XLSX."""
    import dataclasses

    from bbbms_app.services.reports import teacher_sheets, teachers

    principal, year_id, term_id = _report_context(args)
    principal = dataclasses.replace(principal, permissions=frozenset({"report.read", teachers.PERMISSION}))
    staff_id = None
    with db.session() as s:
        if args.teacher:
            staff_id = _teacher_id(s, principal.school_id, args.teacher)
        rep = teachers.teacher_report(s, principal, year_id, term_id, staff_id=staff_id, late_days=args.late_days)
    name, data = teacher_sheets.teacher_xlsx(rep, _lang_now, staff_id)
    return _write_report(args, principal, name, data, f"teachers:{rep.period.key}:{staff_id or 'all'}")


def _teacher_id(s, school_id: int, wanted: str) -> int:
    """A member of staff of the school by id or by surname (one match), else a refusal naming him."""
    from sqlmodel import select

    from bbbms_app.models import Staff

    staff = s.exec(
        select(Staff).where(Staff.school_id == school_id, Staff.deleted_at.is_(None))  # type: ignore[union-attr]
    ).all()
    text = wanted.strip().casefold()
    found = [x for x in staff if str(x.id) == text or x.last_name.casefold() == text]
    if len(found) != 1:
        raise CliError("cli.report.no_teacher", teacher=wanted)
    return found[0].id  # type: ignore[return-value]


def _cmd_api_client_create(args: argparse.Namespace) -> int:
    """Register an API client; its id, client_id and secret are printed once (the secret is not kept)."""
    from bbbms_app.services import api_clients

    require_database()
    school = _operator_school(args.school)
    try:
        with db.session(write=True) as s:
            client, secret = api_clients.create_client(
                s, school, args.name, api_clients.parse_scopes(args.scopes), created_by=_operator()
            )
    except api_clients.ClientError as exc:
        raise CliError(exc.key, **exc.params) from None
    print(_say("api.client.created", name=client.name, school=client.school_id, scopes=client.scopes))
    print(_say("api.client.id_line", id=client.id, client_id=client.client_id))
    print(_say("api.client.secret_line", secret=secret))
    return 0


def _cmd_oneroster_csv(args: argparse.Namespace) -> int:
    """Write the school's OneRoster 1.2 CSV bundle (zip); audited with the operator's name."""
    from pathlib import Path

    from bbbms_app.services import audit, oneroster_csv

    require_database()
    school = _operator_school(args.school)
    with db.session() as s:
        data, names = oneroster_csv.bundle(s, oneroster_csv.console_caller(school))
        audit.record(s, None, "export", "api_oneroster", reason=f"csv bundle {args.out}"[:500], username=_operator(),
                     school_id=school)  # fmt: skip
    Path(args.out).write_bytes(data)
    print(_say("oneroster.csv.written", path=args.out, files=len(names)))
    return 0


def _cmd_api_client_revoke(args: argparse.Namespace) -> int:
    from bbbms_app.services import api_clients

    require_database()
    try:
        with db.session(write=True) as s:
            client = api_clients.revoke_client(s, args.id, by=_operator())
    except api_clients.ClientError as exc:
        raise CliError(exc.key, **exc.params) from None
    print(_say("api.client.revoked", name=client.name, id=client.id))
    return 0


def _cmd_api_client_list(_args: argparse.Namespace) -> int:
    from bbbms_app.services import api_clients

    require_database()
    with db.session() as s:
        clients = api_clients.list_clients(s)
    if not clients:
        print(_say("api.client.none"))
    for c in clients:
        state = _say("api.client.active" if c.active else "api.client.inactive")
        print(
            _say(
                "api.client.list_line",
                id=c.id,
                client_id=c.client_id,
                school=c.school_id,
                scopes=",".join(c.scopes.split()),
                state=state,
                name=c.name,
            )
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from bbbms_app.models import ROLES

    p = argparse.ArgumentParser(prog="python -m bbbms_app", description="BBBMS command line")
    p.add_argument(
        "--lang",
        dest="cli_lang",
        choices=LANGUAGES,
        default=None,
        help="language of the messages (default BBBMS_LANG or ky)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    m = sub.add_parser("migrate", help="apply database migrations")
    m.set_defaults(func=_cmd_migrate)

    d = sub.add_parser("demo", help="load the deterministic demo school into an empty database")
    d.add_argument("--pupils", type=int, default=None, help="pupils in total (default 700 per school)")
    d.add_argument("--schools", type=int, default=1)
    d.add_argument("--seed", type=int, default=2025)
    d.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) when a school exists")
    d.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="build the school as it is on this date (default: today): its year, its journal up to the day before",
    )
    d.set_defaults(func=_cmd_demo)

    st = sub.add_parser("stats", help="row counts")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=_cmd_stats)

    u = sub.add_parser("user", help="user accounts")
    usub = u.add_subparsers(dest="user_command", required=True)
    uc = usub.add_parser("create", help="create an account (password on stdin)")
    uc.add_argument("--username", required=True)
    uc.add_argument("--role", required=True, choices=ROLES)
    uc.add_argument("--school", type=int, default=None, help="school id")
    uc.add_argument("--name", default="")
    uc.add_argument("--language", default="ky", choices=("ky", "ru", "en"))
    uc.set_defaults(func=_cmd_user_create)
    up = usub.add_parser("set-password", help="set a new password (on stdin)")
    up.add_argument("username")
    up.set_defaults(func=_cmd_user_set_password)
    ul = usub.add_parser(
        "link-sso",
        help="let an account sign in with an SSO identity (issuer + subject; never matched by e-mail)",
    )
    ul.add_argument("username")
    who = ul.add_mutually_exclusive_group()
    who.add_argument("--issuer", help="the provider's issuer URL, exactly as in its tokens")
    who.add_argument("--provider", help="a provider key of BBBMS_SSO_PROVIDERS (its issuer is used)")
    ul.add_argument("--subject", help="the person's subject (`sub`) at that provider")
    ul.add_argument("--unlink", action="store_true", help="remove the account's SSO link instead")
    ul.set_defaults(func=_cmd_user_link_sso)

    cc = sub.add_parser("check-config", help="list the settings that are unsafe for production (exit 1 if any)")
    cc.set_defaults(func=_cmd_check_config)

    ep = sub.add_parser(
        "export-person",
        help="everything held on one person (subject access request), marked and audited with its purpose",
    )
    whom = ep.add_mutually_exclusive_group(required=True)
    whom.add_argument("--pupil", type=int, help="pupil id")
    whom.add_argument("--guardian", type=int, help="guardian id")
    whom.add_argument("--staff", type=int, help="staff id")
    ep.add_argument("--format", choices=("json", "xlsx"), default="json")
    ep.add_argument("--out", required=True, help="file to write")
    ep.add_argument("--purpose", required=True, help="why the data is exported (kept in the audit log)")
    ep.add_argument("--lang", choices=LANGUAGES, default=None, help="language of the file's marking and the messages")
    ep.set_defaults(func=_cmd_export_person)
    im = sub.add_parser("import", help="import an entity from an XLSX or CSV file (all rows or none)")
    im.add_argument(
        "entity", help="pupil, guardian, staff, class, subject, teaching_assignment, term, academic_year, movement"
    )
    im.add_argument("file")
    im.add_argument("--dry-run", action="store_true", help="check the whole file, write nothing")
    im.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    im.add_argument("--lang", default=None, choices=LANGUAGES, help="language of the messages")
    im.add_argument(
        "--credentials",
        default=None,
        help="user accounts: the file for the new accounts' one-time passwords (default: a new file in "
        "<data dir>/private/credentials; written 0600 before the accounts are saved)",
    )
    im.set_defaults(func=_cmd_import)
    ex = sub.add_parser(
        "export",
        help="export an entity's list to XLSX or CSV, 'marks' of a school year, 'journals' of a term, "
        "'archive' of a school year (ZIP)",
    )
    ex.add_argument("entity")
    ex.add_argument("--out", required=True)
    ex.add_argument("--format", choices=("xlsx", "csv"), default=None)
    ex.add_argument("--school", type=int, default=None, help="only this school")
    ex.add_argument("--year", default=None, help="marks: the school year, 2026-2027 or 2026 (default: the current)")
    ex.add_argument("--term", default=None, help="journals: the term, 1-4 or h1/h2, of the current year")
    ex.add_argument("--lang", default=None, choices=LANGUAGES, help="language of headers, values and messages")
    ex.add_argument(
        "--purpose",
        default="",
        help="why the data is exported (required for personal data: pupil, guardian, staff, user; audited)",
    )
    ex.set_defaults(func=_cmd_export)
    rp = sub.add_parser("report", help="reports as XLSX")
    rsub = rp.add_subparsers(dest="report_command", required=True)
    rc = rsub.add_parser("contingent", help="pupil movement of a period (движение учащихся) to XLSX")
    rc.add_argument("--from", dest="start", required=True, help="first day: 2025-09-01 or 01.09.2025")
    rc.add_argument("--to", dest="end", required=True, help="last day")
    rc.add_argument("--out", required=True, help="the XLSX file to write")
    rc.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    rc.add_argument("--lang", default=None, choices=LANGUAGES, help="language of the report and messages")
    rc.set_defaults(func=_cmd_report_contingent)
    for name, func, about in (
        ("results", _cmd_report_results, "academic results of a term or the year"),
        ("attendance", _cmd_report_attendance, "lessons and days missed by reason"),
        ("teachers", _cmd_report_teachers, "per teacher: hours against the plan, lessons not filled in, marks"),
    ):
        r = rsub.add_parser(name, help=about)
        r.add_argument("--term", required=True, help="quarter 1-4, half-year h1/h2, or 'year'")
        r.add_argument("--out", required=True, help="XLSX file to write")
        r.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
        r.add_argument("--lang", default=None, choices=LANGUAGES, help="language of the workbook and the messages")
        if name == "results":
            r.add_argument("--subject", default=None, help="one subject's code (default: all subjects)")
            r.add_argument("--sex", default=None, choices=("m", "f"), help="boys or girls only")
        elif name == "teachers":
            r.add_argument("--teacher", default=None, help="one teacher: his staff id or surname (default: all)")
            r.add_argument("--late-days", type=int, default=3, help="a mark written more than N days late is late")
        else:
            r.add_argument("--month", default=None, help="one month of the period, YYYY-MM")
            r.add_argument("--threshold", type=int, default=10, help="unexcused lessons that put a pupil on the list")
        r.set_defaults(func=func)

    ac = sub.add_parser("api-client", help="clients of the integration API (OAuth 2 client credentials)")
    acsub = ac.add_subparsers(dest="api_client_command", required=True)
    acc = acsub.add_parser("create", help="register a client; prints its id and secret once")
    acc.add_argument("--name", required=True, help="what the client is, e.g. «Moodle of school 5»")
    acc.add_argument("--scopes", required=True, help="comma-separated: roster:read,gradebook:read")
    acc.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    acc.set_defaults(func=_cmd_api_client_create)
    acr = acsub.add_parser("revoke", help="switch a client off and void its tokens")
    acr.add_argument("id", type=int, help="the client's number (printed by create and list)")
    acr.set_defaults(func=_cmd_api_client_revoke)
    acl = acsub.add_parser("list", help="the registered clients")
    acl.set_defaults(func=_cmd_api_client_list)
    orc = sub.add_parser("oneroster-csv", help="write the school's OneRoster 1.2 CSV bundle (zip)")
    orc.add_argument("out", help="the zip file to write")
    orc.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    orc.set_defaults(func=_cmd_oneroster_csv)

    # Operations (backup, restore, restore-drill, init, migrate-data, jobs, prepare): cli_ops.py.
    from bbbms_app import cli_ops

    cli_ops.add_commands(sub)
    from bbbms_app import cli_exchange  # exchange export / import (issue 19 §4)

    cli_exchange.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; refusals and failures are one translated line on stderr, never a traceback."""
    global _lang_now
    args = build_parser().parse_args(argv)
    _lang_now = _lang(args)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(_say(exc.key, **exc.params), file=sys.stderr)
        return 2
    except db.DatabaseBusy as exc:
        print(_say(exc.key, **exc.params), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away; stop quietly, without a second error at exit.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaced for the rest of the process
        return 0
    except Exception as exc:
        # A reference the operator can quote; the details (which may hold personal data, e.g. the
        # values of a failed SQL statement) go to stderr only when asked for with BBBMS_DEBUG=1.
        ref = secrets.token_hex(4)
        print(_say("cli.error.unexpected", kind=type(exc).__name__, ref=ref), file=sys.stderr)
        if os.environ.get("BBBMS_DEBUG") == "1":
            import traceback

            traceback.print_exc()
        return 1
