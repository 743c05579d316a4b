"""The demo school generator: deterministic, realistic Kyrgyz schools living in today's school year.

`generate()` fills a database with schools as a Bishkek school keeps them (`school.SchoolBuilder`):
the academic year of `today` with its quarters, breaks and holidays (services.school_calendar),
grades 1–11 in Kyrgyz- and Russian-language classes, staff, the curriculum in its order, teaching
assignments, pupils with PINs and guardians, a weekly timetable, every lesson from the first day up
to yesterday with topics, homework, marks and absences, the quarters already over closed with their
quarter marks, and last year as history (its classes, quarter and year marks, graduations and
promotions in the movement book); and eight demo accounts for the first school.

`python -m bbbms_app demo --today 2026-12-02` builds the school of another date. The package is a
tool, not a service: it writes rows in bulk (`tables`) and imports the services it shares rules
with (grading, the calendar, accounts); nothing of the app imports it but the command line.
"""

from __future__ import annotations

import os
import queue
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from bbbms_app.demo.communication import add_announcements, add_events
from bbbms_app.demo.documents import add_documents
from bbbms_app.demo.learning import add_courses
from bbbms_app.demo.messaging import add_messages
from bbbms_app.demo.portfolio import add_portfolio
from bbbms_app.demo.quiz import add_quiz
from bbbms_app.demo.reference import KY_FEMALE, KY_MALE, KY_SURNAMES, SUBJECTS
from bbbms_app.demo.school import SchoolBuilder
from bbbms_app.demo.tables import TABLE_ORDER, Ids, reset_sequences, write_school
from bbbms_app.models import School, User
from bbbms_app.services import accounts

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "KY_FEMALE",
    "KY_MALE",
    "KY_SURNAMES",
    "PUPILS_PER_SCHOOL",
    "SUBJECTS",
    "DemoSummary",
    "generate",
    "is_empty",
]

DEMO_PASSWORD = "bbbms-demo"  # noqa: S105 - public on purpose: the demo's sign-in page shows it
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("admin", "administrator"),
    ("director", "director"),
    ("deputy", "deputy"),
    ("teacher", "teacher"),
    ("classteacher", "class_teacher"),
    ("clerk", "clerk"),
    ("parent", "parent"),
    ("pupil", "pupil"),
]
PUPILS_PER_SCHOOL = 700


@dataclass
class DemoSummary:
    """What one `generate()` call wrote, and how long it took."""

    schools: int = 0
    pupils: int = 0  # on this year's class lists (the movement book's departures included)
    graduates: int = 0  # last year's 11th graders, in the alphabetic book
    guardians: int = 0
    staff: int = 0
    classes: int = 0
    lessons: int = 0
    marks: int = 0
    attendance: int = 0
    period_marks: int = 0
    users: int = 0
    year: str = ""
    seconds: float = 0.0


def is_empty(engine: Engine) -> bool:
    """True when the database holds no school (the demo may be loaded)."""
    with Session(engine) as session:
        return session.exec(select(School.id).limit(1)).first() is None  # type: ignore[call-overload]


def has_demo_accounts(engine: Engine) -> bool:
    """True when every demo account is in the database (a demo built earlier), not a real school's
    (whose first account is its director's, made by `init`)."""
    names = [username for username, _role in DEMO_ACCOUNTS]
    with Session(engine) as session:
        found = session.exec(select(User.username).where(User.username.in_(names))).all()  # type: ignore[attr-defined]
    return len(set(found)) == len(names)


def _create_users(engine: Engine, school_id: int, links: dict[str, tuple[str, int, str]]) -> int:
    created = 0
    with Session(engine) as session:
        for username, role in DEMO_ACCOUNTS:
            if session.exec(select(User.id).where(User.username == username)).first() is not None:
                continue  # an earlier demo made it; keep it
            link = links.get(role)
            kwargs: dict[str, int] = {link[0]: link[1]} if link else {}
            accounts.create_user(
                session,
                username,
                role,
                DEMO_PASSWORD,
                school_id=school_id,
                full_name=link[2] if link else username,
                language="ky",
                check_password_rules=True,
                **kwargs,
            )
            created += 1
        session.commit()
    return created


