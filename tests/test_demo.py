"""The demo generator: same seed same data, consistent rows, realistic figures, working accounts, and a
school living in the year of the date it is built for (closed quarters, last year as history).

Runs on temporary SQLite files, or on PostgreSQL when BBBMS_TEST_DATABASE_URL is set (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/bbbms_demo_test). There every demo database of this
module is a throw-away schema of that database, with its tables made by create_all: the schema the
other tests migrate (public) is never touched, and the schemas are dropped at the end.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Integer, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, func, select

import bbbms_app.models  # noqa: F401  (registers every table)
from bbbms_app import demo, settings
from bbbms_app.db import make_engine
from bbbms_app.demo import tables
from bbbms_app.i18n import collation
from bbbms_app.models import (
    AcademicYear,
    Attendance,
    Enrollment,
    GradingPolicy,
    Holiday,
    Lesson,
    Mark,
    MovementRecord,
    PeriodMark,
    Pupil,
    PupilGuardian,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
    User,
)
from bbbms_app.services import accounts, grading, stats, timetable
from bbbms_app.services.school_calendar import CALENDARS

TODAY = date(2026, 12, 2)  # the default demo's date: 2026–2027, the first quarter closed, the second under way

PG_URL = os.environ.get("BBBMS_TEST_DATABASE_URL", "").replace("postgresql://", "postgresql+psycopg://") or None


@pytest.fixture(scope="module", autouse=True)
def _cheap_hashing() -> Iterator[None]:
    # Settings are read once per process: switch to the test argon2 parameters, and back after.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BBBMS_ENV", "test")
        settings.reload()
        yield
    settings.reload()


@pytest.fixture(scope="module")
def fresh_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Engine]]:
    """A factory of empty databases with every table created (dropped again after the module)."""
    schemas: list[str] = []
    engines: list[Engine] = []

    def make() -> Engine:
        if PG_URL is None:
            engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
        else:
            schema = f"demo_{uuid.uuid4().hex[:12]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            schemas.append(schema)
            # search_path makes the schema this engine's whole world: tables, sequences, COPY.
            url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
            engine = make_engine(url.render_as_string(hide_password=False))
        SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()
    if schemas and PG_URL is not None:
        admin = make_engine(PG_URL)
        # One transaction per schema: dropping several demo schemas at once takes a lock per table,
        # index and sequence of each and ran out of PostgreSQL's shared lock table.
        for schema in schemas:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class DefaultDemo:
    engine: Engine
    summary: demo.DemoSummary
    messages: list[str]


@pytest.fixture(scope="module")
def default_demo(fresh_engine: Callable[[], Engine]) -> DefaultDemo:
    """The default demo (one school, 700 pupils), generated once for the module."""
    engine = fresh_engine()
    messages: list[str] = []
    summary = demo.generate(engine, today=TODAY, progress=messages.append)
    return DefaultDemo(engine, summary, messages)


@pytest.fixture
def demo_engine(default_demo: DefaultDemo) -> Engine:
    return default_demo.engine


def _scalar(session: Session, sql: str, **params: object) -> int:
    return int(session.exec(text(sql), params=params).one()[0])  # type: ignore[call-overload]


def _scalar_text(session: Session, sql: str) -> object:
    return session.exec(text(sql)).one()[0]  # type: ignore[call-overload]


def _snapshot(engine: Engine) -> tuple:
    with Session(engine) as s:
        pupils = s.exec(
            select(
                Pupil.last_name, Pupil.first_name, Pupil.patronymic, Pupil.pin, Pupil.birth_date, Pupil.alpha_book_no
            ).order_by(Pupil.id)  # type: ignore[arg-type]
        ).all()
        marks = s.exec(select(Mark.value, func.count()).group_by(Mark.value).order_by(Mark.value)).all()
        lessons = s.exec(select(func.count()).select_from(Lesson)).one()
        absences = s.exec(
            select(Attendance.code, func.count()).group_by(Attendance.code).order_by(Attendance.code)
        ).all()
    return [tuple(p) for p in pupils], [tuple(m) for m in marks], lessons, [tuple(a) for a in absences]


# --- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_same_data_and_another_seed_differs(fresh_engine: Callable[[], Engine]) -> None:
    first, second, other = fresh_engine(), fresh_engine(), fresh_engine()
    assert demo.is_empty(first)
    summary = demo.generate(first, pupils=120, seed=11, today=TODAY)
    assert not demo.is_empty(first)
    demo.generate(second, pupils=120, seed=11, today=TODAY)
    demo.generate(other, pupils=120, seed=12, today=TODAY)
    assert summary.pupils == 120 and summary.schools == 1
    snap = _snapshot(first)
    assert snap == _snapshot(second)
    assert snap[0] != _snapshot(other)[0]
    assert snap[1] != _snapshot(other)[1]


def test_several_schools_split_pupils_and_keep_pins_unique(fresh_engine: Callable[[], Engine]) -> None:
    engine = fresh_engine()
    summary = demo.generate(engine, pupils=301, schools=3, seed=5, today=TODAY)
    assert summary.schools == 3 and summary.pupils == 301 and summary.users == len(demo.DEMO_ACCOUNTS)
    with Session(engine) as s:
        this_year = (
            select(SchoolClass.school_id, func.count())
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)  # type: ignore[arg-type]
            .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            .where(AcademicYear.is_current)
            .group_by(SchoolClass.school_id)
        )
        assert sorted(n for _, n in s.exec(this_year).all()) == [100, 100, 101]
        # The graduates of last year are in the alphabetic book too; every PIN is unique.
        assert s.exec(select(func.count(func.distinct(Pupil.pin)))).one() == 301 + summary.graduates
        # Every school-scoped row belongs to the school of its parent row.
        for child, parent, key in (
            ("mark", "lesson", "lesson_id"),
            ("attendance", "lesson", "lesson_id"),
            ("lesson", "schoolclass", "class_id"),
            ("enrollment", "schoolclass", "class_id"),
            ("enrollment", "pupil", "pupil_id"),
            ("teachingassignment", "staff", "teacher_id"),
            ("schoolclass", "academicyear", "academic_year_id"),
            ("term", "academicyear", "academic_year_id"),
        ):
            join = f"{child} x JOIN {parent} p ON p.id = x.{key}"  # literal names from the tuple above
            sql = f"SELECT count(*) FROM {join} WHERE x.school_id <> p.school_id"  # noqa: S608
            assert _scalar(s, sql) == 0, (child, parent)
        users = s.exec(select(User.school_id).distinct()).all()
        assert users == [1]
        # Ids were assigned by the generator: the database must still hand out the next ones.
        pupil = Pupil(school_id=1, last_name="Жаңы", first_name="Окуучу", birth_date=date(2015, 5, 5), sex="f")
        s.add(pupil)
        s.commit()
        assert pupil.id == s.exec(select(func.max(Pupil.id))).one()
    # A second call adds a school and leaves the existing demo accounts alone.
    again = demo.generate(engine, pupils=50, seed=5, today=TODAY)
    assert again.schools == 1 and again.users == 0


def test_column_lists_come_from_the_metadata_and_cover_every_required_column() -> None:
    for name, table in tables.TABLES.items():
        meta = SQLModel.metadata.tables[name]
        assert len(set(table.columns)) == len(table.columns) and set(table.columns) <= set(meta.c.keys()), name
        # A column with a server default is filled by the database when COPY leaves it out; the others
        # are written by the builder or completed with the model's default.
        required = {c.name for c in meta.columns if not c.nullable and c.server_default is None}
        assert required <= set(table.columns), f"{name}: COPY would leave {required - set(table.columns)} empty"
    mark = tables.TABLES["mark"]  # the builder does not write a mark's version: the model's default 1 is
    assert dict(zip(mark.columns[len(mark.columns) - len(mark.tail) :], mark.tail, strict=True)) == {"version": 1}
    # A NOT NULL column the builder forgets and the model gives no default is refused at once.
    with pytest.raises(ValueError, match=r"lesson\.date"):
        tables.Table("lesson", "id school_id class_id subject_id teacher_id term_id")
    with pytest.raises(KeyError):
        tables.Table("mark", "id no_such_column")


# --- the default demo ---------------------------------------------------------------------------


def test_summary_matches_counts(default_demo: DefaultDemo) -> None:
    summary = default_demo.summary
    with Session(default_demo.engine) as s:
        counts = stats.counts(s)
    assert summary.pupils == 700 and summary.year == "2026–2027"
    assert counts == {
        "schools": 1, "pupils": 700 + summary.graduates, "guardians": summary.guardians, "staff": summary.staff,
        "classes": summary.classes, "subjects": len(demo.SUBJECTS), "lessons": summary.lessons,
        "marks": summary.marks, "attendance": summary.attendance, "users": len(demo.DEMO_ACCOUNTS), "terms": 8,
    }  # fmt: skip
    assert 40 <= summary.staff <= 60
    assert 2 * 22 <= summary.classes <= 2 * 33  # this year's classes and last year's
    assert 40 <= summary.graduates <= 120
    assert 1 <= summary.guardians / summary.pupils <= 2
    # Its speed is measured, not asserted on a shared machine: docs/performance.md, «The demo».
    assert default_demo.messages and "700 pupils" in default_demo.messages[0]


def test_soft_deleted_people_are_not_counted(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        before = stats.counts(s)["staff"]
        s.exec(
            text("UPDATE staff SET deleted_at = :now WHERE id = (SELECT max(id) FROM staff)"),
            params={"now": date(2025, 9, 2)},
        )  # type: ignore[call-overload]
        assert stats.counts(s)["staff"] == before - 1
        s.rollback()


def _current_classes(s: Session) -> list[SchoolClass]:
    year = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
    return list(s.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year.id)).all())


def test_calendar_and_grading_policy(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        years = s.exec(select(AcademicYear).order_by(AcademicYear.starts_on)).all()
        assert [(y.name, y.starts_on, y.ends_on, y.is_current) for y in years] == [
            ("2025–2026", date(2025, 9, 1), date(2026, 6, 30), False),
            ("2026–2027", date(2026, 9, 1), date(2027, 6, 30), True),
        ]
        terms = s.exec(select(Term).order_by(Term.starts_on)).all()
        assert [(t.kind, t.number, t.starts_on, t.ends_on, t.closed_at is not None) for t in terms] == [
            ("quarter", 1, date(2025, 9, 1), date(2025, 11, 4), True),
            ("quarter", 2, date(2025, 11, 10), date(2025, 12, 30), True),
            ("quarter", 3, date(2026, 1, 12), date(2026, 2, 27), True),
            ("quarter", 4, date(2026, 3, 9), date(2026, 5, 29), True),
            ("quarter", 1, date(2026, 9, 1), date(2026, 11, 3), True),  # over before 2 December: closed
            ("quarter", 2, date(2026, 11, 9), date(2026, 12, 30), False),  # today's quarter
            ("quarter", 3, date(2027, 1, 11), date(2027, 3, 19), False),
            ("quarter", 4, date(2027, 3, 29), date(2027, 5, 28), False),
        ]
        # Each year's days off are the shipped calendar's, as rows the school edits.
        for year in years:
            rows = s.exec(select(Holiday).where(Holiday.academic_year_id == year.id)).all()
            shipped = CALENDARS[year.starts_on.year].days_off
            assert sorted((h.name_ky, h.starts_on, h.ends_on, h.grade_from) for h in rows) == sorted(
                (d.name_ky, d.starts_on, d.ends_on, d.grades[0] if d.grades else None) for d in shipped
            )
        policies = s.exec(
            select(GradingPolicy)
            .where(GradingPolicy.academic_year_id == years[1].id)
            .order_by(GradingPolicy.grade_from, GradingPolicy.grade_to)
        ).all()
        # 2026–27: the new standard's grades (2025–26: 1, 2, 5, 7; each cohort one grade up, and those
        # four begin again) are assessed by criteria, each by its own policy; grade 1 has no marks.
        assert [(p.grade_from, p.grade_to, p.scale) for p in policies] == [
            (1, 1, "none"), (2, 2, "criterion"), (2, 11, "five_point"), (3, 3, "criterion"), (5, 5, "criterion"),
            (6, 6, "criterion"), (7, 7, "criterion"), (8, 8, "criterion"),
        ]  # fmt: skip
        assert {p.criterion_json for p in policies} == {""}  # the reference table 0–39 → 2 … 85–100 → 5
        assert [g for g in range(1, 12) if grading.rules_for(s, years[1].id, g).scale == "criterion"] == [
            2, 3, 5, 6, 7, 8,
        ]  # fmt: skip
        last_year = s.exec(select(GradingPolicy).where(GradingPolicy.academic_year_id == years[0].id)).all()
        assert sorted(p.grade_from for p in last_year if p.scale == "criterion") == [2, 5, 7]
        five = policies[2]
        assert (five.min_value, five.max_value, five.min_marks) == (2, 5, 3)
        assert five.half_year_max_hours == 1.5  # the usual local act: subjects of ≤ 1.5 h/week by half-year
        assert (five.threshold_5, five.threshold_4, five.threshold_3) == (4.65, 3.65, 2.65)
        # Subjects carry the curriculum's order.
        subjects = s.exec(select(Subject).order_by(Subject.position)).all()
        assert [x.code for x in subjects] == [code for code, *_names in demo.SUBJECTS]
        assert [x.position for x in subjects] == list(range(1, len(subjects) + 1))


def test_classes_languages_shifts_and_class_teachers(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        classes = _current_classes(s)
        assert {c.grade for c in classes} == set(range(1, 12))
        assert {c.letter for c in classes} <= set("АБВ")
        assert {c.language for c in classes} == {"ky", "ru"}
        for c in classes:
            assert c.shift == (2 if 2 <= c.grade <= 4 else 1)
            assert c.class_teacher_id is not None
        teachers = set(s.exec(select(Staff.id).where(Staff.position == "teacher")).all())
        assert {c.class_teacher_id for c in classes} <= teachers
        assert len({c.class_teacher_id for c in classes}) == len(classes)
        # Every class has its whole curriculum assigned, 21–34 hours a week.
        hours = dict(
            s.exec(
                select(TeachingAssignment.class_id, func.sum(TeachingAssignment.hours_per_week)).group_by(
                    TeachingAssignment.class_id
                )
            ).all()
        )
        assert all(21 <= hours[c.id] <= 34 for c in classes)


def test_pupils_guardians_and_enrollments(default_demo: DefaultDemo) -> None:
    graduates = default_demo.summary.graduates
    with Session(default_demo.engine) as s:
        guardians = s.exec(select(PupilGuardian.pupil_id, func.count()).group_by(PupilGuardian.pupil_id)).all()
        assert len(guardians) == 700 + graduates
        assert {n for _, n in guardians} <= {1, 2}
        primaries = s.exec(
            select(PupilGuardian.pupil_id, func.count())
            .where(PupilGuardian.is_primary)
            .group_by(PupilGuardian.pupil_id)
        ).all()
        assert len(primaries) == 700 + graduates and {n for _, n in primaries} == {1}
        current = {c.id for c in _current_classes(s)}
        rows = s.exec(select(Enrollment)).all()
        this_year = [e for e in rows if e.class_id in current]
        assert len(this_year) == 700 and len({e.pupil_id for e in this_year}) == 700
        # This year: everyone from the first day but the pupil who arrived on 17 November; the one who
        # left on 10 November (the movement book's lines before 2 December).
        assert sorted({e.starts_on for e in this_year}) == [date(2026, 9, 1), date(2026, 11, 17)]
        assert [e.starts_on for e in this_year].count(date(2026, 11, 17)) == 1
        assert [e.ends_on for e in this_year if e.ends_on is not None] == [date(2026, 11, 10)]
        # Last year: every pupil of grades 2–11 but the newcomer, and the graduates, each to the
        # year's last day (the promotion starts this year's class) or to the graduation.
        first_graders = _scalar(
            s, "SELECT count(*) FROM enrollment e JOIN schoolclass c ON c.id = e.class_id"
            " JOIN academicyear y ON y.id = c.academic_year_id WHERE c.grade = 1 AND y.is_current"
        )  # fmt: skip
        last_year = [e for e in rows if e.class_id not in current]
        assert len(last_year) == 700 - first_graders - 1 + graduates
        assert {e.starts_on for e in last_year} == {date(2025, 9, 1)}
        assert {e.ends_on for e in last_year} == {date(2026, 6, 30), date(2026, 6, 19)}
        # ~15% of families have 2–3 children in the school, sharing their guardians.
        children = s.exec(
            select(PupilGuardian.guardian_id, func.count())
            .where(PupilGuardian.is_primary)
            .group_by(PupilGuardian.guardian_id)
        ).all()
        share = sum(1 for _, n in children if n >= 2) / len(children)
        assert 0.08 <= share <= 0.25
        assert max(n for _, n in children) == 3
        # Siblings never share a first name.
        sibling_names = s.exec(
            select(PupilGuardian.guardian_id, Pupil.first_name, func.count())
            .join(Pupil, Pupil.id == PupilGuardian.pupil_id)  # type: ignore[arg-type]
            .group_by(PupilGuardian.guardian_id, Pupil.first_name)
            .having(func.count() > 1)
        ).all()
        assert sibling_names == []


def test_pins_names_and_keys(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        pupils = s.exec(select(Pupil)).all()
        # The grade a pupil would be in this year (a graduate: the 12th).
        grade_of = dict(
            s.exec(
                select(
                    Enrollment.pupil_id,
                    SchoolClass.grade + 2026 - func.cast(func.substr(AcademicYear.name, 1, 4), Integer),
                )
                .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
                .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
            ).all()
        )
    books = set()
    for p in pupils:
        assert p.pin is not None and re.fullmatch(r"\d{14}", p.pin), p.pin
        assert p.pin[0] == ("1" if p.sex == "f" else "2")
        assert p.pin[1:9] == p.birth_date.strftime("%d%m%Y")
        # Grade g of 2026–2027 was born about 2026 - 6 - g.
        assert 2026 - 6 - grade_of[p.id] - 1 <= p.birth_date.year <= 2026 - 6 - grade_of[p.id] + 1
        assert p.search_key == collation.search_key(p.last_name, p.first_name, p.patronymic, p.pin)
        assert p.sort_key == collation.sort_key(p.last_name, p.first_name, p.patronymic)
        assert re.fullmatch(r"[А-ЯЁҢӨҮ]/\d+", p.alpha_book_no), p.alpha_book_no
        assert p.alpha_book_no[0] == p.last_name[0]
        books.add(p.alpha_book_no)
    assert len(books) == len(pupils)
    names = " ".join(f"{p.last_name} {p.first_name} {p.patronymic}" for p in pupils)
    for letter in "ңөү":
        assert letter in names.lower()
    assert " уулу" in names and " кызы" in names and "вич" in names and "вна" in names


def test_lessons_cover_this_year_and_today_s_quarter_is_planned_to_its_end(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        year = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        q1, q2 = s.exec(
            select(Term).where(Term.academic_year_id == year.id, Term.number <= 2).order_by(Term.number)
        ).all()
        assert set(s.exec(select(Lesson.term_id).distinct()).all()) == {q1.id, q2.id}
        by_term = dict(
            s.exec(select(Lesson.term_id, func.count(func.distinct(Lesson.date))).group_by(Lesson.term_id)).all()
        )
        # Hand-counted weekdays: 1 Sep (Tue) – 3 Nov 2026 is 22 + 22 + 2; 9 Nov – 30 Dec is 16 + 22 − 0
        # (no day off before the winter break on 31 December): 38.
        assert (by_term[q1.id], by_term[q2.id]) == (46, 38)
        dates = set(s.exec(select(Lesson.date).distinct()).all())
        assert dates == set(timetable.school_days(date(2026, 9, 1), date(2026, 11, 3))) | set(
            timetable.school_days(date(2026, 11, 9), date(2026, 12, 30))
        )
        # Up to yesterday the journal is written; from today on the lessons are planned, empty.
        held = "SELECT max(l.date) FROM lesson l JOIN {table} x ON x.lesson_id = l.id"
        assert str(_scalar_text(s, held.format(table="mark"))) == str(TODAY - timedelta(days=1))
        assert str(_scalar_text(s, held.format(table="attendance"))) == str(TODAY - timedelta(days=1))
        planned = s.exec(select(Lesson).where(Lesson.date >= TODAY)).all()
        assert len(planned) > 1000 and all(x.topic == "" and x.homework == "" for x in planned)
        assert s.exec(select(func.min(Lesson.number), func.max(Lesson.number))).one() == (1, 7)
        topics = s.exec(select(func.count()).select_from(Lesson).where(Lesson.topic != "")).one()
        homework = s.exec(select(func.count()).select_from(Lesson).where(Lesson.homework != "")).one()
        total = s.exec(select(func.count()).select_from(Lesson).where(Lesson.date < TODAY)).one()
    assert topics == total  # every lesson held has its topic
    assert 0.45 <= homework / total <= 0.75


def test_grade_one_has_lessons_and_attendance_but_no_marks(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        first = (
            "SELECT count(*) FROM {table} x JOIN lesson l ON l.id = x.lesson_id"
            " JOIN schoolclass c ON c.id = l.class_id WHERE c.grade = 1"
        )
        assert _scalar(s, first.format(table="mark")) == 0
        assert _scalar(s, first.format(table="attendance")) > 0
        assert _scalar(s, "SELECT count(*) FROM lesson l JOIN schoolclass c ON c.id = l.class_id WHERE c.grade = 1") > 0


def test_marks_values_and_distribution(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        by_value = dict(s.exec(select(Mark.value, func.count()).group_by(Mark.value)).all())
        by_kind = dict(s.exec(select(Mark.kind, func.count()).group_by(Mark.kind)).all())
        pupil_lessons = _scalar(
            s,
            "SELECT count(*) FROM lesson l JOIN enrollment e ON e.class_id = l.class_id"
            " JOIN schoolclass c ON c.id = l.class_id WHERE c.grade > 1 AND l.date < :today",
            today=TODAY,
        )
        # An absent pupil gets no mark in that lesson.
        assert _scalar(
            s, "SELECT count(*) FROM mark m JOIN attendance a ON a.lesson_id = m.lesson_id AND a.pupil_id = m.pupil_id"
            " WHERE a.code <> 'о'"
        ) == 0  # fmt: skip
        pupils_with_marks = _scalar(s, "SELECT count(DISTINCT pupil_id) FROM mark")
    assert set(by_value) <= {2, 3, 4, 5}
    assert max(by_value, key=by_value.__getitem__) == 4
    assert min(by_value, key=by_value.__getitem__) == 2
    total = sum(by_value.values())
    assert 0.03 <= by_value[2] / total <= 0.10
    assert 0.15 <= by_value[5] / total <= 0.30
    assert by_kind["class"] > by_kind["home"] > 0 and by_kind["test"] > 0 and by_kind["control"] > 0
    assert 0.20 <= total / pupil_lessons <= 0.40
    assert pupils_with_marks >= 0.95 * 700 * 10 / 11  # grade 1 has none


def test_pupil_abilities_spread_the_averages(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        averages = [a for (a,) in s.exec(text("SELECT avg(value * 1.0) FROM mark GROUP BY pupil_id")).all()]
    assert min(averages) < 3.2 and max(averages) > 4.5


def test_absences(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        by_code = dict(s.exec(select(Attendance.code, func.count()).group_by(Attendance.code)).all())
        late = s.exec(
            select(func.min(Attendance.late_minutes), func.max(Attendance.late_minutes)).where(Attendance.code == "о")
        ).one()
        not_late = s.exec(select(func.max(Attendance.late_minutes)).where(Attendance.code != "о")).one()
        # A lesson of a subgroup counts for its members only.
        own_lesson = (
            "(l{n}.subgroup = 0 OR EXISTS (SELECT 1 FROM subgroupmember m WHERE m.class_id = l{n}.class_id"
            " AND m.subject_id = l{n}.subject_id AND m.pupil_id = {pupil} AND m.subgroup = l{n}.subgroup))"
        )
        pupil_lessons = _scalar(
            s,
            "SELECT count(*) FROM lesson l JOIN enrollment e ON e.class_id = l.class_id WHERE l.date < :today AND "  # noqa: S608
            + own_lesson.format(n="", pupil="e.pupil_id"),
            today=TODAY,
        )
        # Whole days: most ill pupils miss every lesson of the day.
        ill_days = s.exec(
            text(
                "SELECT count(*) FILTER (WHERE n = total) * 1.0 / count(*) FROM ("  # noqa: S608
                " SELECT a.pupil_id, l.date, count(*) AS n,"
                "  (SELECT count(*) FROM lesson l2 WHERE l2.class_id = l.class_id AND l2.date = l.date"
                "   AND " + own_lesson.format(n="2", pupil="a.pupil_id") + ") AS total"
                " FROM attendance a JOIN lesson l ON l.id = a.lesson_id WHERE a.code = 'б'"
                " GROUP BY a.pupil_id, l.date, l.class_id) d"
            )
        ).one()[0]
    absent = sum(n for code, n in by_code.items() if code != "о")
    assert set(by_code) == {"н", "б", "у", "п", "о"}
    assert 0.03 <= absent / pupil_lessons <= 0.08
    assert by_code["б"] > by_code["н"] > by_code["у"] > by_code["п"]
    assert late[0] >= 3 and late[1] <= 20 and not_late == 0
    assert ill_days > 0.95


def test_timetable_never_puts_a_teacher_or_a_room_twice_at_once(demo_engine: Engine) -> None:
    from bbbms_app.models import School, Term, TimetableSlot

    with Session(demo_engine) as s:
        clashes = _scalar(
            s,
            "SELECT count(*) FROM (SELECT l.teacher_id FROM lesson l JOIN schoolclass c ON c.id = l.class_id"
            " GROUP BY l.teacher_id, l.date, l.number, c.shift HAVING count(*) > 1) x",
        )
        assert s.exec(select(func.count()).select_from(Lesson)).one() > 5_000 and clashes == 0
        # The timetable editor's own check (clock times of both shifts' bells and the first graders'
        # shorter lessons; teachers and rooms) finds nothing in any quarter.
        for school in s.exec(select(School)).all():
            bells = timetable.load_bells(s, school.id)  # type: ignore[arg-type]
            year = s.exec(
                select(AcademicYear).where(AcademicYear.school_id == school.id, AcademicYear.is_current)
            ).one()
            for term in s.exec(select(Term).where(Term.academic_year_id == year.id)).all():
                slots = list(s.exec(select(TimetableSlot).where(TimetableSlot.term_id == term.id)).all())
                assert len(slots) > 500
                found = timetable._clashing_ids(s, school.id, slots, bells, term.starts_on)  # type: ignore[arg-type]
                assert found == set(), (term.number, sorted(found)[:10])


def test_english_in_big_classes_is_taught_in_two_groups_to_their_members(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        split = _scalar(s, "SELECT count(DISTINCT class_id) FROM teachingassignment WHERE subgroup > 0")
        assert split >= 3
        # Every split class × subject has both groups' teachers (two people) and every pupil in one group.
        assert (
            _scalar(
                s,
                "SELECT count(*) FROM (SELECT class_id, subject_id FROM teachingassignment WHERE subgroup > 0"
                " GROUP BY class_id, subject_id HAVING count(DISTINCT teacher_id) <> 2 OR count(*) <> 2) x",
            )
            == 0
        )
        assert (
            _scalar(
                s,
                "SELECT count(*) FROM teachingassignment t JOIN enrollment e ON e.class_id = t.class_id"
                " WHERE t.subgroup = 1 AND NOT EXISTS (SELECT 1 FROM subgroupmember m WHERE m.class_id = t.class_id"
                " AND m.subject_id = t.subject_id AND m.pupil_id = e.pupil_id)",
            )
            == 0
        )
        sizes = s.exec(
            text("SELECT class_id, subgroup, count(*) FROM subgroupmember GROUP BY class_id, subgroup")  # type: ignore[call-overload]
        ).all()
        by_class: dict[int, list[int]] = {}
        for class_id, _group, n in sizes:
            by_class.setdefault(class_id, []).append(n)
        assert len(by_class) == split and all(len(v) == 2 and abs(v[0] - v[1]) <= 1 for v in by_class.values())
        # The groups meet at the same hour, each with its own teacher; marks and absences go to members only.
        assert (
            _scalar(
                s,
                "SELECT count(*) FROM lesson a JOIN lesson b ON a.class_id = b.class_id AND a.date = b.date"
                " AND a.number = b.number AND a.subgroup = 1 AND b.subgroup = 2 WHERE a.teacher_id <> b.teacher_id",
            )
            == _scalar(s, "SELECT count(*) FROM lesson WHERE subgroup = 2")
            > 100
        )
        for table in ("mark", "attendance"):
            assert (
                _scalar(s, f"SELECT count(*) FROM {table} x JOIN lesson l ON l.id = x.lesson_id WHERE l.subgroup > 0")  # noqa: S608
                > 100
            )
            assert (
                _scalar(
                    s,
                    f"SELECT count(*) FROM {table} x JOIN lesson l ON l.id = x.lesson_id WHERE l.subgroup > 0"  # noqa: S608
                    " AND NOT EXISTS (SELECT 1 FROM subgroupmember m WHERE m.class_id = l.class_id"
                    " AND m.subject_id = l.subject_id AND m.pupil_id = x.pupil_id AND m.subgroup = l.subgroup)",
                )
                == 0
            )


def test_a_demo_groups_journal_lists_its_members(demo_engine: Engine) -> None:
    from bbbms_app.models import SubgroupMember, TeachingAssignment, Term
    from bbbms_app.services import journal

    with Session(demo_engine) as s:
        director = accounts.principal_for(s.exec(select(User).where(User.username == "director")).one(), session=s)
        ta = s.exec(select(TeachingAssignment).where(TeachingAssignment.subgroup == 2)).first()
        assert ta is not None
        term = s.exec(
            select(Term).where(Term.number == 1, Term.school_id == ta.school_id).order_by(Term.id.desc())
        ).first()  # type: ignore[union-attr]
        assert term is not None and term.starts_on == date(2026, 9, 1)
        grid = journal.grid(s, director, ta.class_id, ta.subject_id, term.id, 2)  # type: ignore[arg-type]
        members = s.exec(
            select(SubgroupMember.pupil_id).where(
                SubgroupMember.class_id == ta.class_id,
                SubgroupMember.subject_id == ta.subject_id,
                SubgroupMember.subgroup == 2,
            )
        ).all()
        assert not grid.needs_split and len(grid.lessons) > 10
        assert {p.id for p in grid.pupils} <= set(members) and len(grid.pupils) >= len(members) - 2
        assert any(grid.cells)


def test_demo_users_sign_in_and_are_linked(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        for username, role in demo.DEMO_ACCOUNTS:
            result = accounts.authenticate(s, username, demo.DEMO_PASSWORD)
            assert result.error is None and result.token, username
            assert result.user is not None and result.user.role == role
            assert result.user.full_name and result.user.language == "ky" and result.user.school_id == 1
        s.commit()
        users = {u.username: u for u in s.exec(select(User)).all()}
        assert accounts.authenticate(s, "teacher", "wrong-password").error is not None
        s.rollback()
        positions = {"admin": "administrator", "director": "director", "deputy": "deputy", "clerk": "clerk"}
        for username, position in positions.items():
            staff = s.get(Staff, users[username].staff_id)
            assert staff is not None and staff.position == position
            assert users[username].full_name == f"{staff.last_name} {staff.first_name} {staff.patronymic}"
        teacher = users["teacher"].staff_id
        classes = s.exec(
            select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == teacher).distinct()
        ).all()
        assert len(classes) >= 3
        current = {c.id for c in _current_classes(s)}
        assert not [
            c for c in s.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher)) if c.id in current
        ]
        [own] = [
            c
            for c in s.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == users["classteacher"].staff_id))
            if c.id in current
        ]
        assert 5 <= own.grade <= 9
        children = s.exec(
            select(PupilGuardian.pupil_id).where(PupilGuardian.guardian_id == users["parent"].guardian_id)
        ).all()
        assert len(children) >= 2
        grades = s.exec(
            select(SchoolClass.grade)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.pupil_id.in_(children), SchoolClass.id.in_(current))  # type: ignore[union-attr,arg-type]
        ).all()
        assert len(grades) == len(children) and max(grades) >= 5  # all of them at school this year
        pupil = users["pupil"].pupil_id
        grade = s.exec(
            select(SchoolClass.grade)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.pupil_id == pupil, SchoolClass.id.in_(current))  # type: ignore[arg-type,union-attr]
        ).one()
        assert grade >= 5
        assert s.exec(select(func.count()).select_from(Mark).where(Mark.pupil_id == pupil)).one() > 0


# --- the year of the date the demo is built for ---------------------------------------------------


def _quarter_marks_from_the_journal(s: Session, term: Term) -> dict[tuple[int, int], grading.Suggestion]:
    """What the grading rules of each class's grade (five-point, or by criteria under the new standard)
    give each pupil × subject from the marks stored in the term's lessons."""
    marks: dict[tuple[int, int], list[tuple[str, int]]] = {}
    grade_of: dict[tuple[int, int], int] = {}
    for pupil, subject, grade, kind, value in s.exec(
        select(Mark.pupil_id, Lesson.subject_id, SchoolClass.grade, Mark.kind, Mark.value)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
        .where(Lesson.term_id == term.id)
    ).all():
        marks.setdefault((pupil, subject), []).append((kind, value))
        grade_of[(pupil, subject)] = grade
    rules = {g: grading.rules_for(s, term.academic_year_id, g) for g in set(grade_of.values())}
    return {key: grading.suggest_period_mark(rules[grade_of[key]], values) for key, values in marks.items()}


