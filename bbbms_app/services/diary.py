"""A pupil's own record for pupils and parents: the year's period marks, a term's summary per subject,
and the diary week by week.

The period marks are the ones the teachers set (never the grading policy's suggestions); a term's
average is the class policy's weighted mean, the number the teacher's journal shows.

The diary shows, day by day, the lessons of the pupil's class with their topic and homework, the
pupil's own marks and absences, cancelled lessons and the holidays of his grade; read-only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.i18n import LANGUAGES, format_number, t, translations
from bbbms_app.models import (
    Attendance,
    Enrollment,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    SchoolClass,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.services import curriculum, grading, subgroups, timetable
from bbbms_app.services import school as school_service
from bbbms_app.services.access import Principal, can_reach_pupil
from bbbms_app.services.errors import OutOfScope


def _reachable(session: Session, principal: Principal, pupil_id: int) -> Pupil:
    pupil = session.get(Pupil, pupil_id)
    if (
        pupil is None
        or pupil.deleted_at is not None
        or not can_reach_pupil(session, principal, pupil_id, pupil.school_id)
    ):
        raise OutOfScope(f"pupil {pupil_id}")
    return pupil


def _subject_names(subject: Subject) -> dict[str, str]:
    return {
        "subject_ky": subject.name_ky,
        "subject_ru": subject.name_ru,
        "subject_en": subject.name_en or subject.name_ru,
    }


def _average_texts(average: float | None) -> dict[str, str]:
    """The average as each language writes it («4,67» in ky/ru, «4.67» in en), as the teacher sees it."""
    return {f"average_{lang}": format_number(average, lang) for lang in LANGUAGES}


def _set_mark_text(value: int | None, special: str) -> str:
    """A period mark as the teacher set it: the number, or «н/а» / «осв» …; nothing when unset."""
    return str(value) if value is not None else special


def pupil_terms(session: Session, principal: Principal, pupil_id: int, today: date) -> list[Term]:
    """The terms of the pupil's school's current year that have begun by `today`, in order.

    These are the terms a family may open: the current one and every past one of the year.
    """
    pupil = _reachable(session, principal, pupil_id)
    year = school_service.current_year(session, pupil.school_id)
    if year is None:
        return []
    return list(
        session.exec(
            select(Term)
            .where(Term.academic_year_id == year.id, Term.deleted_at.is_(None), Term.starts_on <= today)  # type: ignore[union-attr]
            .order_by(Term.starts_on, Term.number)
        ).all()
    )


def pupil_class(session: Session, pupil_id: int, year_id: int) -> SchoolClass | None:
    """The pupil's class of the year (his latest, should he have changed class)."""
    return session.exec(
        select(SchoolClass)
        .join(Enrollment, Enrollment.class_id == SchoolClass.id)  # type: ignore[arg-type]
        .where(Enrollment.pupil_id == pupil_id, SchoolClass.academic_year_id == year_id)
        .order_by(Enrollment.starts_on.desc(), Enrollment.id.desc())  # type: ignore[attr-defined,union-attr]
    ).first()


def pupil_assessment(session: Session, pupil_id: int, year_id: int) -> str:
    """How the pupil's class of the year is assessed as a whole (grading.assessment of its grade): by
    half-year in grades 10–11. A subject of few hours may differ: `subject_assessments`."""
    cls = pupil_class(session, pupil_id, year_id)
    return grading.assessment(cls.grade) if cls is not None else grading.QUARTER


def subject_assessments(session: Session, pupil_id: int, year_id: int) -> tuple[str, set[int]]:
    """(how the pupil's class is assessed as a whole, the subjects of few hours its policy assesses by
    half-year in grades 2–9: grading.half_year_subjects)."""
    cls = pupil_class(session, pupil_id, year_id)
    if cls is None:
        return grading.QUARTER, set()
    return grading.assessment(cls.grade), {sid for _c, sid in grading.half_year_subjects(session, [cls])}


def term_periods(session: Session, pupil_id: int, term: Term) -> Callable[[int], grading.YearPeriod | None]:
    """Subject -> the period whose mark a term shows for this pupil: the quarter, or under a half-year
    assessment (grades 10–11, a subject of few hours) the half-year its quarter closes (Q2, Q4); None
    in their Q1 and Q3."""
    how, few_hours = subject_assessments(session, pupil_id, term.academic_year_id)
    whole = grading.period_of_term(how, term.kind, term.number)
    half = grading.period_of_term(grading.HALF_YEAR, term.kind, term.number)
    return lambda subject_id: half if subject_id in few_hours else whole