def generate(
    engine: Engine,
    *,
    pupils: int | None = None,
    schools: int = 1,
    seed: int = 2025,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write `schools` demo schools with `pupils` pupils in all (700 a school by default), living in
    the academic year of `today` (the real date by default) with everything before it filled in.

    Same seed, same `today`, same database state: same data. Demo accounts (password DEMO_PASSWORD)
    belong to the first school written by this call; accounts that already exist are left alone.
    """
    if schools < 1:
        raise ValueError("schools must be at least 1")
    total = PUPILS_PER_SCHOOL * schools if pupils is None else pupils
    if total < 0:
        raise ValueError("pupils must not be negative")
    today = today or date.today()
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    summary = DemoSummary()
    with engine.begin() as conn:
        ids = Ids(conn)
        pupil_table = SQLModel.metadata.tables["pupil"]
        guardian_table = SQLModel.metadata.tables["guardian"]
        school_table = SQLModel.metadata.tables["school"]
        used_pins = {p for (p,) in conn.execute(select(pupil_table.c.pin).where(pupil_table.c.pin.is_not(None)))}
        used_pins |= {p for (p,) in conn.execute(select(guardian_table.c.pin).where(guardian_table.c.pin.is_not(None)))}
        used_okpo = {o for (o,) in conn.execute(select(school_table.c.okpo))}
    used_numbers: set[int] = set()
    links: dict[str, tuple[str, int, str]] = {}
    first_school_id = 0
    write_engine = engine.execution_options(bbbms_write=True)  # SQLite: BEGIN IMMEDIATE
    # PostgreSQL spends its time in index upkeep and foreign-key checks, one core per connection:
    # schools are independent transactions with ids fixed in advance, so several are written at
    # once. SQLite has one writer; its single worker still overlaps writing with building the next.
    workers = min(4, os.cpu_count() or 1) if engine.dialect.name == "postgresql" else 1
    pending: deque[tuple[Future[None], dict[str, int]]] = deque()

    def finish_oldest() -> None:
        future, sizes = pending.popleft()
        future.result()
        summary.schools += 1
        summary.pupils += sizes["pupil"] - sizes["graduates"]
        summary.graduates += sizes["graduates"]
        summary.period_marks += sizes["periodmark"]
        summary.guardians += sizes["guardian"]
        summary.staff += sizes["staff"]
        summary.classes += sizes["schoolclass"]
        summary.lessons += sizes["lesson"]
        summary.marks += sizes["mark"]
        summary.attendance += sizes["attendance"]
        say(
            f"school {summary.schools}/{schools}: {sizes['pupil'] - sizes['graduates']} pupils, "
            f"{sizes['lesson']} lessons, {sizes['mark']} marks, {sizes['attendance']} absences, "
            f"{sizes['periodmark']} quarter and year marks ({time.perf_counter() - started:.1f} s)"
        )

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="demo-writer") as pool:
        try:
            for index in range(schools):
                n = total // schools + (1 if index < total % schools else 0)
                # One generator per school, seeded from the run's seed: a school's data does not
                # depend on how many draws the previous schools took (except a rare PIN clash).
                builder = SchoolBuilder(
                    random.Random(f"bbbms-demo:{seed}:{index}"),
                    ids,
                    n,
                    used_pins,
                    used_okpo,
                    used_numbers,
                    today=today,
                    track_links=index == 0,
                )
                # The writer starts on the school's first part (all but this year's journal) while
                # the journal is built: on SQLite, building and writing share the two halves of the work.
                parts: queue.SimpleQueue[dict[str, list[tuple]] | BaseException | None] = queue.SimpleQueue()
                future = pool.submit(write_school, write_engine, iter(parts.get, None))
                try:
                    builder.build(handover=parts.put)
                except BaseException as exc:
                    parts.put(exc)  # the writer rolls the school back and stops
                    raise
                parts.put(builder.rows)
                parts.put(None)
                if index == 0:
                    links = builder.links()
                    first_school_id = builder.school_id
                    summary.year = builder.cal.name
                sizes = {table: len(rows) + builder.handed_over.get(table, 0) for table, rows in builder.rows.items()}
                sizes["graduates"] = sum(len(c.pupils) for c in builder.graduating)
                pending.append((future, sizes))
                del builder  # the writer holds the rows until they are written
                while len(pending) >= workers:
                    finish_oldest()
            while pending:
                finish_oldest()
        except BaseException:
            for future, _sizes in pending:
                future.cancel()
            raise
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            reset_sequences(conn, TABLE_ORDER)
            for table in ("lesson", "mark", "attendance", "pupil", "enrollment", "pupilguardian", "guardian"):
                conn.execute(text(f'ANALYZE "{table}"'))  # fresh statistics for the first queries
    summary.users = _create_users(engine, first_school_id, links)
    say(f"demo accounts: {summary.users} created (password {DEMO_PASSWORD!r})")
    if first_school_id:
        say(f"demo announcements: {add_announcements(engine, first_school_id, today)}")
        say(f"demo events: {add_events(engine, first_school_id, today)}")
        say(f"demo documents: {add_documents(engine, first_school_id, today)}")
        say(f"demo courses: {add_courses(engine, first_school_id, today)}")
        say(f"demo portfolio and project: {add_portfolio(engine, first_school_id, today)}")
        say(f"demo tests: {add_quiz(engine, first_school_id, today)}")
        say(f"demo messages: {add_messages(engine, first_school_id, today)}")
    summary.seconds = time.perf_counter() - started
    return summary