def test_criterion_grades_have_their_summative_works_written_as_percentages(demo_engine: Engine) -> None:
    """Grades 2, 3, 5, 6, 7, 8 of 2026–27 (demo.school.criterion_grades): every test and control work
    has a percentage inside its mark's band of the reference table; class and home works, and every
    mark of the five-point grades, have none."""
    with Session(demo_engine) as s:
        year = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        rows = s.exec(
            select(SchoolClass.grade, Mark.kind, Mark.value, Mark.percent)
            .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
            .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
            .where(SchoolClass.academic_year_id == year.id)
        ).all()
    criterion = {2, 3, 5, 6, 7, 8}
    summative = [(g, v, p) for g, kind, v, p in rows if g in criterion and kind in ("test", "control")]
    assert len(summative) > 500
    reference = grading.Rules(scale="criterion")
    assert all(p is not None and grading.mark_from_percent(reference, p) == v for _g, v, p in summative)
    assert {g for g, _v, _p in summative} == criterion
    assert {v for _g, v, _p in summative} == {2, 3, 4, 5}  # the whole table is used
    assert all(p is None for g, kind, _v, p in rows if g not in criterion or kind in ("class", "home"))


def _one_hour_subjects(s: Session) -> set[tuple[int, int]]:
    """(class, subject) of the subjects of 1 h/week in grades 2–9: assessed by half-year in the demo."""
    return set(
        s.exec(
            select(TeachingAssignment.class_id, TeachingAssignment.subject_id)
            .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
            .where(TeachingAssignment.hours_per_week == 1, SchoolClass.grade.between(2, 9))  # type: ignore[attr-defined]
        ).all()
    )


