"""A pupil's own record for pupils and parents: the term summary per subject, and the diary week by week.

The diary shows, day by day, the lessons of the pupil's class with their topic and homework, the
pupil's own marks and absences, cancelled lessons and the holidays of his grade; read-only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.i18n import t, translations
from bbbms_app.models import Attendance, Enrollment, Lesson, Mark, Pupil, SchoolClass, Subject
from bbbms_app.services import curriculum, subgroups, timetable
from bbbms_app.services.access import Principal, can_reach_pupil


class OutOfScope(PermissionError):
    """The principal's data scope does not include the requested pupil."""


def _reachable(session: Session, principal: Principal, pupil_id: int) -> Pupil:
    pupil = session.get(Pupil, pupil_id)
    if (
        pupil is None
        or pupil.deleted_at is not None
        or not can_reach_pupil(session, principal, pupil_id, pupil.school_id)
    ):
        raise OutOfScope(pupil_id)
    return pupil


def term_summary(session: Session, principal: Principal, pupil_id: int, term_id: int) -> list[dict[str, str]]:
    """Per subject: the marks in lesson order, their average and the absences, for one pupil and term."""
    _reachable(session, principal, pupil_id)
    marks = session.exec(
        select(Lesson.subject_id, Lesson.date, Mark.value)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(Mark.pupil_id == pupil_id, Lesson.term_id == term_id)
        .order_by(Lesson.date, Lesson.number)
    ).all()
    absences = session.exec(
        select(Lesson.subject_id, Attendance.code)
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(Attendance.pupil_id == pupil_id, Lesson.term_id == term_id)
    ).all()
    by_subject: dict[int, list[int]] = defaultdict(list)
    for subject_id, _day, value in marks:
        by_subject[subject_id].append(value)
    missed: dict[int, int] = defaultdict(int)
    for subject_id, code in absences:
        if code != "о":
            missed[subject_id] += 1
    subject_ids = set(by_subject) | set(missed)
    subjects = {
        s.id: s
        for s in session.exec(select(Subject).where(Subject.id.in_(subject_ids))).all()  # type: ignore[union-attr]
    }
    rows = []
    for sid in sorted(subject_ids, key=lambda i: curriculum.subject_key(subjects[i])):
        values = by_subject.get(sid, [])
        subject = subjects[sid]
        rows.append(
            {
                "subject_ky": subject.name_ky,
                "subject_ru": subject.name_ru,
                "subject_en": subject.name_en or subject.name_ru,
                "marks": " ".join(str(v) for v in values),
                "average": f"{sum(values) / len(values):.2f}" if values else "",
                "absences": str(missed.get(sid, 0)),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The diary, week by week
# ---------------------------------------------------------------------------------------------

_MARK_ORDER = {"control": 0, "test": 1, "class": 2, "home": 3}


def _class_spans(session: Session, pupil_id: int, start: date, end: date) -> list[tuple[SchoolClass, date, date]]:
    """The pupil's classes over [start, end] with the dates he belonged to each."""
    rows = session.exec(
        select(Enrollment, SchoolClass)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
        .where(
            Enrollment.pupil_id == pupil_id,
            Enrollment.starts_on <= end,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= start),  # type: ignore[union-attr]
        )
    ).all()
    return [(cls, max(e.starts_on, start), min(e.ends_on or end, end)) for e, cls in rows]


def default_monday(session: Session, principal: Principal, pupil_id: int, today: date) -> date:
    """The week a diary opens on: this week if it has lessons, else the last week that had some."""
    _reachable(session, principal, pupil_id)
    monday = timetable.monday_of(today)
    class_ids = list(session.exec(select(Enrollment.class_id).where(Enrollment.pupil_id == pupil_id)).all())
    if not class_ids:
        return monday
    here = session.exec(
        select(Lesson.id).where(
            Lesson.class_id.in_(class_ids),  # type: ignore[attr-defined]
            Lesson.date >= monday,
            Lesson.date <= monday + timedelta(days=6),
        )
    ).first()
    if here is not None:
        return monday
    last = session.exec(
        select(Lesson.date).where(Lesson.class_id.in_(class_ids), Lesson.date <= today).order_by(Lesson.date.desc())  # type: ignore[attr-defined]
    ).first()
    return timetable.monday_of(last) if last else monday


def _absence(code: str, minutes: int) -> dict[str, str]:
    if code == "о":
        return {lang: t("diary.absence.о", lang, minutes=minutes) for lang in ("ky", "ru", "en")}
    return translations(f"diary.absence.{code}")


def pupil_week(session: Session, principal: Principal, pupil_id: int, monday: date) -> dict:
    """One week of the diary: `days` (Monday–Friday, and a weekend day with lessons) and `lessons` per day.

    Each lesson row is display-ready: number, bell time, subject (ky/ru/en), topic, homework, the
    pupil's marks at that lesson, his absence or lateness, whether the lesson was cancelled.
    """
    pupil = _reachable(session, principal, pupil_id)
    monday = timetable.monday_of(monday)
    end = monday + timedelta(days=6)
    spans = _class_spans(session, pupil_id, monday, end)
    lessons: list[tuple[Lesson, Subject, SchoolClass]] = []
    for cls, start, stop in spans:
        lessons.extend(
            (lesson, subject, cls)
            for lesson, subject in session.exec(
                select(Lesson, Subject)
                .join(Subject, Subject.id == Lesson.subject_id)  # type: ignore[arg-type]
                .where(Lesson.class_id == cls.id, Lesson.date >= start, Lesson.date <= stop)
            ).all()
        )
    # A subgroup's lesson is the pupil's only if he is in that group; before the class is split for
    # the subject, every group's lessons show (nothing vanishes from the diary for want of a split).
    class_ids = [cls.id for cls, _a, _b in spans]
    groups = subgroups.pupil_groups(session, pupil_id, class_ids)  # type: ignore[arg-type]
    split = subgroups.split_pairs(session, class_ids)  # type: ignore[arg-type]
    lessons = [
        (lesson, subject, cls)
        for lesson, subject, cls in lessons
        if not lesson.subgroup
        or (cls.id, lesson.subject_id) not in split
        or groups.get((cls.id, lesson.subject_id)) == lesson.subgroup  # type: ignore[arg-type]
    ]
    lessons.sort(key=lambda r: (r[0].date, r[0].number, r[0].subgroup))
    ids = [lesson.id for lesson, _s, _c in lessons]
    marks: dict[int, list[tuple[str, int]]] = defaultdict(list)
    absences: dict[int, tuple[str, int]] = {}
    if ids:
        for lesson_id, value, kind in session.exec(
            select(Mark.lesson_id, Mark.value, Mark.kind).where(Mark.pupil_id == pupil_id, Mark.lesson_id.in_(ids))  # type: ignore[attr-defined]
        ).all():
            marks[lesson_id].append((kind, value))
        for lesson_id, code, minutes in session.exec(
            select(Attendance.lesson_id, Attendance.code, Attendance.late_minutes).where(
                Attendance.pupil_id == pupil_id,
                Attendance.lesson_id.in_(ids),  # type: ignore[attr-defined]
            )
        ).all():
            absences[lesson_id] = (code, minutes)
    bells = timetable.load_bells(session, pupil.school_id)
    holidays = timetable.holidays_between(session, pupil.school_id, monday, end)
    grade = spans[0][0].grade if spans else None
    by_day: dict[date, list[dict[str, str]]] = defaultdict(list)
    for lesson, subject, cls in lessons:
        names = timetable.subject_names(subject)
        span = bells.at(cls.shift, cls.grade, lesson.number)
        code, minutes = absences.get(lesson.id, ("", 0))  # type: ignore[arg-type]
        absence = _absence(code, minutes) if code else {"ky": "", "ru": "", "en": ""}
        values = sorted(marks.get(lesson.id, []), key=lambda m: _MARK_ORDER.get(m[0], 9))  # type: ignore[arg-type]
        by_day[lesson.date].append(
            {
                "id": str(lesson.id),
                "number": str(lesson.number),
                "time": f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span else "",
                "subject_ky": names["ky"],
                "subject_ru": names["ru"],
                "subject_en": names["en"],
                "topic": lesson.topic,
                "homework": lesson.homework,
                "marks": " ".join(str(v) for _k, v in values),
                "absence_code": code,
                "absence_ky": absence["ky"],
                "absence_ru": absence["ru"],
                "absence_en": absence["en"],
                "cancelled": "1" if lesson.cancelled else "",
            }
        )
    days: list[dict[str, str]] = []
    day_lessons: list[list[dict[str, str]]] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if offset >= 5 and not by_day.get(day):
            continue
        names = translations(f"tt.day.{day.isoweekday()}")
        h = timetable.holiday_on(holidays, day, grade) if grade is not None else None
        hname = timetable.holiday_names(h) if h else {"ky": "", "ru": "", "en": ""}
        days.append(
            {
                "date": day.isoformat(),
                "label_ky": f"{names['ky']}, {day:%d.%m}",
                "label_ru": f"{names['ru']}, {day:%d.%m}",
                "label_en": f"{names['en']}, {day:%d.%m}",
                "holiday_ky": hname["ky"],
                "holiday_ru": hname["ru"],
                "holiday_en": hname["en"],
                "empty": "" if by_day.get(day) else "1",
            }
        )
        day_lessons.append(by_day.get(day, []))
    return {
        "label": f"{monday:%d.%m} – {monday + timedelta(days=4):%d.%m.%Y}",
        "monday": monday.isoformat(),
        "days": days,
        "lessons": day_lessons,
    }
