"""The journal benchmarks' data: the demo school plus one big journal of 40 pupils × 70 lessons.

The demo's first quarter has about 46 school days, so no demo journal reaches 70 columns; the
benchmark class 11-Я gets 70 maths lessons (two a day, as a double lesson) taught by the demo
account "teacher", 40 pupils, a mark in about 30 % of the cells and an absence in about 5 %.
Deterministic (one seeded random). Used by journal_grid.py, journal_writers.py and journal_ws.py.

    .venv/bin/python bench/journal_data.py --db /tmp/bbbms-bench/journal.db   # make it once, print its ids
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlmodel import SQLModel, select

from bbbms_app import db, demo, settings
from bbbms_app.cli import migrate
from bbbms_app.i18n.collation import search_key, sort_key
from bbbms_app.models import AcademicYear, SchoolClass, Subject, TeachingAssignment, Term, User

DEFAULT_DB = Path("/tmp/bbbms-bench/journal.db")

PUPILS, LESSONS = 40, 70
BENCH_USERS = 50  # teacher accounts "bench01"… share the big journal's assignment in the websocket benchmark


@dataclass
class BigJournal:
    url: str
    class_id: int
    subject_id: int
    term_id: int
    teacher_staff_id: int
    pupil_ids: list[int]
    lesson_ids: list[int]
    # The district bench (several schools): the accounts of school k are "s{k}.bench01"…,
    # "s{k}.parent" and "s{k}.pupil"; the first school keeps the demo's names (prefix "").
    prefix: str = ""
    school_id: int = 0


def build(path: Path) -> BigJournal:
    """Create (or reuse) the benchmark database at `path`."""
    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    settings.reload()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        migrate(url)
        demo.generate(db.engine(url), pupils=700, schools=1, seed=7)
        _add_big_journal(url)
    return load(url)


def build_district(url: str, schools: int) -> list[BigJournal]:
    """A district's benchmark database at `url` (SQLite or an empty PostgreSQL database): `schools`
    demo schools of 700 pupils, each with its own big journal, 50 bench teachers and a parent's and
    a pupil's account. Reused when it already holds that many schools."""
    from bbbms_app.models import School

    os.environ["DATABASE_URL"] = url
    settings.reload()
    migrate(url)
    with db.session(url) as s:
        have = len(s.exec(select(School.id)).all())
    if have not in (0, schools):
        raise SystemExit(f"{url} holds {have} schools, not {schools}: give an empty database")
    if have == 0:
        demo.generate(db.engine(url), pupils=700 * schools, schools=schools, seed=7)
        with db.session(url) as s:
            ids = sorted(s.exec(select(School.id)).all())
        for k, school_id in enumerate(ids, start=1):
            _add_big_journal(url, school_id, _prefix(k))
    with db.session(url) as s:
        ids = sorted(s.exec(select(School.id)).all())
    return [load(url, school_id, _prefix(k)) for k, school_id in enumerate(ids, start=1)]


def _prefix(k: int) -> str:
    return "" if k == 1 else f"s{k}."


def load(url: str, school_id: int | None = None, prefix: str = "") -> BigJournal:
    from bbbms_app.models import Enrollment, Lesson

    with db.session(url) as s:
        q = select(SchoolClass).where(SchoolClass.letter == "Я")
        if school_id is not None:
            q = q.where(SchoolClass.school_id == school_id)
        cls = s.exec(q).one()
        ta = s.exec(select(TeachingAssignment).where(TeachingAssignment.class_id == cls.id)).one()
        term = _open_term(s, cls.academic_year_id)
        pupils = s.exec(select(Enrollment.pupil_id).where(Enrollment.class_id == cls.id)).all()
        lessons = s.exec(select(Lesson.id).where(Lesson.class_id == cls.id).order_by(Lesson.date, Lesson.number)).all()
    return BigJournal(url, cls.id, ta.subject_id, term.id, ta.teacher_id, list(pupils), list(lessons), prefix,
                      cls.school_id)  # type: ignore[arg-type]  # fmt: skip


def _open_term(s, year_id: int) -> Term:
    return s.exec(
        select(Term).where(Term.academic_year_id == year_id, Term.closed_at.is_(None)).order_by(Term.number)  # type: ignore[union-attr]
    ).first()


