"""The shipped calendars (services.school_calendar.CALENDARS) as the Ministry set them, the pattern
for other years, and copying a calendar into a school's rows."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bbbms_app import db
from bbbms_app.models import AcademicYear, Holiday, Term
from bbbms_app.services.school_calendar import (
    CALENDARS,
    academic_year_of,
    add_year_calendar,
    calendar_for,
    pattern_calendar,
)


def test_2025_26_as_decided_on_24_february_2026() -> None:
    cal = CALENDARS[2025]
    assert cal.name == "2025–2026" and cal.quarters[-1] == (4, date(2026, 3, 9), date(2026, 5, 29))
    off = (date(2026, 3, 2), date(2026, 3, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 8))
    assert all(cal.is_day_off(d, 5) for d in off)  # spring break 2–7 March; 1–9 May
    assert cal.is_day_off(date(2026, 3, 20), 5) and cal.is_day_off(date(2026, 5, 27), 5)  # Orozo, Kurman Ait
    # Working days under the new Labour Code (both are weekdays in 2026).
    assert not cal.is_day_off(date(2026, 2, 23), 5) and not cal.is_day_off(date(2026, 4, 7), 5)
    # The first graders' longer winter break.
    assert cal.is_day_off(date(2026, 1, 14), 1) and not cal.is_day_off(date(2026, 1, 14), 2)
    # Hand count of the fourth quarter's school days: 9.03–29.05 is 60 weekdays, less Orozo Ait (Fri 20.03),
    # the May days (1, 4–8 May: 6 weekdays) and Kurman Ait (Wed 27.05) = 52.
    assert len(cal.school_days(date(2026, 3, 9), date(2026, 5, 29), 5)) == 52


def test_which_year_a_date_belongs_to_and_the_pattern_for_other_years() -> None:
    assert [academic_year_of(d) for d in (date(2026, 8, 31), date(2026, 9, 1), date(2027, 5, 28))] == [2025, 2026, 2026]
    assert calendar_for(2026) is CALENDARS[2026] and calendar_for(2031) == pattern_calendar(2031)
    later = calendar_for(2031)
    assert not later.shipped and later.starts_on == date(2031, 9, 1) and len(later.quarters) == 4
    starts = [q[1] for q in later.quarters]
    assert starts == sorted(starts) and all(later.starts_on <= s <= later.ends_on for s in starts)


def test_a_calendar_is_copied_into_the_schools_rows_once(school) -> None:
    with db.session(write=True) as s:
        year = AcademicYear(
            school_id=school.school_id, name="2026–2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 6, 30)
        )
        s.add(year)
        s.flush()
        assert add_year_calendar(s, school.school_id, year.id, CALENDARS[2026]) == 4 + len(CALENDARS[2026].days_off)  # type: ignore[arg-type]
        assert add_year_calendar(s, school.school_id, year.id, CALENDARS[2026]) == 0  # type: ignore[arg-type]
        terms = s.exec(select(Term).where(Term.academic_year_id == year.id).order_by(Term.number)).all()
        assert [(t.starts_on, t.ends_on) for t in terms] == [(a, b) for _n, a, b in CALENDARS[2026].quarters]
        names = {h.name_ky for h in s.exec(select(Holiday).where(Holiday.academic_year_id == year.id)).all()}
        assert {"Орозо айт", "Курман айт", "Нооруз", "Кышкы каникул"} <= names