def _term_of_pupil(session: Session, pupil: Pupil, term_id: int) -> Term:
    term = session.get(Term, term_id)
    if term is None or term.school_id != pupil.school_id or term.deleted_at is not None:
        raise OutOfScope(f"term {term_id}")
    return term


def term_summary(session: Session, principal: Principal, pupil_id: int, term_id: int) -> list[dict[str, str]]:
    """Per subject, for one pupil and term: his current marks in lesson order, their average by the
    class's grading policy (the weighted mean the teacher's journal shows), his absences, and the
    term mark the teacher set (never the policy's suggestion).
    """
    pupil = _reachable(session, principal, pupil_id)
    term = _term_of_pupil(session, pupil, term_id)
    marks = session.exec(
        select(Lesson.subject_id, Lesson.class_id, Mark.kind, Mark.value)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .where(Mark.pupil_id == pupil_id, Lesson.term_id == term_id, Lesson.cancelled.is_(False))  # type: ignore[attr-defined]
        .order_by(Lesson.date, Lesson.number, Lesson.id)
    ).all()
    absences = session.exec(
        select(Lesson.subject_id, Attendance.code)
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .where(Attendance.pupil_id == pupil_id, Lesson.term_id == term_id)
    ).all()
    period_of = term_periods(session, pupil_id, term)  # the quarter, or a half-year (10–11, few hours)
    # A subject of few hours in a class marked by quarter says which half-year its mark is (in Q1 too:
    # the family reads why it has none yet).
    how, few_hours = subject_assessments(session, pupil_id, term.academic_year_id)
    own_half = grading.period_during(grading.HALF_YEAR, term.kind, term.number)
    half_label = translations(f"term.{own_half.kind}", number=own_half.number)
    no_label = dict.fromkeys(LANGUAGES, "")
    by_half = few_hours if how == grading.QUARTER and term.kind == "quarter" else set()
    set_marks = {
        row.subject_id: _set_mark_text(row.value, row.special)
        for row in session.exec(
            select(PeriodMark).where(
                PeriodMark.pupil_id == pupil_id,
                PeriodMark.academic_year_id == term.academic_year_id,
                PeriodMark.kind.in_((grading.QUARTER, grading.HALF_YEAR)),  # type: ignore[attr-defined]
            )
        ).all()
        if (p := period_of(row.subject_id)) is not None and (p.kind, p.number) == (row.kind, row.number)
    }
    by_subject: dict[int, list[tuple[str, int]]] = defaultdict(list)
    class_of: dict[int, int] = {}
    for subject_id, class_id, kind, value in marks:
        by_subject[subject_id].append((kind, value))
        class_of[subject_id] = class_id  # the class of his latest marks (a pupil may change class)
    missed: dict[int, int] = defaultdict(int)
    for subject_id, code in absences:
        if code != "о":
            missed[subject_id] += 1
    subject_ids = set(by_subject) | set(missed) | {sid for sid, text in set_marks.items() if text}
    subjects = {
        s.id: s
        for s in session.exec(select(Subject).where(Subject.id.in_(subject_ids))).all()  # type: ignore[union-attr]
    }
    rules_of_class: dict[int, grading.Rules] = {}
    rows = []
    for sid in sorted(subject_ids, key=lambda i: curriculum.subject_key(subjects[i])):
        values = by_subject.get(sid, [])
        average = None
        if values:
            cid = class_of[sid]
            if cid not in rules_of_class:
                rules_of_class[cid] = grading.policy_for_class(session, cid)
            mean, _count = grading.weighted_average(rules_of_class[cid], values)
            average = round(float(mean), 2) if mean is not None else None
        rows.append(
            {
                **_subject_names(subjects[sid]),
                "marks": " ".join(str(v) for _k, v in values),
                **_average_texts(average),
                "absences": str(missed.get(sid, 0)),
                "term_mark": set_marks.get(sid, ""),
                **{f"period_{lang}": text for lang, text in (half_label if sid in by_half else no_label).items()},
            }
        )
    return rows