def _add_big_journal(url: str, school_id: int | None = None, prefix: str = "") -> None:
    rng = random.Random(40_70)
    eng = db.engine(url)
    with db.session(url) as s:
        if school_id is None:
            teacher = s.exec(select(User).where(User.username == "teacher")).one()
            school_id, staff_id = teacher.school_id, teacher.staff_id
        else:  # a district's further school: its first teacher of maths
            staff_id = s.exec(
                select(TeachingAssignment.teacher_id)
                .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
                .where(TeachingAssignment.school_id == school_id, Subject.code == "MATH")
                .order_by(TeachingAssignment.id)
            ).first()
        # This year's first open quarter: the demo lives in today's year with the finished quarters
        # closed, and a teacher's journal picker offers only this year's classes.
        year = s.exec(select(AcademicYear).where(AcademicYear.is_current, AcademicYear.school_id == school_id)).one()
        term = _open_term(s, year.id)  # type: ignore[arg-type]
        math = s.exec(select(Subject).where(Subject.code == "MATH", Subject.school_id == school_id)).one()
        year_id, term_id = year.id, term.id
        starts = term.starts_on
    tables = SQLModel.metadata.tables
    with eng.begin() as conn:
        class_id = conn.execute(
            insert(tables["schoolclass"]).values(
                school_id=school_id, academic_year_id=year_id, grade=11, letter="Я", language="ky", shift=1
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(tables["teachingassignment"]).values(
                school_id=school_id, class_id=class_id, subject_id=math.id, teacher_id=staff_id, subgroup=0,
                hours_per_week=5.0,
            )
        )  # fmt: skip
        pupil_ids = []
        for i in range(PUPILS):
            last, first = rng.choice(demo.KY_SURNAMES), rng.choice(demo.KY_MALE + demo.KY_FEMALE)
            pin = f"9{school_id:03d}{i:010d}"  # 14 digits, unique across the district's big journals
            pid = conn.execute(
                insert(tables["pupil"]).values(
                    school_id=school_id, last_name=last, first_name=first, patronymic="", pin=pin,
                    birth_date=starts.replace(year=2008), sex="m", alpha_book_no="", search_key=search_key(last, first),
                    sort_key=sort_key(last, first), deleted_reason="", version=1,
                )
            ).inserted_primary_key[0]  # fmt: skip
            pupil_ids.append(pid)
            conn.execute(
                insert(tables["enrollment"]).values(
                    school_id=school_id, pupil_id=pid, class_id=class_id, starts_on=starts
                )
            )
        days = [d for d in (starts + timedelta(days=k) for k in range(120)) if d.weekday() < 5][: LESSONS // 2]
        lesson_rows = [
            {
                "school_id": school_id, "class_id": class_id, "subject_id": math.id, "teacher_id": staff_id,
                "term_id": term_id, "date": day, "number": number, "subgroup": 0,
                "topic": f"§{2 * i + number}. Тема", "homework": "§ окуу", "cancelled": False,
            }
            for i, day in enumerate(days) for number in (1, 2)
        ]  # fmt: skip
        conn.execute(insert(tables["lesson"]), lesson_rows)
        lesson_ids = [
            r[0]
            for r in conn.execute(
                select(tables["lesson"].c.id).where(tables["lesson"].c.class_id == class_id)
            ).fetchall()
        ]
        marks, absences = [], []
        for lid in lesson_ids:
            for pid in pupil_ids:
                x = rng.random()
                if x < 0.05:
                    absences.append({"school_id": school_id, "lesson_id": lid, "pupil_id": pid, "code": "н",
                                     "late_minutes": 0, "version": 1})  # fmt: skip
                elif x < 0.35:
                    kind = rng.choice(("class", "class", "class", "home", "test"))
                    marks.append({"school_id": school_id, "lesson_id": lid, "pupil_id": pid, "value": rng.randint(2, 5),
                                  "kind": kind, "version": 1})  # fmt: skip
        conn.execute(insert(tables["mark"]), marks)
        conn.execute(insert(tables["attendance"]), absences)
    _bench_users(url, school_id, staff_id, prefix)  # type: ignore[arg-type]


def _bench_users(url: str, school_id: int, staff_id: int, prefix: str = "") -> None:
    from bbbms_app.models import PupilGuardian
    from bbbms_app.services import accounts

    with db.session(url, write=True) as s:
        for i in range(1, BENCH_USERS + 1):
            accounts.create_user(
                s, f"{prefix}bench{i:02d}", "teacher", demo.DEMO_PASSWORD, school_id=school_id, staff_id=staff_id,
                full_name=f"{prefix}bench{i:02d}",
            )  # fmt: skip
        if prefix:  # the demo made the first school's parent and pupil; a further school gets its own
            from bbbms_app.models import Enrollment, Pupil

            pupil = s.exec(
                select(Pupil.id)
                .join(PupilGuardian, PupilGuardian.pupil_id == Pupil.id)  # type: ignore[arg-type]
                .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
                .where(Pupil.school_id == school_id, Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
                .order_by(Pupil.id)
            ).first()
            guardian = s.exec(select(PupilGuardian.guardian_id).where(PupilGuardian.pupil_id == pupil)).first()
            accounts.create_user(s, f"{prefix}parent", "parent", demo.DEMO_PASSWORD, school_id=school_id,
                                 guardian_id=guardian, full_name=f"{prefix}parent")  # fmt: skip
            accounts.create_user(s, f"{prefix}pupil", "pupil", demo.DEMO_PASSWORD, school_id=school_id,
                                 pupil_id=pupil, full_name=f"{prefix}pupil")  # fmt: skip


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file to build (default: %(default)s)")
    big = build(p.parse_args().db)
    print(f"{big.url}: class {big.class_id}, {len(big.pupil_ids)} pupils × {len(big.lesson_ids)} lessons")
