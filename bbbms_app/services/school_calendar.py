"""The rules of the school's calendar as the deputy edits it: bells and holidays.

Bells (BellSchedule) and holidays (Holiday) are edited in the generated admin screens
(their profiles in services/engine/profiles/); the engine checks each field and the one-row rules
(`validate`: a bell ends after it starts, a holiday does not end before it starts). The rules here
need the database, so the profiles call them as save rules (`check_save`) before every create and
edit:

- the lessons of one shift and grade band do not overlap and ring in the order of their numbers
  (a first-grade band nested in 1–12 keeps its own, shorter lessons: services.timetable.Bells
  takes the narrowest band);
- a holiday lies inside its academic year.

Lesson generation (services.timetable.generate_lessons) and the diary read the live rows, so what
is saved here is what the next generation skips.

The shipped calendars (`CALENDARS`) are data too: the quarters and the breaks and public holidays
of each academic year as the Ministry announced them, which `add_year_calendar` copies into a
school's Term and Holiday rows (the demo uses them) and the school then edits. A year that ships
no calendar gets `pattern_calendar`, the usual shape of a Kyrgyz school year, to be corrected by
the deputy once the Ministry's order is out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlmodel import Session, select

from bbbms_app.models import AcademicYear, BellSchedule, Holiday, Term
from bbbms_app.services.access import Principal
from bbbms_app.services.engine.hooks import FieldError


def _merged(session: Session, model: Any, record_id: int | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """The row as it will be saved: the stored values (an edit sends only its changes) and the new ones."""
    row = session.get(model, record_id) if record_id is not None else None
    return {**(row.model_dump() if row is not None else {}), **values}


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def bell_conflict(
    session: Session, school_id: int, bell: Mapping[str, Any], record_id: int | None
) -> BellSchedule | None:
    """Another live bell of the same shift and grade band that overlaps `bell` in time or rings out of
    the order of the lesson numbers, or None."""
    start, end, number = bell.get("starts_at"), bell.get("ends_at"), bell.get("number")
    if start is None or end is None or number is None:
        return None
    q = select(BellSchedule).where(
        BellSchedule.school_id == school_id,
        BellSchedule.shift == bell.get("shift", 1),
        BellSchedule.grade_from == bell.get("grade_from", 1),
        BellSchedule.grade_to == bell.get("grade_to", 12),
        BellSchedule.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    if record_id is not None:
        q = q.where(BellSchedule.id != record_id)
    for other in session.exec(q.order_by(BellSchedule.number)).all():  # type: ignore[arg-type]
        overlaps = other.starts_at < end and start < other.ends_at
        out_of_order = (other.number < number and other.ends_at > start) or (
            other.number > number and other.starts_at < end
        )
        if overlaps or out_of_order:
            return other
    return None


def check_bell(session: Session, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]) -> None:
    bell = _merged(session, BellSchedule, record_id, values)
    school_id = bell.get("school_id") or (principal.school_id if principal else None)
    if school_id is None:
        return
    other = bell_conflict(session, school_id, bell, record_id)
    if other is not None:
        raise FieldError(
            "starts_at",
            "tt.error.bell_overlap",
            number=other.number,
            start=_hm(other.starts_at),
            end=_hm(other.ends_at),
        )


def check_holiday(
    session: Session, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]
) -> None:
    holiday = _merged(session, Holiday, record_id, values)
    year = session.get(AcademicYear, holiday.get("academic_year_id") or -1)
    starts, ends = holiday.get("starts_on"), holiday.get("ends_on")
    if year is None or starts is None or ends is None:
        return  # the reference check names a missing year; the field checks a missing date
    params = {"start": year.starts_on.strftime("%d.%m.%Y"), "end": year.ends_on.strftime("%d.%m.%Y")}
    if not year.starts_on <= starts <= year.ends_on:
        raise FieldError("starts_on", "tt.error.holiday_outside_year", **params)
    if not year.starts_on <= ends <= year.ends_on:
        raise FieldError("ends_on", "tt.error.holiday_outside_year", **params)


# ---------------------------------------------------------------------------------------------
# Shipped calendars: the Ministry's quarters, breaks and public holidays per academic year
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayOff:
    """A break or a public holiday of a calendar; `grades` limits it (the first graders' extra weeks)."""

    kind: str  # "vacation" (a school break) or "holiday" (a public holiday or day off)
    name_ky: str
    name_ru: str
    name_en: str
    starts_on: date
    ends_on: date
    grades: tuple[int, int] | None = None

    def covers(self, day: date, grade: int) -> bool:
        in_grades = self.grades is None or self.grades[0] <= grade <= self.grades[1]
        return in_grades and self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class YearCalendar:
    """One academic year: its name, first and last day, quarters (number, first, last day) and days off."""

    start_year: int
    starts_on: date
    ends_on: date
    quarters: tuple[tuple[int, date, date], ...]
    days_off: tuple[DayOff, ...]
    shipped: bool = True  # False: the usual pattern, not yet the Ministry's order

    @property
    def name(self) -> str:
        return f"{self.start_year}–{self.start_year + 1}"

    def is_day_off(self, day: date, grade: int) -> bool:
        """A weekend (the five-day week) or a break or holiday for this grade."""
        return day.weekday() >= 5 or any(d.covers(day, grade) for d in self.days_off)

    def school_days(self, start: date, end: date, grade: int) -> list[date]:
        """The days from start to end inclusive on which a class of `grade` has lessons."""
        out = []
        day = start
        while day <= end:
            if not self.is_day_off(day, grade):
                out.append(day)
            day += timedelta(days=1)
        return out


def _off(kind: str, ky: str, ru: str, en: str, starts: date, ends: date | None = None,
         grades: tuple[int, int] | None = None) -> DayOff:  # fmt: skip
    return DayOff(kind, ky, ru, en, starts, ends or starts, grades)


def _autumn(starts: date, ends: date) -> DayOff:
    return _off("vacation", "Күзгү каникул", "Осенние каникулы", "Autumn break", starts, ends)


def _winter(starts: date, ends: date) -> DayOff:
    return _off("vacation", "Кышкы каникул", "Зимние каникулы", "Winter break", starts, ends)


def _first_winter(starts: date, ends: date) -> DayOff:
    return _off("vacation", "1-класстар үчүн кышкы каникул", "Зимние каникулы первоклассников",
                "First graders' winter break", starts, ends, (1, 1))  # fmt: skip


def _spring(starts: date, ends: date) -> DayOff:
    return _off("vacation", "Жазгы каникул", "Весенние каникулы", "Spring break", starts, ends)


def _history(y: int) -> DayOff:
    return _off("holiday", "Тарых жана ата-бабаларды эскерүү күндөрү", "Дни истории и памяти предков",
                "Days of History and Remembrance of Ancestors", date(y, 11, 7), date(y, 11, 8))  # fmt: skip


def _women(y: int) -> DayOff:
    return _off("holiday", "Эл аралык аялдар күнү", "Международный женский день", "International Women's Day",
                date(y, 3, 8))  # fmt: skip


def _nooruz(y: int) -> DayOff:
    return _off("holiday", "Нооруз", "Нооруз", "Nooruz", date(y, 3, 21))


def _may(y: int) -> DayOff:
    # The Labour Code in force since January 2026 makes 1–9 May days off (Labour Day, Constitution
    # Day, Victory Day and the days between them).
    return _off("holiday", "Май майрамдары (Эмгек майрамы, Конституция күнү, Жеңиш күнү)",
                "Майские праздники (День труда, День Конституции, День Победы)",
                "May holidays (Labour Day, Constitution Day, Victory Day)", date(y, 5, 1), date(y, 5, 9))  # fmt: skip


def _orozo(day: date) -> DayOff:
    # A movable feast: the muftiate announces the day each year (the date here is the expected one).
    return _off("holiday", "Орозо айт", "Орозо айт", "Eid al-Fitr (Orozo Ait)", day)


def _kurman(day: date) -> DayOff:
    return _off("holiday", "Курман айт", "Курман айт", "Eid al-Adha (Kurman Ait)", day)


CALENDARS: dict[int, YearCalendar] = {
    # 2025–2026 as the Ministry set it, with its decision of 24.02.2026: spring break 2–7 March
    # (it had been 6–8 March) and the year's end moved from 25 to 29 May. Under the new Labour Code
    # 23 February and 7 April are working days and 1–9 May are days off.
    2025: YearCalendar(
        2025,
        date(2025, 9, 1),
        date(2026, 6, 30),
        (
            (1, date(2025, 9, 1), date(2025, 11, 4)),
            (2, date(2025, 11, 10), date(2025, 12, 30)),
            (3, date(2026, 1, 12), date(2026, 2, 27)),
            (4, date(2026, 3, 9), date(2026, 5, 29)),
        ),
        (
            _autumn(date(2025, 11, 5), date(2025, 11, 9)),
            _history(2025),
            _first_winter(date(2025, 12, 24), date(2026, 1, 18)),
            _winter(date(2025, 12, 31), date(2026, 1, 11)),
            _spring(date(2026, 3, 2), date(2026, 3, 7)),
            _women(2026),
            _orozo(date(2026, 3, 20)),
            _nooruz(2026),
            _may(2026),
            _kurman(date(2026, 5, 27)),
        ),
    ),
    # 2026–2027: the school's calendar drawn to the 2025–26 rules until the Ministry's order (the
    # Ministry said it would give the spring break back its usual place in late March); Orozo Ait
    # and Kurman Ait on their expected dates. The deputy corrects the rows when the order is out.
    2026: YearCalendar(
        2026,
        date(2026, 9, 1),
        date(2027, 6, 30),
        (
            (1, date(2026, 9, 1), date(2026, 11, 3)),
            (2, date(2026, 11, 9), date(2026, 12, 30)),
            (3, date(2027, 1, 11), date(2027, 3, 19)),
            (4, date(2027, 3, 29), date(2027, 5, 28)),
        ),
        (
            _autumn(date(2026, 11, 4), date(2026, 11, 8)),
            _history(2026),
            _first_winter(date(2026, 12, 24), date(2027, 1, 17)),
            _winter(date(2026, 12, 31), date(2027, 1, 10)),
            _women(2027),
            _orozo(date(2027, 3, 10)),
            _spring(date(2027, 3, 20), date(2027, 3, 28)),
            _nooruz(2027),
            _may(2027),
            _kurman(date(2027, 5, 17)),
        ),
    ),
}


def academic_year_of(day: date) -> int:
    """The first calendar year of the academic year `day` belongs to (1 September – 31 August)."""
    return day.year if day.month >= 9 else day.year - 1


def pattern_calendar(start_year: int) -> YearCalendar:
    """The usual shape of a school year, for a year that ships no calendar (no movable feasts)."""
    y, n = start_year, start_year + 1
    return YearCalendar(
        y,
        date(y, 9, 1),
        date(n, 6, 30),
        (
            (1, date(y, 9, 1), date(y, 11, 4)),
            (2, date(y, 11, 10), date(y, 12, 30)),
            (3, date(n, 1, 12), date(n, 3, 19)),
            (4, date(n, 3, 29), date(n, 5, 29)),
        ),
        (
            _autumn(date(y, 11, 5), date(y, 11, 9)),
            _history(y),
            _first_winter(date(y, 12, 24), date(n, 1, 18)),
            _winter(date(y, 12, 31), date(n, 1, 11)),
            _women(n),
            _spring(date(n, 3, 20), date(n, 3, 28)),
            _nooruz(n),
            _may(n),
        ),
        shipped=False,
    )


def calendar_for(start_year: int) -> YearCalendar:
    """The shipped calendar of the academic year starting in `start_year`, else the usual pattern."""
    return CALENDARS.get(start_year) or pattern_calendar(start_year)


def add_year_calendar(session: Session, school_id: int, year_id: int, calendar: YearCalendar) -> int:
    """Write a calendar's quarters and days off as the school's Term and Holiday rows (then edited as
    any other row); quarters and days off the year already has are kept. Returns the rows added."""
    have_terms = set(
        session.exec(select(Term.number).where(Term.academic_year_id == year_id, Term.kind == "quarter")).all()
    )
    have_days = set(
        session.exec(
            select(Holiday.name_ky, Holiday.starts_on).where(
                Holiday.academic_year_id == year_id,
                Holiday.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )
    added = 0
    for number, starts, ends in calendar.quarters:
        if number not in have_terms:
            session.add(Term(school_id=school_id, academic_year_id=year_id, kind="quarter", number=number,
                             starts_on=starts, ends_on=ends))  # fmt: skip
            added += 1
    for d in calendar.days_off:
        if (d.name_ky, d.starts_on) in have_days:
            continue
        grade_from, grade_to = d.grades or (None, None)
        session.add(
            Holiday(school_id=school_id, academic_year_id=year_id, kind=d.kind, name_ky=d.name_ky,
                    name_ru=d.name_ru, name_en=d.name_en, starts_on=d.starts_on, ends_on=d.ends_on,
                    grade_from=grade_from, grade_to=grade_to)
        )  # fmt: skip
        added += 1
    session.flush()
    return added
