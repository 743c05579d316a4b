"""Bells and holidays edited through the admin engine: the server's checks, and lesson generation
following what was edited (services.school_calendar, the engine's holiday and bell profiles, services.timetable)."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlmodel import select

from bbbms_app import db
from bbbms_app.admin.states import BellScheduleAdminState, HolidayAdminState
from bbbms_app.models import AuditEvent, BellSchedule, Holiday, Lesson
from bbbms_app.services import timetable
from bbbms_app.services.engine import listing, writes
from bbbms_app.services.engine.registry import ENTITIES
from tests import timetable_factory
from tests.factories import principal_of
from tests.states import is_refusal, new_tab, sub

BELLS = ENTITIES.get("bell_schedule")
HOLIDAYS = ENTITIES.get("holiday")


@pytest.fixture
def tts(school):
    with db.session() as s:
        return timetable_factory.build(s, school)


def _create(spec, raw: dict, username: str = "t_deputy"):
    with db.session(write=True) as s:
        row = writes.create(s, spec, principal_of(username), raw)
        return row.id


def _errors(spec, raw: dict, record_id: int | None = None, version: int = 1) -> dict[str, str]:
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        if record_id is None:
            writes.create(s, spec, principal_of("t_deputy"), raw)
        else:
            writes.update(s, spec, principal_of("t_deputy"), record_id, raw, version)
    return {k: v[0] for k, v in exc.value.errors.items()}


def _bell(shift: int, number: int, start: str, end: str, grades: tuple[int, int] = (1, 12)) -> dict[str, str]:
    return {
        "shift": str(shift),
        "number": str(number),
        "starts_at": start,
        "ends_at": end,
        "grade_from": str(grades[0]),
        "grade_to": str(grades[1]),
    }


def _bells() -> int:
    with db.session() as s:
        return len(s.exec(select(BellSchedule)).all())


# The factory's bells: shift 1 lesson n at 08:00 + 55·(n-1) for 45 min (6th: 12:35–13:20);
# shift 2 from 13:00 (6th: 17:35–18:20). Grades 1–12.


def test_a_bell_is_created_listed_and_audited(tts):
    bell_id = _create(BELLS, _bell(2, 7, "18:30", "19:15"))
    with db.session() as s:
        bell = s.get(BellSchedule, bell_id)
        assert bell is not None and (bell.starts_at, bell.ends_at) == (time(18, 30), time(19, 15))
        page = listing.list_page(s, BELLS, principal_of("t_deputy"), limit=100)
        assert timetable.load_bells(s, bell.school_id).at(2, 7, 7) == (time(18, 30), time(19, 15))
        (event,) = s.exec(select(AuditEvent).where(AuditEvent.entity == "bellschedule")).all()
    row = next(r for r in page.rows if r["id"] == str(bell_id))
    assert (row["band"], row["number"], row["lesson_time"]) == ("2 (1–12)", "7", "18:30–19:15")
    assert event.action == "create" and '"starts_at": "18:30:00"' in event.new_value


def test_a_bell_must_end_after_it_starts_and_times_must_be_times(tts):
    before = _bells()
    assert _errors(BELLS, _bell(2, 7, "19:15", "18:30")) == {"ends_at": "admin.error.order"}
    assert _errors(BELLS, _bell(2, 7, "18:30", "18:30")) == {"ends_at": "admin.error.order"}
    assert _errors(BELLS, _bell(2, 7, "25:00", "8:3")) == {
        "starts_at": "admin.error.time",
        "ends_at": "admin.error.time",
    }
    assert _errors(BELLS, _bell(2, 7, "", "19:15")) == {"starts_at": "admin.error.required"}
    assert _bells() == before


def test_lessons_of_one_shift_may_not_overlap_or_ring_out_of_order(tts):
    before = _bells()
    # The 7th lesson of shift 1 may not begin before the 6th ends at 13:20.
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, BELLS, principal_of("t_deputy"), _bell(1, 7, "13:10", "13:55"))
    key, params = exc.value.errors["starts_at"]
    assert key == "tt.error.bell_overlap" and params == {"number": 6, "start": "12:35", "end": "13:20"}
    # Lesson 0 (the early one) after lesson 1: out of order, though it overlaps nothing.
    assert _errors(BELLS, _bell(1, 0, "13:30", "14:00")) == {"starts_at": "tt.error.bell_overlap"}
    # The same number again is the natural key's duplicate.
    assert _errors(BELLS, _bell(1, 3, "20:00", "20:45")) == {"number": "admin.error.duplicate"}
    assert _bells() == before
    # A 7th lesson after the 6th is fine; a band of grades nested in 1–12 (shorter lessons for
    # the fifth grade, say) has its own times, which may overlap the wider band's.
    _create(BELLS, _bell(1, 7, "13:30", "14:15"))
    fifth = _create(BELLS, _bell(1, 1, "08:00", "08:35", (5, 5)))
    _create(BELLS, _bell(1, 2, "08:45", "09:20", (5, 5)))
    assert _errors(BELLS, _bell(1, 3, "09:10", "09:45", (5, 5))) == {"starts_at": "tt.error.bell_overlap"}
    with db.session() as s:
        bells = timetable.load_bells(s, tts.known.school_id)
    assert bells.at(1, 5, 1) == (time(8, 0), time(8, 35)) and bells.at(1, 6, 1) == (time(8, 0), time(8, 45))
    # An edit that would overlap is refused and nothing changes; a good edit is saved and versioned.
    assert _errors(BELLS, _bell(1, 1, "08:00", "08:50", (5, 5)), fifth) == {"starts_at": "tt.error.bell_overlap"}
    with db.session(write=True) as s:
        writes.update(s, BELLS, principal_of("t_deputy"), fifth, _bell(1, 1, "08:00", "08:40", (5, 5)), 1)
    with db.session() as s:
        bell = s.get(BellSchedule, fifth)
        assert bell is not None and (bell.ends_at, bell.version) == (time(8, 40), 2)


def test_a_deleted_bell_rings_no_more(tts):
    with db.session() as s:
        sixth = s.exec(select(BellSchedule).where(BellSchedule.shift == 1, BellSchedule.number == 6)).one()
    with db.session(write=True) as s:
        writes.soft_delete(s, BELLS, principal_of("t_deputy"), sixth.id, "no sixth lesson this year")  # type: ignore[arg-type]
    with db.session() as s:
        bells = timetable.load_bells(s, tts.known.school_id)
    assert bells.at(1, 5, 6) is None and bells.at(1, 5, 5) is not None
    # Its time is free again for another lesson of the shift.
    _create(BELLS, _bell(1, 7, "12:35", "13:20"))


def _holiday(start: str, end: str, grades: tuple[str, str] = ("", ""), **kw) -> dict[str, str]:
    return {
        "academic_year_id": kw.get("year", ""),
        "kind": kw.get("kind", "vacation"),
        "name_ky": kw.get("name", "Күзгү каникул"),
        "name_ru": "Осенние каникулы",
        "name_en": "",
        "starts_on": start,
        "ends_on": end,
        "grade_from": grades[0],
        "grade_to": grades[1],
    }


def test_holiday_dates_are_in_order_within_the_year_and_grades_come_in_pairs(tts):
    year = str(tts.known.year_id)
    with db.session() as s:
        before = len(s.exec(select(Holiday)).all())
    assert _errors(HOLIDAYS, _holiday("2025-11-07", "2025-11-03", year=year)) == {"ends_on": "admin.error.order"}
    assert _errors(HOLIDAYS, _holiday("2025-08-25", "2025-09-02", year=year)) == {
        "starts_on": "tt.error.holiday_outside_year"
    }
    assert _errors(HOLIDAYS, _holiday("2026-05-25", "2026-06-05", year=year)) == {
        "ends_on": "tt.error.holiday_outside_year"
    }
    assert _errors(HOLIDAYS, _holiday("2025-11-03", "2025-11-07", ("5", ""), year=year)) == {
        "grade_to": "tt.error.holiday_grades"
    }
    assert _errors(HOLIDAYS, _holiday("2025-11-03", "2025-11-07", ("7", "5"), year=year)) == {
        "grade_to": "admin.error.order"
    }
    assert _errors(HOLIDAYS, _holiday("2025-11-03", "2025-11-07", year=year, kind="summer")) == {
        "kind": "admin.error.choice"
    }
    assert _errors(HOLIDAYS, _holiday("2025-11-03", "2025-11-07")) == {"academic_year_id": "admin.error.required"}
    with pytest.raises(writes.RecordInvalid) as exc, db.session(write=True) as s:
        writes.create(s, HOLIDAYS, principal_of("t_deputy"), _holiday("2025-08-25", "2025-09-02", year=year))
    assert exc.value.errors["starts_on"][1] == {"start": "01.09.2025", "end": "31.05.2026"}
    with db.session() as s:
        assert len(s.exec(select(Holiday)).all()) == before
    # A one-day holiday (start = end) is fine, and so is an edit that keeps it inside the year.
    holiday_id = _create(HOLIDAYS, _holiday("2025-11-03", "2025-11-03", year=year))
    assert _errors(HOLIDAYS, _holiday("2025-11-03", "2026-06-01", year=year), holiday_id) == {
        "ends_on": "tt.error.holiday_outside_year"
    }
    with db.session(write=True) as s:
        writes.update(
            s, HOLIDAYS, principal_of("t_deputy"), holiday_id, _holiday("2025-11-03", "2025-11-07", year=year), 1
        )


def test_lesson_generation_follows_the_edited_holidays(tts):
    k = tts.known
    year = str(k.year_id)
    with db.session(write=True) as s:
        timetable.place(
            s,
            principal_of("t_deputy"),
            class_id=k.class_5a,
            term_id=k.term_ids[0],
            weekday=1,
            number=1,
            assignment_id=tts.ta_math_5a,
            room="",
            effective_from=date(2025, 9, 1),
        )
    monday = date(2025, 9, 29)
    holiday_id = _create(HOLIDAYS, _holiday("2025-09-29", "2025-09-29", ("5", "5"), year=year, kind="holiday"))

    def generate() -> list[date]:
        with db.session(write=True) as s:
            timetable.generate_lessons(s, principal_of("t_deputy"), k.term_ids[0])
        with db.session() as s:
            return [x.date for x in s.exec(select(Lesson).where(Lesson.class_id == k.class_5a)).all()]

    assert monday not in generate()
    # The deputy deletes the holiday: the next generation puts the Monday's lesson back.
    with db.session(write=True) as s:
        writes.soft_delete(s, HOLIDAYS, principal_of("t_deputy"), holiday_id, "entered by mistake")
    assert monday in generate()
    # He moves another holiday onto it instead: the empty lesson goes away again.
    other = _create(HOLIDAYS, _holiday("2025-10-06", "2025-10-06", year=year, name="Башка"))
    with db.session(write=True) as s:
        writes.update(
            s,
            HOLIDAYS,
            principal_of("t_deputy"),
            other,
            _holiday("2025-09-29", "2025-09-29", year=year, name="Башка"),
            1,
        )
    assert monday not in generate() and date(2025, 10, 6) in generate()


async def test_the_deputy_edits_bells_and_holidays_on_their_screens_and_a_teacher_only_reads(tts):
    deputy = sub(new_tab("t_deputy"), HolidayAdminState)
    await deputy.load()
    assert deputy.can_write and deputy.filters == {"academic_year_id": str(tts.known.year_id)}
    assert {r["name_ky"] for r in deputy.rows} >= {"Майрам", "5-класстар эс алат"}
    await deputy.new_record()
    assert deputy.form["kind"] == "vacation" and deputy.fk_options["academic_year_id"]
    await deputy.save(_holiday("2025-12-31", "2026-01-10", year=str(tts.known.year_id), name="Кышкы каникул"))
    assert deputy.form_errors == {} and deputy.mode == "detail"
    # The same holiday once more (a second click on Save after the form was re-opened) is a duplicate.
    await deputy.new_record()
    await deputy.save(_holiday("2025-12-31", "2026-01-10", year=str(tts.known.year_id), name="Кышкы каникул"))
    assert list(deputy.form_errors) == ["starts_on"] and deputy.mode == "form"
    with db.session() as s:
        assert len(s.exec(select(Holiday).where(Holiday.name_ky == "Кышкы каникул")).all()) == 1
    teacher = sub(new_tab("t_teacher"), BellScheduleAdminState)
    await teacher.load()
    assert not teacher.can_write and len(teacher.rows) == 12
    assert is_refusal(await teacher.save(_bell(2, 7, "18:30", "19:15")))
    assert is_refusal(await teacher.ask_delete(teacher.rows[0]["id"]))
    bells = sub(new_tab("t_deputy"), BellScheduleAdminState)
    await bells.load()
    await bells.new_record()
    await bells.save(_bell(1, 7, "13:00", "13:45"))
    assert bells.form_errors == {
        "starts_at": "Бул сменанын 6-сабагы 12:35–13:20: сабактар бири-бирине кирбей, номер тартибинде болушу керек"
    }
    await bells.save(_bell(1, 7, "13:30", "14:15"))
    assert bells.form_errors == {} and bells.mode == "detail"
    assert _bells() == 13