def test_the_finished_quarter_is_closed_with_every_quarter_mark_set_from_the_marks(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        year = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        q1 = s.exec(select(Term).where(Term.academic_year_id == year.id, Term.number == 1)).one()
        assert q1.closed_at is not None and q1.closed_at.date() > q1.ends_on
        rows = s.exec(select(PeriodMark).where(PeriodMark.term_id == q1.id)).all()
        # Every pupil of grades 2–9 on a class list on 3 November, in every subject of his class of more
        # than 1.5 h/week; grades 10–11 and the subjects of ≤ 1.5 h/week are assessed by half-year
        # (the demo's policy): nothing at the end of Q1 (their mark comes with Q2).
        expected = _scalar(
            s,
            "SELECT count(*) FROM enrollment e JOIN schoolclass c ON c.id = e.class_id"
            " JOIN teachingassignment t ON t.class_id = c.id AND t.subgroup IN (0, 1) AND t.hours_per_week > 1.5"
            " WHERE c.academic_year_id = :y AND c.grade BETWEEN 2 AND 9 AND e.starts_on <= '2026-11-03'"
            " AND (e.ends_on IS NULL OR e.ends_on >= '2026-11-03')",
            y=year.id,
        )
        assert len(rows) == expected > 4_000
        seniors = {c.id for c in s.exec(select(SchoolClass).where(SchoolClass.grade >= 10)).all()}
        assert seniors and not {r.class_id for r in rows} & seniors
        assert {(r.kind, r.number, r.date_set) for r in rows} == {("quarter", 1, date(2026, 11, 3))}
        computed = _quarter_marks_from_the_journal(s, q1)
        for r in rows:
            suggestion = computed.get((r.pupil_id, r.subject_id), grading.Suggestion(special=grading.NOT_ATTESTED))
            assert (r.value, r.special, r.suggested_value) == (suggestion.value, suggestion.special, suggestion.value)
        # Marks follow the weekly hours: almost nobody «н/а»; a 1-hour subject has no quarter mark (its
        # half-year's comes with Q2: test_grades_10_11_and_1_hour_subjects_get_their_half_year_mark…).
        not_attested = [r for r in rows if r.special == grading.NOT_ATTESTED]
        assert len(not_attested) <= 0.02 * len(rows)
        one_hour = _one_hour_subjects(s)
        assert len(one_hour) > 50 and not [r for r in rows if (r.class_id, r.subject_id) in one_hour]
        # The current quarter is open and has no quarter marks yet.
        q2 = s.exec(select(Term).where(Term.academic_year_id == year.id, Term.number == 2)).one()
        assert q2.closed_at is None
        assert s.exec(select(func.count()).select_from(PeriodMark).where(PeriodMark.term_id == q2.id)).one() == 0


def test_last_year_is_history_with_year_marks_graduations_and_promotions(default_demo: DefaultDemo) -> None:
    with Session(default_demo.engine) as s:
        last = s.exec(select(AcademicYear).where(AcademicYear.name == "2025–2026")).one()
        current = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        assert (
            s.exec(
                select(Lesson.id).join(Term, Term.id == Lesson.term_id).where(Term.academic_year_id == last.id)
            ).first()
            is None
        )  # type: ignore[arg-type]
        rules = grading.rules_for(s, last.id, 5)
        quarters: dict[tuple[int, int], list[tuple[int | None, str]]] = {}
        halves: dict[tuple[int, int], list[tuple[int, int, int | None]]] = {}
        years: dict[tuple[int, int], PeriodMark] = {}
        grade_of = {c.id: c.grade for c in s.exec(select(SchoolClass)).all()}
        terms = {t.id: t.number for t in s.exec(select(Term)).all()}
        one_hour = _one_hour_subjects(s)
        junior_halves = 0
        for pm in s.exec(select(PeriodMark).where(PeriodMark.academic_year_id == last.id)).all():
            if pm.kind == "quarter":
                assert grade_of[pm.class_id] <= 9 and (pm.class_id, pm.subject_id) not in one_hour
                quarters.setdefault((pm.pupil_id, pm.subject_id), []).append((pm.value, pm.special))
            elif pm.kind == "half_year":  # grades 10–11, 1-hour subjects: two half-years, set after Q2 and Q4
                assert grade_of[pm.class_id] >= 10 or (pm.class_id, pm.subject_id) in one_hour
                junior_halves += grade_of[pm.class_id] <= 9
                halves.setdefault((pm.pupil_id, pm.subject_id), []).append((pm.number, terms[pm.term_id], pm.value))
            else:
                years[(pm.pupil_id, pm.subject_id)] = pm
        assert quarters and halves and set(quarters) | set(halves) == set(years) and not set(quarters) & set(halves)
        assert junior_halves > 100  # the 1-hour subjects of grades 2–9
        assert {len(v) for v in quarters.values()} == {4}
        assert {tuple((n, q) for n, q, _v in sorted(v)) for v in halves.values()} == {((1, 2), (2, 4))}
        for key, pm in years.items():
            if key in halves:
                periods = [(v, "") for _n, _q, v in sorted(halves[key])]
                assert pm.value == grading.suggest_year_mark(rules, periods, 2).value
            else:
                assert pm.value == grading.suggest_year_mark(rules, quarters[key], 4).value
        # A tie (two 3s and two 4s) went the pupil's way.
        ties = [k for k, v in quarters.items() if sorted(x for x, _ in v) == [3, 3, 4, 4]]
        assert ties and all(years[k].value == 4 for k in ties)
        book = s.exec(select(MovementRecord)).all()
        graduations = [m for m in book if m.kind == "graduation"]
        promotions = [m for m in book if m.kind == "promotion"]
        assert len(graduations) == default_demo.summary.graduates
        assert {m.date for m in graduations} == {date(2026, 6, 19)} and {m.date for m in promotions} == {
            date(2026, 9, 1)
        }
        classes = {c.id: c for c in s.exec(select(SchoolClass)).all()}
        for m in promotions:  # one grade up, from last year's class to this year's
            old, new = classes[m.from_class_id], classes[m.to_class_id]  # type: ignore[index]
            assert (old.academic_year_id, new.academic_year_id, new.grade - old.grade) == (last.id, current.id, 1)
            assert old.letter == new.letter
        assert {classes[m.from_class_id].grade for m in graduations} == {11}  # type: ignore[index]


def test_grades_10_11_and_1_hour_subjects_get_their_half_year_mark_when_the_second_quarter_closes(
    fresh_engine: Callable[[], Engine],
) -> None:
    """Built for 8 January 2027 (Q2 of 2026–27 closed): grades 10–11, and the subjects of 1 h/week of
    grades 2–9 (the demo's policy: ≤ 1.5 h/week by half-year), have no Q1 marks and a first half-year
    mark per pupil × subject, the one the policy gives the marks of Q1 and Q2 together; the other
    subjects of grades 2–9 have a quarter mark in Q1 and in Q2."""
    engine = fresh_engine()
    demo.generate(engine, pupils=120, seed=5, today=date(2027, 1, 8))
    with Session(engine) as s:
        year = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        q1, q2 = (s.exec(select(Term).where(Term.academic_year_id == year.id, Term.number == n)).one() for n in (1, 2))
        assert q2.closed_at is not None
        seniors = {
            c.id
            for c in s.exec(
                select(SchoolClass).where(SchoolClass.academic_year_id == year.id, SchoolClass.grade >= 10)
            ).all()
        }
        one_hour = {(c, sub) for c, sub in _one_hour_subjects(s) if c not in seniors}
        by_half = [
            r
            for r in s.exec(select(PeriodMark).where(PeriodMark.academic_year_id == year.id)).all()
            if r.class_id in seniors or (r.class_id, r.subject_id) in one_hour
        ]
        assert {(r.kind, r.number, r.term_id, r.date_set) for r in by_half} == {
            ("half_year", 1, q2.id, date(2026, 12, 30))
        }
        assert {r.class_id for r in by_half} & seniors and len([r for r in by_half if r.class_id not in seniors]) > 100
        others = s.exec(select(PeriodMark).where(PeriodMark.academic_year_id == year.id)).all()
        half_ids = {r.id for r in by_half}
        assert {(r.kind, r.number) for r in others if r.id not in half_ids} == {("quarter", 1), ("quarter", 2)}
        grade_of = {c.id: c.grade for c in s.exec(select(SchoolClass)).all()}
        marks: dict[tuple[int, int], list[tuple[str, int]]] = {}
        q1_only: set[tuple[int, int]] = set()
        for pupil, subject, class_id, term_id, kind, value in s.exec(
            select(Mark.pupil_id, Lesson.subject_id, Lesson.class_id, Lesson.term_id, Mark.kind, Mark.value)
            .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
            .where(Lesson.term_id.in_([q1.id, q2.id]))  # type: ignore[attr-defined]
        ).all():
            if class_id in seniors or (class_id, subject) in one_hour:
                marks.setdefault((pupil, subject), []).append((kind, value))
                if term_id == q1.id:
                    q1_only.add((pupil, subject))
        assert q1_only  # the half-year counts the first quarter's marks too
        for r in by_half:
            rules = grading.rules_for(s, year.id, grade_of[r.class_id])  # a criterion grade's own policy
            sug = grading.suggest_period_mark(rules, marks.get((r.pupil_id, r.subject_id), []))
            assert (r.value, r.special) == (sug.value, sug.special)
        # Marks follow the weekly hours: even a 1-hour subject leaves almost nobody «н/а».
        assert sum(r.special == grading.NOT_ATTESTED for r in by_half) <= 0.03 * len(by_half)


@pytest.mark.parametrize(
    ("today", "year", "closed", "last_lesson"),
    [
        (date(2026, 7, 15), "2025–2026", 4, date(2026, 5, 29)),  # summer: last year's whole journal, closed
        (date(2026, 9, 3), "2026–2027", 0, date(2026, 9, 2)),  # the third day of school
    ],
)
def test_the_demo_of_another_date(
    fresh_engine: Callable[[], Engine], today: date, year: str, closed: int, last_lesson: date
) -> None:
    engine = fresh_engine()
    summary = demo.generate(engine, pupils=120, seed=3, today=today)
    assert summary.year == year and summary.pupils == 120
    with Session(engine) as s:
        current = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        assert current.name == year
        terms = s.exec(select(Term).where(Term.academic_year_id == current.id).order_by(Term.number)).all()
        assert [t.closed_at is not None for t in terms] == [True] * closed + [False] * (4 - closed)
        # The journal is written up to yesterday; today's quarter (if any) is planned to its end.
        assert s.exec(select(func.max(Lesson.date)).where(Lesson.topic != "")).one() == last_lesson
        planned_to = date(2026, 11, 3) if closed == 0 else last_lesson
        assert s.exec(select(func.max(Lesson.date))).one() == planned_to
        kinds = dict(
            s.exec(
                select(PeriodMark.kind, func.count())
                .where(PeriodMark.academic_year_id == current.id)
                .group_by(PeriodMark.kind)
            ).all()
        )
        last = s.exec(select(AcademicYear).where(AcademicYear.is_current.is_(False))).one()  # type: ignore[attr-defined]
        history = s.exec(
            select(func.count())
            .select_from(PeriodMark)
            .where(PeriodMark.academic_year_id == last.id, PeriodMark.kind == "year")
        ).one()
        assert history > 500
        if closed == 4:
            # Quarter marks for the subjects of more than 1.5 h/week in grades 2–9, half-year marks for
            # the others and grades 10–11.
            assert kinds["quarter"] > 3 * 1000 and kinds["year"] > 1000 and kinds["half_year"] > 2 * 300
            # 2025–26 as decided on 24.02.2026: nothing in the spring break 2–7 March, on 1–9 May, on
            # Orozo Ait (20.03) or Kurman Ait (27.05); 23 February and 7 April are working days.
            dates = set(s.exec(select(Lesson.date).distinct()).all())
            for off in (
                date(2026, 3, 2),
                date(2026, 3, 6),
                date(2026, 5, 4),
                date(2026, 5, 8),
                date(2026, 3, 20),
                date(2026, 5, 27),
            ):
                assert off not in dates, off
            assert {date(2026, 2, 23), date(2026, 4, 7), date(2026, 5, 29)} <= dates
            # First graders have their own longer winter break (24.12–18.01).
            first = set(
                s.exec(
                    select(Lesson.date)
                    .join(SchoolClass, SchoolClass.id == Lesson.class_id)  # type: ignore[arg-type]
                    .where(SchoolClass.grade == 1)
                    .distinct()
                ).all()
            )
            assert date(2026, 1, 14) in dates and date(2026, 1, 14) not in first and date(2025, 12, 24) not in first
        else:
            assert kinds == {}
            promotions = s.exec(select(MovementRecord.date).where(MovementRecord.kind == "promotion").distinct()).all()
            assert promotions == [date(2026, 9, 1)]


def test_the_register_has_its_demo_documents(demo_engine: Engine) -> None:
    from bbbms_app.models.documents import Document, DocumentAck, DocumentVersion

    with Session(demo_engine) as s:
        docs = {d.title: d for d in s.exec(select(Document)).all()}
        versions = s.exec(select(DocumentVersion)).all()
        acks = s.exec(select(DocumentAck)).all()
    assert {d.kind for d in docs.values()} == {"order", "minutes", "local_act", "plan"}
    act = docs["Баалоо жөнүндө жобо"]
    assert (act.status, act.number, act.year) == ("approved", 1, 2026)
    assert sorted(v.number for v in versions if v.document_id == act.id) == [1, 2]
    assert docs["2-чейректин ички көзөмөл планы"].status == "draft"
    assert len(acks) == 5


def test_a_demo_course_with_a_published_week_and_a_planned_one(demo_engine: Engine) -> None:
    from bbbms_app.models.learning import Course
    from bbbms_app.services import courses

    with Session(demo_engine) as s:
        user = s.exec(select(User).where(User.username == "classteacher")).one()
        course = s.exec(select(Course).where(Course.teacher_id == user.staff_id)).one()
        teacher = accounts.principal_for(user, session=s)
        v = courses.view(s, teacher, course.id, TODAY, courses.due_at_of(TODAY))  # type: ignore[arg-type]
        assert [(i["title"], i["state"]) for i in v.items if i["type"] == "module"] == [
            ("1-апта", "published"),
            ("2-апта", "planned"),
        ]
        assert [i["kind"] for i in v.items if i["type"] == "material"] == ["text", "link", "video"]
        assert [i["title"] for i in v.items if i["type"] == "assignment"] == ["Үй тапшырмасы"]


def test_the_demo_pupil_and_each_of_the_demo_parents_children_have_a_course(demo_engine: Engine) -> None:
    """Not «Азырынча курс жок» for the demo family: a course for the pupil's class and for each
    child's; the pupil has handed in on time, the parent sees a line per child, the diary links
    this week's lessons of the course's subject to it."""
    from bbbms_app.services import courses, diary
    from bbbms_app.services.school import own_children

    with Session(demo_engine) as s:
        pupil = accounts.principal_for(s.exec(select(User).where(User.username == "pupil")).one(), session=s)
        parent = accounts.principal_for(s.exec(select(User).where(User.username == "parent")).one(), session=s)
        mine = courses.courses_for(s, pupil, TODAY)
        assert len(mine) == 1
        v = courses.view(s, pupil, int(mine[0]["id"]), TODAY, courses.due_at_of(TODAY))
        handed = next(i for i in v.items if i["type"] == "assignment")
        assert (handed["status"], handed["late"]) == ("submitted", "")
        children = own_children(s, parent, TODAY)
        assert len(children) >= 2
        rows = courses.courses_for(s, parent, TODAY)
        kids = [line.split("\t")[0] for r in rows for line in r["kids"].split("\n")]
        assert len(kids) == len(children)
        week = diary.pupil_week(s, pupil, pupil.pupil_id, diary.default_monday(s, pupil, pupil.pupil_id, TODAY))  # type: ignore[arg-type]
        links = {r["course"] for day in week["lessons"] for r in day} - {""}
        assert links == {f"/courses?course={mine[0]['id']}"}


def test_the_results_read_whole_equal_the_sql_counts_over_every_period_of_last_year(demo_engine: Engine) -> None:
    """The results report and the teachers' grouping count the period's marks read once, in Python
    (services/reports/results.py, `_counted_rows`; by_teacher.py); tests/results_oracle.py writes the
    same rule as one SQL WHERE and GROUP BY. On last year of the demo (every quarter, both
    half-years: grades 10–11 and the 1-hour subjects of grades 2–9, the year) and on this year's
    first quarter with a pupil who left during it, the two give the same tallies per class ×
    subject × sex, per class, the same outcome per pupil and the same tallies per teacher."""
    from collections import Counter

    from bbbms_app.services.grading import NOT_ATTESTED
    from bbbms_app.services.reports import by_teacher, formulas
    from bbbms_app.services.reports import results as results_service
    from bbbms_app.services.reports.formulas import Tally
    from tests import results_oracle

    with Session(demo_engine) as s:
        director = accounts.principal_for(s.exec(select(User).where(User.username == "director")).one(), session=s)
        current = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        last = s.exec(select(AcademicYear).where(AcademicYear.id != current.id)).one()
        terms = s.exec(select(Term).where(Term.academic_year_id == last.id).order_by(Term.number)).all()
        q1 = s.exec(select(Term).where(Term.academic_year_id == current.id, Term.number == 1)).one()
        leaver = s.exec(
            select(Enrollment)
            .join(
                PeriodMark, (PeriodMark.pupil_id == Enrollment.pupil_id) & (PeriodMark.class_id == Enrollment.class_id)
            )  # type: ignore[arg-type]
            .where(PeriodMark.term_id == q1.id, Enrollment.ends_on.is_(None))  # type: ignore[union-attr]
        ).first()
        leaver.ends_on = q1.starts_on + timedelta(days=10)  # type: ignore[union-attr]
        s.add(leaver)
        s.flush()  # read by both countings in this session, never committed (the demo is the module's)
        checked = Counter()
        for year_id, term_id in [(last.id, t.id) for t in terms] + [(last.id, None), (current.id, q1.id)]:
            res = results_service.results(s, director, year_id, term_id, compare=False)  # type: ignore[arg-type]
            class_ids = [c.id for c in res.classes]
            _on_roll, gone = results_service._roll(s, res.period, class_ids)  # type: ignore[arg-type]
            live = s.exec(
                select(Subject.id).where(Subject.school_id == director.school_id, Subject.deleted_at.is_(None))
            ).all()  # type: ignore[union-attr]
            half_year = grading.half_year_subjects(s, res.classes)
            where = results_oracle.counted(director.school_id, res.period, res.classes, list(live), gone, half_year)  # type: ignore[arg-type]
            marks = {
                (c, sid, x): Tally(*(int(n) for n in counts))
                for c, sid, x, *counts in s.connection().execute(
                    select(PeriodMark.class_id, PeriodMark.subject_id, Pupil.sex, *results_oracle.count_columns())
                    .join(Pupil, Pupil.id == PeriodMark.pupil_id)  # type: ignore[arg-type]
                    .where(where)
                    .group_by(PeriodMark.class_id, PeriodMark.subject_id, Pupil.sex)
                )
            }
            outcomes: dict[tuple[int, str], list] = {}
            for c, x, worst, n2, n_na in s.connection().execute(
                select(PeriodMark.class_id, Pupil.sex, func.min(PeriodMark.value), *results_oracle.count_columns()[3:5])
                .join(Pupil, Pupil.id == PeriodMark.pupil_id)  # type: ignore[arg-type]
                .where(where)
                .group_by(PeriodMark.pupil_id, PeriodMark.class_id, Pupil.sex)
            ):
                outcomes.setdefault((c, x), []).append(2 if n2 else NOT_ATTESTED if n_na else min(5, max(2, worst)))
            assert marks and res.marks == marks
            per_class: dict[tuple[int, str], Tally] = {}
            for (c, _sid, x), tally in marks.items():
                per_class[(c, x)] = per_class.get((c, x), Tally()) + tally
            assert res.class_marks == per_class
            assert res.pupils == {key: formulas.tally_of(values) for key, values in outcomes.items()}
            teachers = {t.staff_id: t.marks for t in by_teacher.by_teacher(s, res)}
            assert teachers and teachers == results_oracle.by_teacher_sql(s, res, list(live), gone, half_year)
            checked[res.period.kind] += 1
            checked["half-year subjects"] += bool(half_year) and res.half_year is not None
            checked["left"] += bool(gone)
        assert checked["quarter"] == 5 and checked["year"] == 1 and checked["half-year subjects"] == 2
        assert checked["left"] >= 1
