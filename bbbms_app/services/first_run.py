"""A real school's first start: the school, its director (staff card and account with a one-time
password), and the copy of a whole database to another one (SQLite → PostgreSQL) with its check.

`python -m bbbms_app init` and `make run` (when the database holds no school and no demo is
wanted) call `create_school`; `python -m bbbms_app migrate-data --to URL` calls `copy_database`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlmodel import Session

from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import School, Staff
from bbbms_app.services import accounts, audit, backup
from bbbms_app.services.engine.profiles.user import one_time_password

OKPO = re.compile(r"^\d{8,10}$")
USERNAME = re.compile(r"^[a-z0-9_.\-]{3,40}$")


class SetupRefused(ValueError):
    """Bad answers to the first-run questions; the message names the field."""


@dataclass(frozen=True)
class NewSchool:
    school_id: int
    username: str
    password: str  # shown once, never stored in clear


def create_school(
    session: Session,
    *,
    name: str,
    okpo: str,
    director: str,
    director_name: str,
    name_ru: str = "",
    language: str = "ky",
) -> NewSchool:
    """Create the school and its first director, who must change the one-time password at sign-in."""
    name, name_ru = name.strip(), (name_ru or name).strip()
    okpo, director = okpo.strip(), director.strip().lower()
    if not name or len(name) > 200 or len(name_ru) > 200:
        raise SetupRefused("--school-name: give the school's name (at most 200 characters)")
    if not OKPO.match(okpo):
        raise SetupRefused(f"--okpo: {okpo!r} is not an OKPO code (8 digits)")
    if not USERNAME.match(director):
        raise SetupRefused(f"--director: {director!r} is not a user name (3–40 of a-z, 0-9, . _ -)")
    if session.exec(select(School.id).where(School.okpo == okpo)).first() is not None:
        raise SetupRefused(f"--okpo: a school with OKPO {okpo} already exists")
    parts = director_name.split() or [director]
    last, first = parts[0], " ".join(parts[1:2]) or parts[0]
    patronymic = " ".join(parts[2:])
    school = School(okpo=okpo, name_ky=name, name_ru=name_ru, languages="ky,ru")
    session.add(school)
    session.flush()
    assert school.id is not None
    staff = Staff(
        school_id=school.id,
        last_name=last[:80],
        first_name=first[:80],
        patronymic=patronymic[:80],
        position="director",
        search_key=search_key(last, first, patronymic),
        sort_key=sort_key(last, first, patronymic),
    )
    session.add(staff)
    session.flush()
    audit.record(session, None, "create", "school", school.id, new=f"{okpo} {name}", school_id=school.id)
    password = one_time_password()
    try:
        accounts.create_user(
            session,
            director,
            "director",
            password,
            school_id=school.id,
            full_name=" ".join(parts)[:200],
            staff_id=staff.id,
            language=language,
            check_password_rules=False,  # a random slip password; the director sets his own at once
            must_change_password=True,
        )
    except accounts.AccountError as exc:
        raise SetupRefused(f"--director: the user name {director!r} cannot be used ({exc.key})") from exc
    return NewSchool(school.id, director, password)


@dataclass(frozen=True)
class CopyResult:
    tables: int
    rows: int


def copy_database(source: Engine, target: Engine, *, batch: int = 2000) -> CopyResult:
    """Copy every table of the app from `source` to `target` (migrated to the same revision, empty),
    in one transaction on the target, then compare row counts and content hashes per table; any
    difference rolls the copy back. PostgreSQL's id sequences are moved past the copied ids."""
    with source.connect() as src, target.connect() as dst:
        src_rev, dst_rev = backup.revision(src), backup.revision(dst)
        if src_rev != dst_rev:
            raise SetupRefused(f"the source is at schema {src_rev} and the target at {dst_rev}: migrate both first")
        if backup.holds_data(dst):
            raise SetupRefused("the target database already holds data: copy into a new, empty database")
        present = set(inspect(dst).get_table_names())
        rows = 0
        src.rollback()
        dst.rollback()  # end the checks' implicit transactions: the copy reads one snapshot, writes one transaction
        with src.begin(), dst.begin():
            want = backup.table_digests(src)
            if dst.dialect.name == "postgresql":
                # The audit trail's append-only triggers and foreign keys are checked at the end.
                dst.execute(text("SET CONSTRAINTS ALL DEFERRED"))
            for table in backup._tables():
                if table.name not in present or table.name not in want:
                    continue
                order = list(table.primary_key.columns) or list(table.columns)
                chunk: list[dict] = []
                for row in src.execution_options(yield_per=batch).execute(select(table).order_by(*order)):
                    chunk.append(dict(row._mapping))
                    if len(chunk) >= batch:
                        dst.execute(insert(table), chunk)
                        rows += len(chunk)
                        chunk = []
                if chunk:
                    dst.execute(insert(table), chunk)
                    rows += len(chunk)
                if dst.dialect.name == "postgresql" and "id" in table.c and table.c.id.autoincrement:
                    top = dst.execute(select(func.max(table.c.id))).scalar()
                    if top is not None:
                        dst.execute(
                            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                            {"t": f'"{table.name}"', "v": top},
                        )
            got = backup.table_digests(dst)
            for name, digest in want.items():
                if got.get(name) != digest:
                    raise SetupRefused(f"table {name}: the copy differs from the source ({got.get(name)} ≠ {digest})")
    return CopyResult(len(want), rows)