def report_card(session: Session, principal: Principal, pupil_id: int, today: date) -> dict:
    """The year's period marks of one pupil as the teachers set them: a column per term begun by
    `today` and one for the year, a row per subject he is taught or has a mark in.

    `columns` are {key, label_ky, label_ru, label_en}; each row has the subject's names and, per
    column key, the mark set («5», «н/а», «осв») or "" when none is set yet. Suggestions of the
    grading policy are not shown: a family sees a period mark once the teacher has set it.
    """
    pupil = _reachable(session, principal, pupil_id)
    terms = pupil_terms(session, principal, pupil_id, today)
    if not terms:
        return {"columns": [], "rows": []}
    year_id = terms[0].academic_year_id
    how, few_hours = subject_assessments(session, pupil_id, year_id)
    if how == grading.HALF_YEAR and all(t.kind == "quarter" for t in terms):
        # Grades 10–11: a column per half-year begun («1-жарым жыл», «2-жарым жыл»), not per quarter.
        begun = {term.number for term in terms}
        halves = [p for p in grading.year_periods(grading.HALF_YEAR) if begun & set(p.quarters)]
        columns = [
            {
                "key": f"h{p.number}",
                **{f"label_{k}": v for k, v in translations("term.half_year", number=p.number).items()},
            }
            for p in halves
        ]
        key_of = {(p.kind, p.number): f"h{p.number}" for p in halves}
    else:
        columns = [
            {"key": f"t{term.id}", **{f"label_{k}": v for k, v in school_service.term_labels(term).items()}}
            for term in terms
        ]
        key_of = {(term.kind, term.number): f"t{term.id}" for term in terms}
        # A subject of few hours assessed by half-year: its half-year mark in the column of the quarter
        # that closes it (Q2, Q4), as the journal sets it there; its Q1 / Q3 cells stay empty.
        for p in grading.year_periods(grading.HALF_YEAR):
            closing = next((t for t in terms if (t.kind, t.number) == ("quarter", p.closing_quarter)), None)
            if few_hours and closing is not None:
                key_of[(p.kind, p.number)] = f"t{closing.id}"
    columns.append({"key": "year", **{f"label_{k}": v for k, v in translations("families.year_mark").items()}})
    key_of[("year", 0)] = "year"
    cells: dict[int, dict[str, str]] = defaultdict(dict)
    for row in session.exec(
        select(PeriodMark).where(PeriodMark.pupil_id == pupil_id, PeriodMark.academic_year_id == year_id)
    ).all():
        key = key_of.get((row.kind, row.number))
        if key and row.kind == grading.HALF_YEAR and how == grading.QUARTER and row.subject_id not in few_hours:
            continue  # a half-year mark of a subject the class now marks by quarter: not this card's
        text = _set_mark_text(row.value, row.special)
        if key and text:
            cells[row.subject_id][key] = text
    class_ids = list(
        session.exec(
            select(Enrollment.class_id)
            .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
            .where(Enrollment.pupil_id == pupil.id, SchoolClass.academic_year_id == year_id)
        ).all()
    )
    taught = set(
        session.exec(
            select(TeachingAssignment.subject_id).where(
                TeachingAssignment.class_id.in_(class_ids or [-1]),  # type: ignore[attr-defined]
                TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
    )
    subject_ids = taught | set(cells)
    subjects = {
        s.id: s
        for s in session.exec(select(Subject).where(Subject.id.in_(subject_ids))).all()  # type: ignore[union-attr]
        if s.deleted_at is None or s.id in cells
    }
    rows = []
    for sid in sorted(subjects, key=lambda i: subjects[i].name_ky):
        rows.append(
            {**_subject_names(subjects[sid]), **{c["key"]: cells.get(sid, {}).get(c["key"], "") for c in columns}}
        )
    return {"columns": columns, "rows": rows}


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
    class_ids = [cls.id for cls, _a, _b in spans]
    groups = subgroups.pupil_groups(session, pupil_id, class_ids)  # type: ignore[arg-type]
    split = subgroups.split_pairs(session, class_ids)  # type: ignore[arg-type]
    lessons = [
        (lesson, subject, cls)
        for lesson, subject, cls in lessons
        if subgroups.takes_lesson(
            split,
            groups.get((cls.id, lesson.subject_id)),
            cls.id,
            lesson.subject_id,
            lesson.subgroup,  # type: ignore[arg-type]
        )
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
    # The courses' modules that follow these lessons (a late import: courses needs school_events,
    # which needs this module).
    from bbbms_app.services import course_edit, courses

    links = course_edit.course_links(session, ids, courses.school_today())  # type: ignore[arg-type]
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
                "course": links.get(lesson.id, ""),  # type: ignore[arg-type]
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
