"""`python -m bbbms_app …`: migrate, demo data, statistics, user accounts."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path

from sqlmodel import select

from bbbms_app import db, settings

ROOT = Path(__file__).resolve().parent.parent


def migrate(url: str | None = None) -> None:
    """Apply every Alembic migration to the configured database (or `url`)."""
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["configure_logger"] = False
    if url:
        cfg.attributes["url"] = url
    _collapse_old_branches(cfg, url)
    command.upgrade(cfg, "head")
    # A SQLite table rebuilt by a later migration loses its triggers: put the search index's back.
    from bbbms_app.models import search_index

    with db.engine(url).begin() as conn:
        search_index.ensure(conn)


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
            raise SystemExit(f"alembic_version holds unknown revisions: {sorted(rows - set(chain))}")
        last = max(chain.index(r) for r in rows)
        applied = rows | {chain[0]}
        if "0003_timetable_admin" in rows:  # its old parent, 0002_timetable, had no row of its own
            applied.add("0002_timetable")
        missing = [r for r in chain[: last + 1] if r not in applied]
        if missing:
            raise SystemExit(f"this database lacks {missing}: migrate it with the release that made it first")
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": chain[last]})


def _cmd_migrate(_args: argparse.Namespace) -> int:
    migrate()
    print("migrated:", _safe_url())
    return 0


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.get().database_url).render_as_string(hide_password=True)


def _print_accounts() -> None:
    from bbbms_app import demo

    print(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for username, role in demo.DEMO_ACCOUNTS:
        print(f"  {username:<14} {role}")


def _cmd_demo(args: argparse.Namespace) -> int:
    from bbbms_app import demo

    migrate()
    eng = db.engine()
    if not demo.is_empty(eng):
        if args.if_empty:
            print("The database already holds a school; demo not loaded.")
            _print_accounts()
            return 0
        print("The database is not empty: demo data goes only into an empty database.", file=sys.stderr)
        return 2
    summary = demo.generate(
        eng,
        pupils=args.pupils,
        schools=args.schools,
        seed=args.seed,
        today=args.today,
        progress=lambda m: print(m, flush=True),
    )
    print(
        f"Demo loaded in {summary.seconds:.1f} s ({summary.year}): {summary.schools} schools, {summary.pupils} pupils, "
        f"{summary.classes} classes, {summary.staff} staff, {summary.lessons} lessons, {summary.marks} marks, "
        f"{summary.attendance} attendance records."
    )
    _print_accounts()
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from bbbms_app.services import stats

    with db.session() as s:
        counts = stats.counts(s)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    else:
        for key, value in counts.items():
            print(f"{key:<12} {value}")
    return 0


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise SystemExit("The passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\n")


def _cmd_user_create(args: argparse.Namespace) -> int:
    from bbbms_app.i18n import t
    from bbbms_app.services import accounts, passwords

    password = _read_password("Password: ")
    try:
        with db.session(write=True) as s:
            user = accounts.create_user(
                s,
                args.username,
                args.role,
                password,
                school_id=args.school,
                full_name=args.name or "",
                language=args.language,
            )
            print(f"created user {user.username} ({user.role})")
    except (accounts.AccountError, passwords.PasswordRejected) as exc:
        print(t(exc.key, args.language, **exc.params), file=sys.stderr)
        return 2
    return 0


def _cmd_user_set_password(args: argparse.Namespace) -> int:
    from bbbms_app.i18n import t
    from bbbms_app.models import User
    from bbbms_app.services import accounts, passwords

    password = _read_password("New password: ")
    try:
        with db.session(write=True) as s:
            user = s.exec(select(User).where(User.username == args.username.strip().lower())).first()
            if user is None:
                print(f"no such user: {args.username}", file=sys.stderr)
                return 2
            accounts.set_password(s, user, password)
            print(f"password changed for {user.username}; their sessions were closed")
    except passwords.PasswordRejected as exc:
        print(t(exc.key, "en", **exc.params), file=sys.stderr)
        return 2
    return 0


def _cmd_user_link_sso(args: argparse.Namespace) -> int:
    from bbbms_app.i18n import t
    from bbbms_app.models import User
    from bbbms_app.services import accounts, sso

    issuer = args.issuer
    if args.provider:
        provider = settings.get().sso_provider(args.provider)
        if provider is None:
            print(f"no SSO provider {args.provider!r} in the settings (BBBMS_SSO_PROVIDERS)", file=sys.stderr)
            return 2
        issuer = provider.issuer
    try:
        with db.session(write=True) as s:
            user = s.exec(select(User).where(User.username == args.username.strip().lower())).first()
            if user is None:
                print(f"no such user: {args.username}", file=sys.stderr)
                return 2
            if args.unlink:
                sso.unlink(s, user)
                print(f"{user.username}: SSO link removed; their sessions were closed")
            else:
                sso.link(s, user, issuer or "", args.subject or "")
                print(f"{user.username} now signs in as {user.oidc_subject} at {user.oidc_issuer}")
    except accounts.AccountError as exc:
        print(t(exc.key, "en", **exc.params), file=sys.stderr)
        return 2
    return 0


def _cmd_check_config(_args: argparse.Namespace) -> int:
    problems = settings.check_production()
    for problem in problems:
        print(f"- {problem}")
    if not problems:
        print("no unsafe setting for production")
    return 1 if problems else 0


def _cmd_export_person(args: argparse.Namespace) -> int:
    """Subject access request from the server's console: the operator, not a web role, is recorded."""
    from bbbms_app.i18n import t
    from bbbms_app.services import consent, export_marking, subject_access

    subject_type, subject_id = next((k, v) for k in ("pupil", "guardian", "staff") if (v := getattr(args, k)))
    operator = f"cli:{getpass.getuser()}"[:80]
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
                lang=args.lang,
            )
            Path(args.out).write_bytes(data)
    except export_marking.ExportInvalid as exc:
        print(t(exc.key, args.lang, **exc.params), file=sys.stderr)
        return 2
    except consent.OutOfScope:
        print(f"no such {subject_type}: {subject_id}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({len(data)} bytes); the export is recorded in the audit log as {operator}")
    return 0


