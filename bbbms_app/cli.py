"""`python -m bbbms_app …`: migrate, demo data, statistics, user accounts."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
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
    # "heads": areas of the app may add their tables on parallel branches of the history.
    command.upgrade(cfg, "heads")


def _cmd_migrate(_args: argparse.Namespace) -> int:
    migrate()
    print("migrated:", _safe_url())
    return 0


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.get().database_url).render_as_string(hide_password=True)


def _print_accounts() -> None:
    from bbbms_app.services import demo

    print(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for username, role in demo.DEMO_ACCOUNTS:
        print(f"  {username:<14} {role}")


def _cmd_demo(args: argparse.Namespace) -> int:
    from bbbms_app.services import demo

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
        eng, pupils=args.pupils, schools=args.schools, seed=args.seed, progress=lambda m: print(m, flush=True)
    )
    print(
        f"Demo loaded in {summary.seconds:.1f} s: {summary.schools} schools, {summary.pupils} pupils, "
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
