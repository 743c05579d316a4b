"""The demo generator: same seed same data, consistent rows, realistic figures, working accounts.

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
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, func, select

import bbbms_app.models  # noqa: F401  (registers every table)
from bbbms_app import settings
from bbbms_app.db import make_engine
from bbbms_app.i18n import collation
from bbbms_app.models import (
    AcademicYear,
    Attendance,
    Enrollment,
    GradingPolicy,
    Lesson,
    Mark,
    Pupil,
    PupilGuardian,
    SchoolClass,
    Staff,
    TeachingAssignment,
    Term,
    User,
)
from bbbms_app.services import accounts, demo, stats

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
        with admin.begin() as conn:
            for schema in schemas:
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
    summary = demo.generate(engine, progress=messages.append)
    return DefaultDemo(engine, summary, messages)


@pytest.fixture
def demo_engine(default_demo: DefaultDemo) -> Engine:
    return default_demo.engine


def _scalar(session: Session, sql: str, **params: object) -> int:
    return int(session.exec(text(sql), params=params).one()[0])  # type: ignore[call-overload]


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
    summary = demo.generate(first, pupils=120, seed=11)
    assert not demo.is_empty(first)
    demo.generate(second, pupils=120, seed=11)
    demo.generate(other, pupils=120, seed=12)
    assert summary.pupils == 120 and summary.schools == 1
    snap = _snapshot(first)
    assert snap == _snapshot(second)
    assert snap[0] != _snapshot(other)[0]
    assert snap[1] != _snapshot(other)[1]


def test_several_schools_split_pupils_and_keep_pins_unique(fresh_engine: Callable[[], Engine]) -> None:
    engine = fresh_engine()
    summary = demo.generate(engine, pupils=301, schools=3, seed=5)
    assert summary.schools == 3 and summary.pupils == 301 and summary.users == len(demo.DEMO_ACCOUNTS)
    with Session(engine) as s:
        per_school = s.exec(select(Pupil.school_id, func.count()).group_by(Pupil.school_id)).all()
        assert sorted(n for _, n in per_school) == [100, 100, 101]
        assert s.exec(select(func.count(func.distinct(Pupil.pin)))).one() == 301
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
    again = demo.generate(engine, pupils=50, seed=5)
    assert again.schools == 1 and again.users == 0


def test_column_lists_cover_every_required_column() -> None:
    for name, columns in demo._COLUMNS.items():
        table = SQLModel.metadata.tables[name]
        assert set(columns) <= set(table.c.keys()), name
        # A column with a server default is filled by the database when COPY leaves it out.
        required = {c.name for c in table.columns if not c.nullable and c.server_default is None}
        missing = required - set(columns)
        assert not missing, f"{name}: COPY would leave NOT NULL columns {missing} empty"


# --- the default demo ---------------------------------------------------------------------------


def test_summary_matches_counts(default_demo: DefaultDemo) -> None:
    summary = default_demo.summary
    with Session(default_demo.engine) as s:
        counts = stats.counts(s)
    assert counts == {
        "schools": 1, "pupils": 700, "guardians": summary.guardians, "staff": summary.staff,
        "classes": summary.classes, "subjects": len(demo.SUBJECTS), "lessons": summary.lessons,
        "marks": summary.marks, "attendance": summary.attendance, "users": len(demo.DEMO_ACCOUNTS), "terms": 4,
    }  # fmt: skip
    assert 40 <= summary.staff <= 60
    assert 22 <= summary.classes <= 33
    assert 1 <= summary.guardians / summary.pupils <= 2
    assert summary.seconds < 20
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


def test_calendar_and_grading_policy(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        year = s.exec(select(AcademicYear)).one()
        assert (year.name, year.starts_on, year.ends_on, year.is_current) == (
            "2025–2026", date(2025, 9, 1), date(2026, 5, 31), True,
        )  # fmt: skip
        terms = s.exec(select(Term).order_by(Term.number)).all()
        assert [(t.kind, t.number, t.starts_on, t.ends_on) for t in terms] == [
            ("quarter", 1, date(2025, 9, 1), date(2025, 11, 4)),
            ("quarter", 2, date(2025, 11, 10), date(2025, 12, 30)),
            ("quarter", 3, date(2026, 1, 12), date(2026, 3, 5)),
            ("quarter", 4, date(2026, 3, 9), date(2026, 5, 31)),
        ]
        policies = s.exec(select(GradingPolicy).order_by(GradingPolicy.grade_from)).all()
        assert [(p.grade_from, p.grade_to, p.scale) for p in policies] == [(1, 1, "none"), (2, 11, "five_point")]
        five = policies[1]
        assert (five.min_value, five.max_value, five.min_marks) == (2, 5, 3)
        assert (five.threshold_5, five.threshold_4, five.threshold_3) == (4.65, 3.65, 2.65)


def test_classes_languages_shifts_and_class_teachers(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        classes = s.exec(select(SchoolClass)).all()
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
        hours = s.exec(
            select(TeachingAssignment.class_id, func.sum(TeachingAssignment.hours_per_week)).group_by(
                TeachingAssignment.class_id
            )
        ).all()
        assert len(hours) == len(classes)
        assert all(21 <= h <= 34 for _, h in hours)


def test_pupils_guardians_and_enrollments(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        guardians = s.exec(select(PupilGuardian.pupil_id, func.count()).group_by(PupilGuardian.pupil_id)).all()
        assert len(guardians) == 700
        assert {n for _, n in guardians} <= {1, 2}
        primaries = s.exec(
            select(PupilGuardian.pupil_id, func.count())
            .where(PupilGuardian.is_primary)
            .group_by(PupilGuardian.pupil_id)
        ).all()
        assert len(primaries) == 700 and {n for _, n in primaries} == {1}
        enrollments = s.exec(select(Enrollment.pupil_id, func.count()).group_by(Enrollment.pupil_id)).all()
        assert len(enrollments) == 700 and {n for _, n in enrollments} == {1}
        # Everyone from the first day, but the few who arrived later and the few who left (the movement book).
        starts = set(s.exec(select(Enrollment.starts_on).distinct()).all())
        assert date(2025, 9, 1) in starts and len(starts) == 5
        assert s.exec(select(func.count()).select_from(Enrollment).where(Enrollment.ends_on.is_not(None))).one() == 3  # type: ignore[union-attr]
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
        grade_of = dict(
            s.exec(
                select(Enrollment.pupil_id, SchoolClass.grade).join(SchoolClass, SchoolClass.id == Enrollment.class_id)
            ).all()  # type: ignore[arg-type]
        )
    books = set()
    for p in pupils:
        assert p.pin is not None and re.fullmatch(r"\d{14}", p.pin), p.pin
        assert p.pin[0] == ("1" if p.sex == "f" else "2")
        assert p.pin[1:9] == p.birth_date.strftime("%d%m%Y")
        # Grade g of 2025–2026 was born about 2025 - 6 - g.
        assert 2025 - 6 - grade_of[p.id] - 1 <= p.birth_date.year <= 2025 - 6 - grade_of[p.id] + 1
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


def test_lessons_cover_first_quarter_weekdays(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        q1 = s.exec(select(Term).where(Term.number == 1)).one()
        assert set(s.exec(select(Lesson.term_id).distinct()).all()) == {q1.id}
        dates = set(s.exec(select(Lesson.date).distinct()).all())
        assert dates == set(demo.school_days(date(2025, 9, 1), date(2025, 11, 4)))
        assert len(dates) == 47
        assert all(d.weekday() < 5 for d in dates)
        assert s.exec(select(func.min(Lesson.number), func.max(Lesson.number))).one() == (1, 7)
        topics = s.exec(select(func.count()).select_from(Lesson).where(Lesson.topic != "")).one()
        homework = s.exec(select(func.count()).select_from(Lesson).where(Lesson.homework != "")).one()
        total = s.exec(select(func.count()).select_from(Lesson)).one()
    assert topics == total
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
            " JOIN schoolclass c ON c.id = l.class_id WHERE c.grade > 1",
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
            "SELECT count(*) FROM lesson l JOIN enrollment e ON e.class_id = l.class_id WHERE "  # noqa: S608
            + own_lesson.format(n="", pupil="e.pupil_id"),
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
    from bbbms_app.services import timetable

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
            for term in s.exec(select(Term).where(Term.school_id == school.id)).all():
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
        term = s.exec(select(Term).where(Term.number == 1, Term.school_id == ta.school_id)).one()
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
        assert s.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher)).first() is None
        own = s.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == users["classteacher"].staff_id)).one()
        assert 5 <= own.grade <= 9
        children = s.exec(
            select(PupilGuardian.pupil_id).where(PupilGuardian.guardian_id == users["parent"].guardian_id)
        ).all()
        assert len(children) >= 2
        grades = s.exec(
            select(SchoolClass.grade)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.pupil_id.in_(children))  # type: ignore[union-attr,arg-type]
        ).all()
        assert max(grades) >= 5
        pupil = users["pupil"].pupil_id
        grade = s.exec(
            select(SchoolClass.grade)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.pupil_id == pupil)  # type: ignore[arg-type]
        ).one()
        assert grade >= 5
        assert s.exec(select(func.count()).select_from(Mark).where(Mark.pupil_id == pupil)).one() > 0