def _operator_school(school: int | None) -> int | None:
    """The school a console import or export is about: the one given, or the only one there is."""
    from bbbms_app.models import School

    if school is not None:
        return school
    with db.session() as s:
        ids = list(s.exec(select(School.id).limit(2)).all())
    return ids[0] if len(ids) == 1 else None


def _cmd_import(args: argparse.Namespace) -> int:
    """Import an entity from XLSX/CSV as the admin screens do: the whole file checked, all or nothing."""
    from bbbms_app.admin.registry import ENTITIES
    from bbbms_app.services import data_import

    spec = ENTITIES.specs.get(args.entity)
    if spec is None or not spec.importable:
        names = ", ".join(s.name for s in ENTITIES if s.importable)
        print(f"cannot import {args.entity!r}; importable: {names}", file=sys.stderr)
        return 2
    school = _operator_school(args.school)
    if school is None:
        print("several schools: say which with --school ID", file=sys.stderr)
        return 2
    data = Path(args.file).read_bytes()
    with db.session(write=True) as s:
        result = data_import.run(
            s, spec, None, data, Path(args.file).name, lang=args.lang, dry_run=args.dry_run, school_id=school
        )
    for e in result.errors:
        where = f"row {e.row}" + (f", {e.column}" if e.column else "")
        print(f"{where}: {e.value!r}: {e.message}" if e.value else f"{where}: {e.message}", file=sys.stderr)
    print(data_import.summary(result, args.lang), file=sys.stderr if result.errors else sys.stdout)
    if result.credentials:
        # New accounts: their one-time passwords go to a file only the operator can read.
        from datetime import datetime

        out = Path(args.credentials or f"credentials-{datetime.now():%Y%m%d-%H%M%S}.xlsx")
        out.touch(mode=0o600)
        out.chmod(0o600)
        out.write_bytes(data_import.credentials_sheet(result, args.lang))
        print(f"one-time passwords of {len(result.credentials)} new accounts: {out}")
    return 1 if result.errors else 0


def _cmd_export(args: argparse.Namespace) -> int:
    """Export an entity's list to XLSX or CSV (the format follows --out unless --format says).

    Personal data (pupils, guardians, staff, users) needs --purpose; the export is audited with it
    under the console user, as export-person does, and the file is marked."""
    from bbbms_app.admin.registry import ENTITIES
    from bbbms_app.i18n import t
    from bbbms_app.services import data_export, export_marking

    spec = ENTITIES.specs.get(args.entity)
    if spec is None:
        print(f"unknown entity {args.entity!r}; known: {', '.join(ENTITIES.specs)}", file=sys.stderr)
        return 2
    fmt = args.format or ("csv" if args.out.lower().endswith(".csv") else "xlsx")
    operator = f"cli:{getpass.getuser()}"[:80]
    out = Path(args.out)
    existed = out.exists()
    try:
        with db.session(write=True) as s:
            n = data_export.export(
                s,
                spec,
                None,
                out,
                fmt=fmt,
                lang=args.lang,
                school_id=args.school,
                purpose=args.purpose or "",
                operator=operator,
            )
    except export_marking.ExportInvalid as exc:
        print(f"{args.entity}: {t(exc.key, args.lang, **exc.params)} (--purpose)", file=sys.stderr)
        return 2
    except BaseException:
        if not existed:
            out.unlink(missing_ok=True)  # no file without its audit event
        raise
    marked = f"; recorded in the audit log as {operator}" if data_export.is_personal(spec) else ""
    print(f"wrote {n} records to {args.out}{marked}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from bbbms_app.models import ROLES

    p = argparse.ArgumentParser(prog="python -m bbbms_app", description="BBBMS command line")
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
    ep.add_argument("--lang", choices=("ky", "ru", "en"), default="ky", help="language of the file's marking")
    ep.set_defaults(func=_cmd_export_person)
    im = sub.add_parser("import", help="import an entity from an XLSX or CSV file (all rows or none)")
    im.add_argument("entity", help="pupil, guardian, staff, class, subject, teaching_assignment, term, academic_year")
    im.add_argument("file")
    im.add_argument("--dry-run", action="store_true", help="check the whole file, write nothing")
    im.add_argument("--school", type=int, default=None, help="school id (needed when there are several)")
    im.add_argument("--lang", default="ky", choices=("ky", "ru", "en"), help="language of the messages")
    im.add_argument(
        "--credentials", default=None, help="user accounts: where to write the new accounts' one-time passwords"
    )
    im.set_defaults(func=_cmd_import)
    ex = sub.add_parser("export", help="export an entity's list to XLSX or CSV")
    ex.add_argument("entity")
    ex.add_argument("--out", required=True)
    ex.add_argument("--format", choices=("xlsx", "csv"), default=None)
    ex.add_argument("--school", type=int, default=None, help="only this school")
    ex.add_argument("--lang", default="ky", choices=("ky", "ru", "en"), help="language of headers and values")
    ex.add_argument(
        "--purpose",
        default="",
        help="why the data is exported (required for personal data: pupil, guardian, staff, user; audited)",
    )
    ex.set_defaults(func=_cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
