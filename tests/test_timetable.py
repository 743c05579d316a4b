"""The timetable service on a real database: clashes, edits from a date, lesson generation, scope.

Runs on SQLite, and on PostgreSQL when BBBMS_TEST_DATABASE_URL is set (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from bbbms_app import db, demo
from bbbms_app.models import (
    AcademicYear,
    AuditEvent,
    BellSchedule,
    Holiday,
    Lesson,
    Mark,
    School,
    SchoolClass,
    Term,
    TimetableSlot,
    User,
)
from bbbms_app.services import accounts, timetable
from tests import timetable_factory
from tests.factories import principal_of
from tests.timetable_factory import GRADE5_DAY_OFF, GRADE6_DAY_OFF, PUBLIC_HOLIDAY

Q1_START, Q1_END = date(2025, 9, 1), date(2025, 11, 4)


@pytest.fixture
def tts(school):
    with db.session() as s:
        return timetable_factory.build(s, school)


def _place(username: str, tts, class_id: int, weekday: int, number: int, assignment: int, room: str = "", **kw):
    with db.session(write=True) as s:
        who = principal_of(username, s)
        return timetable.place(
            s,
            who,
            class_id=class_id,
            term_id=kw.get("term_id", tts.known.term_ids[0]),
            weekday=weekday,
            number=number,
            assignment_id=assignment,
            room=room,
            effective_from=kw.get("effective_from", Q1_START),
        )


def _slots() -> list[TimetableSlot]:
    with db.session() as s:
        return list(s.exec(select(TimetableSlot).order_by(TimetableSlot.id)).all())


def _audits(entity: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)).all())


# --- editing cells and clashes ------------------------------------------------------------------


def test_deputy_places_a_lesson_and_it_is_audited(tts):
    k = tts.known
    slot = _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a, room=" 101 ")
    assert slot is not None
    (row,) = _slots()
    assert (row.class_id, row.weekday, row.number, row.subject_id, row.teacher_id) == (
        k.class_5a,
        1,
        1,
        k.math,
        k.teacher_a,
    )
    assert (row.valid_from, row.valid_to, row.room, row.term_id) == (Q1_START, Q1_END, "101", k.term_ids[0])
    (event,) = _audits("timetableslot")
    assert event.action == "create" and event.username == "t_deputy" and f"teacher={k.teacher_a}" in event.new_value
    # Placing exactly the same again changes nothing and writes nothing.
    assert _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a, room="101") is None
    assert len(_slots()) == 1 and len(_audits("timetableslot")) == 1


def test_a_teacher_twice_at_once_is_refused_with_a_message_naming_the_clash(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a)
    with pytest.raises(timetable.TimetableError) as exc:
        _place("t_deputy", tts, k.class_6b, 1, 1, tts.ta_ky_6b_a)  # teacher A again, Monday lesson 1
    assert exc.value.key == "tt.clash.teacher" and exc.value.field == "teacher_id"
    assert exc.value.message("ky") == "Өмүрбекова А. бул убакта бош эмес: Дүйшөмбү, 1-сабак, 5-А (Математика)"
    assert exc.value.message("ru") == "Өмүрбекова А. в это время занят(а): Понедельник, 1-й урок, 5-А (Математика)"
    assert exc.value.message("en") == "Өмүрбекова А. is busy at that time: Monday, lesson 1, 5-А (Mathematics)"
    assert len(_slots()) == 1 and len(_audits("timetableslot")) == 1  # nothing written
    # Another day, or another lesson number, is free.
    assert _place("t_deputy", tts, k.class_6b, 2, 1, tts.ta_ky_6b_a) is not None
    assert _place("t_deputy", tts, k.class_6b, 1, 2, tts.ta_ky_6b_a) is not None


def test_a_room_twice_at_once_is_refused_whatever_its_spelling(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 3, 2, tts.ta_math_5a, room="Спортзал")
    with pytest.raises(timetable.TimetableError) as exc:
        _place("t_deputy", tts, k.class_6b, 3, 2, tts.ta_math_6b, room="  спортзал ")
    assert exc.value.key == "tt.clash.room"
    assert exc.value.message("ru") == "Кабинет спортзал в это время занят: Среда, 2-й урок, 5-А (Математика)"
    assert _place("t_deputy", tts, k.class_6b, 3, 2, tts.ta_math_6b, room="202") is not None


def test_clashes_follow_the_bells_across_shifts(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 6, tts.ta_math_5a)  # shift 1, lesson 6: 12:35–13:20
    with db.session() as s:
        c6 = s.get(SchoolClass, k.class_6b)
        c6.shift = 2  # type: ignore[union-attr]
        s.add(c6)
    with pytest.raises(timetable.TimetableError) as exc:
        _place("t_deputy", tts, k.class_6b, 1, 1, tts.ta_ky_6b_a)  # shift 2, lesson 1: 13:00–13:45
    assert exc.value.params["number"] == 6
    assert _place("t_deputy", tts, k.class_6b, 1, 2, tts.ta_ky_6b_a) is not None  # 13:55: free
    # Lesson 6 of the first shift and lesson 6 of the second are hours apart: no clash either.
    assert _place("t_deputy", tts, k.class_6b, 2, 6, tts.ta_ky_6b_a) is not None
    assert _place("t_deputy", tts, k.class_5a, 2, 6, tts.ta_math_5a) is not None


def test_without_bells_the_same_shift_and_number_clash(tts):
    k = tts.known
    with db.session() as s:
        for bell in s.exec(select(BellSchedule)).all():
            s.delete(bell)
    _place("t_deputy", tts, k.class_5a, 4, 3, tts.ta_math_5a)
    with pytest.raises(timetable.TimetableError):
        _place("t_deputy", tts, k.class_6b, 4, 3, tts.ta_ky_6b_a)
    assert _place("t_deputy", tts, k.class_6b, 4, 4, tts.ta_ky_6b_a) is not None


def test_a_change_from_a_date_ends_the_old_slot_the_day_before(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a)
    changed = _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_ky_5a, effective_from=date(2025, 10, 6))
    assert changed is not None
    old, new = _slots()
    assert (old.subject_id, old.valid_from, old.valid_to) == (k.math, Q1_START, date(2025, 10, 5))
    assert (new.subject_id, new.valid_from, new.valid_to) == (k.kyrgyz, date(2025, 10, 6), Q1_END)
    with db.session() as s:
        deputy = principal_of("t_deputy", s)
        before = timetable.class_week(s, deputy, k.class_5a, date(2025, 9, 8))
        after = timetable.class_week(s, deputy, k.class_5a, date(2025, 10, 6))
    assert before.cells[0][0]["subject_en"] == "Mathematics"
    assert after.cells[0][0]["subject_en"] == "Kyrgyz" and after.cells[0][0]["detail"] == "Иванов С."
    # Teacher A is free on Mondays from 6 October: his Kyrgyz in 6-Б fits there, and not before.
    with pytest.raises(timetable.TimetableError):
        _place("t_deputy", tts, k.class_6b, 1, 1, tts.ta_ky_6b_a)
    assert _place("t_deputy", tts, k.class_6b, 1, 1, tts.ta_ky_6b_a, effective_from=date(2025, 10, 6)) is not None
    # Placing from the term's first day again replaces both earlier slots of the cell.
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_ky_5a)
    rows = [s for s in _slots() if s.class_id == k.class_5a]
    assert [(s.subject_id, s.valid_from, s.valid_to) for s in rows] == [(k.kyrgyz, Q1_START, Q1_END)]
    assert {e.action for e in _audits("timetableslot")} == {"create", "update", "delete"}


def test_groups_share_a_cell_and_the_whole_class_replaces_them(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_6b, 5, 3, tts.ta_eng_6b_g1)
    _place("t_deputy", tts, k.class_6b, 5, 3, tts.ta_eng_6b_g2)
    assert sorted(s.subgroup for s in _slots()) == [1, 2]
    with db.session() as s:
        week = timetable.class_week(s, principal_of("t_deputy", s), k.class_6b, Q1_START)
    cell = week.cells[2][4]
    assert cell["subject_en"] == "English" and cell["detail"] == "1) Өмүрбекова А. / 2) Иванов С."
    _place("t_deputy", tts, k.class_6b, 5, 3, tts.ta_math_6b)
    assert [(s.subgroup, s.subject_id) for s in _slots()] == [(0, k.math)]


def test_the_database_refuses_two_slots_of_a_class_in_one_cell_from_the_same_day(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a)
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            TimetableSlot(
                school_id=k.school_id,
                class_id=k.class_5a,
                term_id=k.term_ids[0],
                valid_from=Q1_START,
                valid_to=Q1_END,
                weekday=1,
                number=1,
                subject_id=k.kyrgyz,
                teacher_id=k.teacher_b,
            )
        )
        s.flush()
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            TimetableSlot(
                school_id=k.school_id,
                class_id=k.class_5a,
                term_id=k.term_ids[0],
                valid_from=Q1_START,
                valid_to=Q1_END,
                weekday=6,  # Saturday: not a school day
                number=1,
                subject_id=k.math,
                teacher_id=k.teacher_a,
            )
        )
        s.flush()


def test_bad_edits_are_refused_and_nothing_is_written(tts):
    k = tts.known
    cases = [
        ({"effective_from": date(2025, 11, 20)}, "tt.error.outside_term"),
        ({"term_id": k.term_ids[1], "effective_from": date(2025, 9, 1)}, "tt.error.outside_term"),
    ]
    for kw, key in cases:
        with pytest.raises(timetable.TimetableError) as exc:
            _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a, **kw)
        assert exc.value.key == key
    with pytest.raises(timetable.TimetableError) as exc:
        _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_6b)  # an assignment of another class
    assert exc.value.key == "tt.error.not_assigned"
    for weekday, number in ((0, 1), (6, 1), (1, 13), (1, -1)):
        with pytest.raises(timetable.TimetableError):
            _place("t_deputy", tts, k.class_5a, weekday, number, tts.ta_math_5a)
    with pytest.raises(timetable.TimetableError):
        _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a, room="x" * 21)
    with db.session() as s:
        term = s.get(Term, k.term_ids[0])
        term.closed_at = datetime(2025, 11, 5, tzinfo=UTC)  # type: ignore[union-attr]
        s.add(term)
    with pytest.raises(timetable.TimetableError) as exc:
        _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a)
    assert exc.value.key == "tt.error.term_closed"
    assert _slots() == [] and _audits("timetableslot") == []


@pytest.mark.parametrize("username", ["t_teacher", "t_classteacher", "t_clerk", "t_parent", "t_admin"])
def test_only_leaders_edit_the_timetable(tts, username):
    k = tts.known
    with pytest.raises(timetable.OutOfScope):
        _place(username, tts, k.class_5a, 1, 1, tts.ta_math_5a)
    with pytest.raises(timetable.OutOfScope), db.session(write=True) as s:
        timetable.generate_lessons(s, principal_of(username, s), k.term_ids[0])
    assert _slots() == []


def test_another_schools_classes_are_out_of_reach(tts):
    k = tts.known
    with db.session() as s:
        other = School(okpo="20000002", name_ky="№ 2 мектеп", name_ru="Школа № 2")
        s.add(other)
        s.flush()
        year = AcademicYear(school_id=other.id, name="2025–2026", starts_on=Q1_START, ends_on=date(2026, 5, 31))  # type: ignore[arg-type]
        s.add(year)
        s.flush()
        foreign = SchoolClass(school_id=other.id, academic_year_id=year.id, grade=5, letter="А")  # type: ignore[arg-type]
        s.add(foreign)
        s.flush()
        foreign_id = foreign.id
    with pytest.raises(timetable.OutOfScope), db.session() as s:
        timetable.class_week(s, principal_of("t_deputy", s), foreign_id, Q1_START)  # type: ignore[arg-type]
    with pytest.raises(timetable.OutOfScope):
        _place("t_deputy", tts, foreign_id, 1, 1, tts.ta_math_5a)  # type: ignore[arg-type]
    assert _slots() == [] and k.school_id != other.id


# --- reading --------------------------------------------------------------------------------------


def _fill_week(tts) -> None:
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a, room="101")
    _place("t_deputy", tts, k.class_5a, 3, 2, tts.ta_math_5a, room="101")
    _place("t_deputy", tts, k.class_5a, 2, 3, tts.ta_ky_5a, room="101")
    _place("t_deputy", tts, k.class_6b, 1, 2, tts.ta_ky_6b_a, room="202")
    _place("t_deputy", tts, k.class_6b, 2, 1, tts.ta_math_6b, room="202")


def test_class_week_grid_and_day_lists(tts):
    _fill_week(tts)
    k = tts.known
    with db.session() as s:
        week = timetable.class_week(s, principal_of("t_deputy", s), k.class_5a, Q1_START)
        edit = timetable.class_week(s, principal_of("t_deputy", s), k.class_5a, Q1_START, editable=True)
    assert [r["number"] for r in week.rows] == ["1", "2", "3"]
    assert week.rows[0]["time"] == "08:00–08:45" and week.rows[2]["time"] == "09:50–10:35"
    assert week.cells[0][0]["subject_ky"] == "Математика" and week.cells[0][0]["detail"] == "Өмүрбекова А. · 101"
    assert week.cells[0][1]["empty"] == "1"
    assert [len(d) for d in week.days] == [1, 1, 1, 0, 0]
    assert week.slots == 3 and week.clashes == 0
    # The editor offers every row the bells define, empty cells included.
    assert [r["number"] for r in edit.rows] == ["1", "2", "3", "4", "5", "6"]
    assert [len(d) for d in edit.days] == [6] * 5


def test_teacher_week_spans_his_classes_in_clock_order(tts):
    _fill_week(tts)
    k = tts.known
    with db.session() as s:
        c6 = s.get(SchoolClass, k.class_6b)
        c6.shift = 2  # type: ignore[union-attr]
        s.add(c6)
    with db.session() as s:
        week = timetable.teacher_week(s, principal_of("t_classteacher", s), k.teacher_a, Q1_START)
    assert [(r["number"], r["time"], r["shift"]) for r in week.rows] == [
        ("1", "08:00–08:45", "1"),
        ("2", "08:55–09:40", "1"),
        ("2", "13:55–14:40", "2"),
    ]
    assert week.cells[0][0]["subject_en"] == "Mathematics" and week.cells[0][0]["detail"] == "5-А · 101"
    assert week.cells[2][0]["subject_en"] == "Kyrgyz" and week.cells[2][0]["detail"] == "6-Б · 202"


def test_reading_is_scoped(tts):
    _fill_week(tts)
    k = tts.known
    with db.session() as s:
        p = {u: principal_of(u, s) for u in ("t_teacher", "t_parent", "t_pupil", "t_clerk", "t_classteacher")}
        assert timetable.class_week(s, p["t_teacher"], k.class_6b, Q1_START).slots == 2
        assert timetable.class_week(s, p["t_teacher"], k.class_5a, Q1_START).slots == 3  # teaches Kyrgyz there
        assert timetable.class_week(s, p["t_parent"], k.class_5a, Q1_START).slots == 3
        assert timetable.class_week(s, p["t_clerk"], k.class_6b, Q1_START).slots == 2
        for who, class_id in (("t_parent", k.class_6b), ("t_pupil", k.class_6b)):
            with pytest.raises(timetable.OutOfScope):
                timetable.class_week(s, p[who], class_id, Q1_START)
        with pytest.raises(timetable.OutOfScope):
            timetable.teacher_week(s, p["t_teacher"], k.teacher_a, Q1_START)
        assert timetable.teacher_week(s, p["t_teacher"], k.teacher_b, Q1_START).slots == 2
        assert timetable.teacher_week(s, p["t_clerk"], k.teacher_a, Q1_START).slots == 3
        assert [c["name"] for c in timetable.readable_classes(s, p["t_teacher"], k.year_id)] == ["5-А", "6-Б"]
        assert [c["name"] for c in timetable.readable_classes(s, p["t_parent"], k.year_id)] == ["5-А"]


def test_existing_clashes_are_flagged_in_the_grid(tts):
    _fill_week(tts)
    k = tts.known
    with db.session() as s:  # an import or an old timetable may hold a clash the editor would refuse
        s.add(
            TimetableSlot(
                school_id=k.school_id,
                class_id=k.class_6b,
                term_id=k.term_ids[0],
                valid_from=Q1_START,
                valid_to=Q1_END,
                weekday=1,
                number=1,
                subject_id=k.kyrgyz,
                teacher_id=k.teacher_a,
            )
        )
    with db.session() as s:
        deputy = principal_of("t_deputy", s)
        five = timetable.class_week(s, deputy, k.class_5a, Q1_START)
        six = timetable.class_week(s, deputy, k.class_6b, Q1_START)
    assert five.cells[0][0]["clash"] == "1" and five.clashes == 1
    assert six.cells[0][0]["clash"] == "1" and six.cells[1][0]["clash"] == ""


# --- generating lessons ---------------------------------------------------------------------------


def _lessons(class_id: int, term_id: int) -> list[Lesson]:
    with db.session() as s:
        return list(
            s.exec(
                select(Lesson).where(Lesson.class_id == class_id, Lesson.term_id == term_id).order_by(Lesson.date)
            ).all()
        )


def _generate(tts, term_index: int = 0, **kw) -> timetable.Generation:
    with db.session(write=True) as s:
        return timetable.generate_lessons(s, principal_of("t_deputy", s), tts.known.term_ids[term_index], **kw)


def test_generation_skips_weekends_and_holidays_and_is_idempotent(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a)  # Mondays
    _place("t_deputy", tts, k.class_5a, 3, 2, tts.ta_math_5a)  # Wednesdays
    _place("t_deputy", tts, k.class_6b, 1, 1, tts.ta_math_6b)  # Mondays
    factory_lessons = _lessons(k.class_5a, k.term_ids[0])
    assert len(factory_lessons) == 3  # Tue 2, Wed 3, Thu 4 Sep: topics and marks
    first = _generate(tts)
    mondays, wednesdays = timetable_factory.mondays_and_wednesdays(Q1_START, Q1_END)
    want_5a = (len(mondays) - 1) + (len(wednesdays) - 1)  # minus 22 Sep (grade 5) and 10 Sep (everyone)
    want_6b = len(mondays) - 1  # minus 15 Sep (grade 6)
    # The factory's lesson 2 of Wednesday 3 Sep is already where the timetable puts one: kept, not doubled.
    assert first.created == want_5a - 1 + want_6b
    assert (first.updated, first.removed, first.kept) == (0, 0, 3)
    five = _lessons(k.class_5a, k.term_ids[0])
    dates = [lesson.date for lesson in five if lesson.id not in {x.id for x in factory_lessons}]
    assert all(d.weekday() in (0, 2) for d in dates)
    assert PUBLIC_HOLIDAY not in dates and GRADE5_DAY_OFF not in dates and GRADE6_DAY_OFF in dates
    assert GRADE6_DAY_OFF not in [x.date for x in _lessons(k.class_6b, k.term_ids[0])]
    wednesday = next(x for x in five if x.date == date(2025, 9, 17))
    assert (wednesday.number, wednesday.subject_id, wednesday.teacher_id, wednesday.topic) == (
        2,
        k.math,
        k.teacher_a,
        "",
    )
    # Once more: nothing new, nothing lost, the factory's lessons with their marks untouched.
    again = _generate(tts)
    assert (again.created, again.updated, again.removed, again.kept) == (0, 0, 0, first.created + 3)
    assert len(_lessons(k.class_5a, k.term_ids[0])) == len(five)
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Mark)).one() == 3
    (event,) = [e for e in _audits("term") if "created=0" in e.new_value]
    assert event.action == "generate" and event.username == "t_deputy"


def test_regeneration_follows_a_changed_timetable_but_keeps_lessons_with_journal_data(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 3, 2, tts.ta_math_5a)  # Wednesdays, lesson 2
    _generate(tts)
    lessons = {x.date: x for x in _lessons(k.class_5a, k.term_ids[0])}
    marked_day, topic_day = date(2025, 10, 8), date(2025, 10, 15)
    with db.session() as s:
        s.add(Mark(school_id=k.school_id, lesson_id=lessons[marked_day].id, pupil_id=k.pupils_5a[0], value=4))  # type: ignore[arg-type]
        topic = s.get(Lesson, lessons[topic_day].id)
        topic.topic = "Бөлчөктөр"  # type: ignore[union-attr]
        s.add(topic)
    # From 1 October Wednesday's lesson 2 is Kyrgyz with teacher B, and Thursday gets a maths lesson.
    change = date(2025, 10, 1)
    _place("t_deputy", tts, k.class_5a, 3, 2, tts.ta_ky_5a, effective_from=change)
    _place("t_deputy", tts, k.class_5a, 4, 3, tts.ta_math_5a, effective_from=change)
    result = _generate(tts, from_date=change)
    wednesdays_after = [d for d in lessons if d >= change and d.weekday() == 2]
    assert result.updated == len(wednesdays_after) - 2  # the marked and the topic lesson stay maths
    assert result.kept == 2  # those two; lessons before the change are not looked at
    thursdays = [d for d in (change + timedelta(days=i) for i in range((Q1_END - change).days + 1)) if d.weekday() == 3]
    assert result.created == len(thursdays)
    after = {(x.date, x.number): x for x in _lessons(k.class_5a, k.term_ids[0])}
    assert after[(marked_day, 2)].subject_id == k.math and after[(topic_day, 2)].subject_id == k.math
    assert (
        after[(date(2025, 10, 22), 2)].subject_id == k.kyrgyz
        and after[(date(2025, 10, 22), 2)].teacher_id == k.teacher_b
    )
    assert after[(date(2025, 9, 24), 2)].subject_id == k.math  # before the change: untouched
    # Clearing Thursday removes its empty lessons, and a cancelled one stays.
    thursday = after[(date(2025, 10, 9), 3)]
    with db.session() as s:
        row = s.get(Lesson, thursday.id)
        row.cancelled = True  # type: ignore[union-attr]
        s.add(row)
    with db.session(write=True) as s:
        deputy = principal_of("t_deputy", s)
        timetable.clear(
            s, deputy, class_id=k.class_5a, term_id=k.term_ids[0], weekday=4, number=3, effective_from=change
        )
    removed = _generate(tts, from_date=change)
    assert removed.removed == len(thursdays) - 1 and removed.created == 0
    left = [x for x in _lessons(k.class_5a, k.term_ids[0]) if x.date >= change and x.number == 3]
    assert [x.id for x in left] == [thursday.id]


def test_generation_refuses_a_closed_term(tts):
    with db.session() as s:
        term = s.get(Term, tts.known.term_ids[0])
        term.closed_at = datetime(2025, 11, 5, tzinfo=UTC)  # type: ignore[union-attr]
        s.add(term)
    with pytest.raises(timetable.TimetableError) as exc:
        _generate(tts)
    assert exc.value.key == "tt.error.term_closed"


def test_holidays_apply_by_grade():
    h_all = Holiday(
        school_id=1, academic_year_id=1, name_ky="a", name_ru="a", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 7)
    )
    h_first = Holiday(
        school_id=1,
        academic_year_id=1,
        name_ky="b",
        name_ru="b",
        starts_on=date(2026, 1, 12),
        ends_on=date(2026, 1, 18),
        grade_from=1,
        grade_to=1,
    )
    days = [h_all, h_first]
    assert timetable.holiday_on(days, date(2026, 1, 5), 7) is h_all
    assert timetable.holiday_on(days, date(2026, 1, 13), 1) is h_first
    assert timetable.holiday_on(days, date(2026, 1, 13), 2) is None


def test_bells_pick_the_narrowest_grade_band():
    bells = timetable.Bells(
        [
            BellSchedule(
                school_id=1, shift=1, grade_from=1, grade_to=12, number=1, starts_at=time(8), ends_at=time(8, 45)
            ),
            BellSchedule(
                school_id=1, shift=1, grade_from=1, grade_to=1, number=1, starts_at=time(8), ends_at=time(8, 35)
            ),
        ]
    )
    assert bells.at(1, 1, 1) == (time(8), time(8, 35))
    assert bells.at(1, 5, 1) == (time(8), time(8, 45))
    assert bells.at(2, 5, 1) is None and bells.at(1, 5, 2) is None


# --- a teacher's own lessons: extra and cancelled -------------------------------------------------


def test_teacher_adds_an_extra_lesson_for_his_own_class_only(tts):
    k = tts.known
    friday = date(2025, 9, 5)
    with db.session(write=True) as s:
        lesson = timetable.add_lesson(
            s,
            principal_of("t_classteacher", s),
            assignment_id=tts.ta_math_5a,
            on=friday,
            number=4,
            topic=" Кайталоо  ",
        )
        lesson_id = lesson.id
    with db.session() as s:
        row = s.get(Lesson, lesson_id)
        assert (row.class_id, row.subject_id, row.teacher_id, row.date, row.number, row.topic) == (  # type: ignore[union-attr]
            k.class_5a,
            k.math,
            k.teacher_a,
            friday,
            4,
            "Кайталоо",
        )
        assert row.term_id == k.term_ids[0]  # type: ignore[union-attr]
        mine = timetable.teacher_lessons(s, principal_of("t_classteacher", s), date(2025, 9, 1))
    assert [(x["day_ky"], x["number"], x["extra"], x["locked"]) for x in mine] == [
        ("Шейшемби, 02.09", "1", "1", "1"),  # the factory's lessons: marks lock them
        ("Шаршемби, 03.09", "2", "1", "1"),
        ("Бейшемби, 04.09", "3", "1", "1"),
        ("Жума, 05.09", "4", "1", ""),
    ]
    assert _audits("lesson")[-1].action == "create"
    refusals = [
        ({"assignment_id": tts.ta_math_6b, "on": friday, "number": 5}, timetable.OutOfScope, None),  # teacher B's
        (
            {"assignment_id": tts.ta_math_5a, "on": date(2025, 9, 6), "number": 1},
            timetable.TimetableError,
            "tt.error.not_school_day",
        ),
        (
            {"assignment_id": tts.ta_math_5a, "on": PUBLIC_HOLIDAY, "number": 5},
            timetable.TimetableError,
            "tt.error.holiday",
        ),
        (
            {"assignment_id": tts.ta_math_5a, "on": date(2025, 11, 6), "number": 1},
            timetable.TimetableError,
            "tt.error.no_term",
        ),
        ({"assignment_id": tts.ta_math_5a, "on": friday, "number": 4}, timetable.TimetableError, "tt.error.class_busy"),
        (
            {"assignment_id": tts.ta_ky_6b_a, "on": friday, "number": 4},
            timetable.TimetableError,
            "tt.error.teacher_busy",
        ),
        ({"assignment_id": tts.ta_math_5a, "on": friday, "number": 13}, timetable.TimetableError, "error.invalid"),
    ]
    for kwargs, error, key in refusals:
        with pytest.raises(error) as exc, db.session(write=True) as s:
            timetable.add_lesson(s, principal_of("t_classteacher", s), **kwargs)
        if key:
            assert exc.value.key == key, kwargs
    with pytest.raises(timetable.TimetableError) as exc, db.session(write=True) as s:
        timetable.add_lesson(
            s,
            principal_of("t_classteacher", s),
            assignment_id=tts.ta_math_5a,
            on=PUBLIC_HOLIDAY,
            number=5,
        )
    assert exc.value.message("en") == "10.09.2025: Holiday, no lessons"
    assert len(_lessons(k.class_5a, k.term_ids[0])) == 4


def test_teacher_cancels_and_restores_only_his_own_lessons_without_marks(tts):
    k = tts.known
    _place("t_deputy", tts, k.class_5a, 1, 1, tts.ta_math_5a)
    _generate(tts)
    monday = next(x for x in _lessons(k.class_5a, k.term_ids[0]) if x.date == date(2025, 9, 8))
    with db.session(write=True) as s:
        timetable.cancel_lesson(s, principal_of("t_classteacher", s), monday.id, "Семинар")  # type: ignore[arg-type]
    with db.session() as s:
        assert s.get(Lesson, monday.id).cancelled is True  # type: ignore[union-attr]
    event = _audits("lesson")[-1]
    assert (event.field, event.old_value, event.new_value, event.reason) == ("cancelled", "False", "True", "Семинар")
    with pytest.raises(timetable.OutOfScope), db.session(write=True) as s:  # teacher B: not his lesson
        timetable.restore_lesson(s, principal_of("t_teacher", s), monday.id)  # type: ignore[arg-type]
    with pytest.raises(timetable.OutOfScope), db.session(write=True) as s:
        timetable.cancel_lesson(s, principal_of("t_teacher", s), k.lessons_5a_math[1])
    with pytest.raises(timetable.TimetableError) as exc, db.session(write=True) as s:  # marks were given there
        timetable.cancel_lesson(s, principal_of("t_classteacher", s), k.lessons_5a_math[0])
    assert exc.value.key == "tt.error.has_marks"
    with db.session(write=True) as s:
        timetable.restore_lesson(s, principal_of("t_classteacher", s), monday.id)  # type: ignore[arg-type]
    with db.session() as s:
        assert s.get(Lesson, monday.id).cancelled is False  # type: ignore[union-attr]
        assert not any(x.cancelled for x in s.exec(select(Lesson)).all())


# --- the demo school ------------------------------------------------------------------------------


def test_demo_has_bells_slots_and_holidays_and_generates_a_quarter(db_url):
    # Built on the first day of the autumn break: the first quarter's journal is whole, not closed yet.
    summary = demo.generate(db.engine(db_url), pupils=90, seed=7, today=date(2025, 11, 5))
    with db.session() as s:
        bells = s.exec(
            select(BellSchedule).order_by(BellSchedule.shift, BellSchedule.grade_from, BellSchedule.number)
        ).all()
        first = [b for b in bells if b.shift == 1 and b.grade_from == 1]
        senior = [b for b in bells if b.shift == 1 and b.grade_from == 2]
        assert (first[0].starts_at, first[0].ends_at) == (time(8, 0), time(8, 35))  # 35 minutes in grade 1
        assert (senior[0].starts_at, senior[0].ends_at) == (time(8, 0), time(8, 45))
        second = [b for b in bells if b.shift == 2 and b.grade_from == 2]
        assert second[0].starts_at > senior[-1].ends_at  # the shifts do not overlap
        holidays = {(h.name_en, h.starts_on, h.ends_on, h.grade_from) for h in s.exec(select(Holiday)).all()}
        assert ("Autumn break", date(2025, 11, 5), date(2025, 11, 9), None) in holidays
        assert ("Winter break", date(2025, 12, 31), date(2026, 1, 11), None) in holidays
        assert ("First graders' winter break", date(2025, 12, 24), date(2026, 1, 18), 1) in holidays
        assert ("Nooruz", date(2026, 3, 21), date(2026, 3, 21), None) in holidays
        assert ("International Women's Day", date(2026, 3, 8), date(2026, 3, 8), None) in holidays
        # The slots are the weekly timetable the demo's first-quarter lessons follow, in all four quarters.
        year = s.exec(select(AcademicYear).where(AcademicYear.is_current)).one()
        terms = s.exec(select(Term).where(Term.academic_year_id == year.id).order_by(Term.number)).all()
        q1 = terms[0]
        slots = s.exec(select(TimetableSlot).where(TimetableSlot.term_id == q1.id)).all()
        placed = {(x.class_id, x.weekday, x.number): (x.subject_id, x.teacher_id) for x in slots}
        held = s.exec(select(Lesson).where(Lesson.term_id == q1.id)).all()
        assert len(held) == summary.lessons
        assert all(placed[(x.class_id, x.date.isoweekday(), x.number)] == (x.subject_id, x.teacher_id) for x in held)
        assert terms[0].closed_at is None
        assert {x.term_id for x in s.exec(select(TimetableSlot)).all()} == {t.id for t in terms}
    with db.session(write=True) as s:
        deputy = accounts.principal_for(s.exec(select(User).where(User.username == "deputy")).one())
        again = timetable.generate_lessons(s, deputy, q1.id)
        assert (again.created, again.removed, again.updated) == (0, 0, 0)
        q2 = timetable.generate_lessons(s, deputy, terms[1].id)
        assert q2.created > 0
    with db.session() as s:
        grade_of = {c.id: c.grade for c in s.exec(select(SchoolClass)).all()}
        q2_lessons = s.exec(select(Lesson).where(Lesson.term_id == terms[1].id)).all()
        assert q2_lessons and all(x.date.weekday() < 5 for x in q2_lessons)
        assert not [x for x in q2_lessons if grade_of[x.class_id] == 1 and x.date >= date(2025, 12, 24)]
        assert [x for x in q2_lessons if grade_of[x.class_id] > 1 and x.date == date(2025, 12, 26)]
