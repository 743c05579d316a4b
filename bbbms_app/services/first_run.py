"""A real school's first start: the school, its director (staff card and account with a one-time
password), and the copy of a whole database to another one (SQLite → PostgreSQL) with its check.

`python -m bbbms_app init` and `make run` (when the database holds no school and no demo is
wanted) call `create_school`; `python -m bbbms_app migrate-data --to URL` calls `copy_database`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlmodel import Session

from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import AcademicYear, GradingPolicy, School, Staff, User
from bbbms_app.services import accounts, audit, backup, places, school_calendar
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.profiles.user import one_time_password
from bbbms_app.services.errors import Refused

OKPO = re.compile(r"^\d{8,10}$")
USERNAME = re.compile(r"^[a-z0-9_.\-]{3,40}$")


class SetupRefused(Refused, ValueError):
    """Bad answers to the first-run questions (or a refused copy).

    `str()` is the console's English line, naming the flag; `key`, `field` and `params` are the
    translated message the district's screen shows next to its field (services/errors.Refused)."""

    def __init__(self, text: str, key: str = "district.error.setup", field: str | None = None, **params: object):
        if key == "district.error.setup":
            params.setdefault("detail", text)
        super().__init__(key, field=field, **params)
        self.text = text

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class NewSchool:
    school_id: int
    username: str
    password: str  # shown once, never stored in clear


# Grading policies of a new school's year, as the demo's and most schools' local act: grade 1
# is not marked, grades 2–11 on the five-point scale (the director edits them afterwards).
POLICIES = (
    {"grade_from": 1, "grade_to": 1, "scale": "none", "min_marks": 0},
    {"grade_from": 2, "grade_to": 11, "scale": "five_point", "min_marks": 3},
)


def check_place(region: str, rayon: str) -> tuple[str, str]:
    """The school's region and rayon codes (kg_places.csv), checked: a region is an oblast or a
    city of republican significance; a rayon lies in that oblast (a city is its own rayon)."""
    region, rayon = (region or "").strip(), (rayon or "").strip()
    if not region and not rayon:
        return "", ""
    place = places.PLACES.get(region)
    if place is None or place.kind not in ("oblast", "city"):
        raise SetupRefused(f"--region: {region!r} is not a region code", "district.error.region", field="region")
    if place.kind == "city":
        if rayon not in ("", region):
            raise SetupRefused(f"--rayon: {rayon!r} is not in {region}", "district.error.rayon", field="rayon")
        return region, region
    within = places.PLACES.get(rayon)
    if within is None or within.kind != "rayon" or within.parent != region:
        raise SetupRefused(f"--rayon: {rayon!r} is not a rayon of {region}", "district.error.rayon", field="rayon")
    return region, rayon


def create_school(
    session: Session,
    *,
    name: str,
    okpo: str,
    director: str,
    director_name: str,
    name_ru: str = "",
    language: str = "ky",
    region: str = "",
    rayon: str = "",
    actor: Principal | None = None,
    today: date | None = None,
    require_place: bool = False,
) -> NewSchool:
    """Create the school, its current academic year with the quarters and days off of the shipped
    calendar and the grading policies, and its first director, who must change the one-time
    password at sign-in. Shared by `python -m bbbms_app init [--add]` (actor None: the operator)
    and the district's /schools screen (services/district.py, which requires the region and the
    director's name: `require_place`). Answers are checked in the form's order. Audited; the
    caller commits."""
    name, name_ru = name.strip(), (name_ru or name).strip()
    okpo, director = okpo.strip(), director.strip().lower()
    if not name or len(name) > 200 or len(name_ru) > 200:
        raise SetupRefused(
            "--school-name: give the school's name (at most 200 characters)", "district.error.name", field="name"
        )
    if not OKPO.match(okpo):
        raise SetupRefused(
            f"--okpo: {okpo!r} is not an OKPO code (8 digits)", "district.error.okpo", field="okpo", okpo=okpo[:20]
        )
    if require_place and not (region or "").strip():
        raise SetupRefused("--region: required", "district.error.region", field="region")
    region, rayon = check_place(region, rayon)
    if not USERNAME.match(director):
        raise SetupRefused(
            f"--director: {director!r} is not a user name (3–40 of a-z, 0-9, . _ -)",
            "district.error.username",
            field="director",
        )
    if len(director_name) > 200 or (require_place and not director_name.strip()):
        raise SetupRefused(
            "--director-name: at most 200 characters", "district.error.director_name", field="director_name"
        )
    if session.exec(select(School.id).where(School.okpo == okpo)).first() is not None:
        raise SetupRefused(
            f"--okpo: a school with OKPO {okpo} already exists", "district.error.okpo_taken", field="okpo", okpo=okpo
        )
    if session.exec(select(User.id).where(User.username == director)).first() is not None:
        raise SetupRefused(
            f"--director: the user name {director!r} cannot be used (taken)",
            "district.error.username_taken",
            field="director",
            username=director,
        )
    parts = director_name.split() or [director]
    last, first = parts[0], " ".join(parts[1:2]) or parts[0]
    patronymic = " ".join(parts[2:])
    school = School(okpo=okpo, name_ky=name, name_ru=name_ru, languages="ky,ru", region=region, rayon=rayon)
    session.add(school)
    session.flush()
    assert school.id is not None
    where = f" {region}/{rayon}" if region else ""
    audit.record(session, actor, "create", "school", school.id, new=f"{okpo} {name}{where}", school_id=school.id)
    _first_year(session, actor, school.id, today or date.today())
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
            actor=actor,
            check_password_rules=False,  # a random slip password; the director sets his own at once
            must_change_password=True,
        )
    except accounts.AccountError as exc:
        raise SetupRefused(
            f"--director: the user name {director!r} cannot be used ({exc.key})",
            "district.error.username",
            field="director",
        ) from exc
    return NewSchool(school.id, director, password)


def _first_year(session: Session, actor: Principal | None, school_id: int, today: date) -> int:
    """The school's current academic year (the shipped calendar: quarters and days off) and its
    grading policies; returns the year's id."""
    cal = school_calendar.calendar_for(school_calendar.academic_year_of(today))
    year = AcademicYear(
        school_id=school_id, name=cal.name, starts_on=cal.starts_on, ends_on=cal.ends_on, is_current=True
    )
    session.add(year)
    session.flush()
    assert year.id is not None
    audit.record(session, actor, "create", "academicyear", year.id, new=cal.name, school_id=school_id)
    school_calendar.add_year_calendar(session, school_id, year.id, cal)
    for policy in POLICIES:
        session.add(GradingPolicy(school_id=school_id, academic_year_id=year.id, **policy))
    session.flush()
    return year.id


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
