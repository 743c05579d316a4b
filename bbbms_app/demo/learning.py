"""Demo courses: the demo class teacher's course for her class, and one for the class of the demo
pupil and of each of the demo parent's children, each with a published week (a text, a link, a
video link and an assignment, tied to this week's lessons of the journal) and next week's module
planned, so /courses and the diary show something to every demo family."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bbbms_app.models import Enrollment, Lesson, PupilGuardian, SchoolClass, Subject, TeachingAssignment, User
from bbbms_app.models.learning import Assignment, Course, CourseClass, CourseModule
from bbbms_app.services import accounts, course_edit, courses
from bbbms_app.services.school_events import school_zone

TEXT = (
    "# Бул аптада\n"
    "Окуу китебинен тиешелүү параграфты окуп, негизги түшүнүктөрдү дептериңерге жазып алгыла.\n\n"
    "- Аныктамаларды жаттагыла\n"
    "- Мисалдарды өз алдыңча чыгаргыла\n"
    "- Түшүнбөгөн суроолорду кийинки сабакта бергиле"
)


def _build(s: Session, me, subject_id: int, class_id: int, subject: str, today: date) -> Course:  # type: ignore[no-untyped-def]
    """A course with a published week (a text, a link, a video link, an assignment due in four
    days) and next week's module planned."""
    course = courses.create_course(
        s, me, subject_id, [class_id], subject, "Сабактардын материалдары жана үй тапшырмалары."
    )
    week = courses.add_module(s, me, course.id, "1-апта", "Кайталоо жана жаңы тема", today)  # type: ignore[arg-type]
    courses.publish_module(s, me, week.id, today - timedelta(days=3), today)  # type: ignore[arg-type]
    courses.add_material(s, me, week.id, "text", "Эмне кылабыз", body=TEXT, today=today)  # type: ignore[arg-type]
    courses.add_material(s, me, week.id, "link", "Электрондук китепкана", url="https://lib.kg", today=today)  # type: ignore[arg-type]
    courses.add_material(
        s, me, week.id, "video", "Видео сабак", url="https://www.youtube.com/@bilimkg", today=today,  # type: ignore[arg-type]
    )  # fmt: skip
    courses.add_assignment(
        s, me, week.id, "Үй тапшырмасы", "Параграфтагы 3 суроого жазуу түрүндө жооп бергиле.",  # type: ignore[arg-type]
        today + timedelta(days=4), "home", today,
    )  # fmt: skip
    # The week follows this week's lessons of the journal: the diary links them to the course.
    lessons = s.exec(
        select(Lesson.id).where(
            Lesson.class_id == class_id,
            Lesson.subject_id == subject_id,
            Lesson.date >= today - timedelta(days=today.weekday()),
            Lesson.date <= today + timedelta(days=6 - today.weekday()),
        )
    ).all()
    if lessons:
        course_edit.link_lessons(s, me, week.id, list(lessons), today)  # type: ignore[arg-type]
    nxt = courses.add_module(s, me, course.id, "2-апта", "Жаңы тема", today)  # type: ignore[arg-type]
    courses.publish_module(s, me, nxt.id, today + timedelta(days=7), today)  # type: ignore[arg-type]
    return course


def _class_today(s: Session, pupil_id: int, today: date) -> int | None:
    return s.exec(
        select(Enrollment.class_id).where(
            Enrollment.pupil_id == pupil_id,
            Enrollment.starts_on <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
    ).first()


def _teacher_of(s: Session, users: dict[str, User], class_id: int) -> tuple[User, int] | None:
    """A demo teacher account teaching a subject in the class (the demo subject teacher, the demo
    class teacher, any teacher's account); else the demo subject teacher is given a subject the class
    has no teacher of (a TeachingAssignment)."""
    for name in ("teacher", "classteacher"):
        user = users.get(name)
        if user is None or user.staff_id is None:
            continue
        subject_id = s.exec(
            select(TeachingAssignment.subject_id)
            .where(
                TeachingAssignment.class_id == class_id,
                TeachingAssignment.teacher_id == user.staff_id,
                col(TeachingAssignment.deleted_at).is_(None),
            )
            .order_by(TeachingAssignment.id)
        ).first()
        if subject_id is not None:
            return user, subject_id
    # Any account of a teacher of the class.
    row = s.exec(
        select(User, TeachingAssignment.subject_id)
        .join(TeachingAssignment, col(TeachingAssignment.teacher_id) == User.staff_id)
        .where(
            TeachingAssignment.class_id == class_id,
            col(TeachingAssignment.deleted_at).is_(None),
            col(User.role).in_(("teacher", "class_teacher")),
            col(User.is_active).is_(True),
        )
        .order_by(TeachingAssignment.id)
    ).first()
    if row is not None:
        return row[0], row[1]
    # None: the demo subject teacher is given a subject the class has no teacher of yet.
    user, klass = users.get("teacher"), s.get(SchoolClass, class_id)
    if user is None or user.staff_id is None or klass is None:
        return None
    taught = select(TeachingAssignment.subject_id).where(TeachingAssignment.class_id == class_id)
    free = s.exec(
        select(Subject.id)
        .where(Subject.school_id == klass.school_id, col(Subject.id).not_in(taught))
        .order_by(Subject.position, Subject.id)
    ).first()
    if free is None:
        return None
    s.add(TeachingAssignment(school_id=klass.school_id, class_id=class_id, subject_id=free, teacher_id=user.staff_id))
    s.flush()
    return user, free


def add_courses(engine: Engine, school_id: int, today: date) -> int:
    """The demo class teacher's course for her class, and a course for the class of the demo pupil
    and of each of the demo parent's children (so both see a course, and the parent one per child);
    the demo pupil hands in his assignment. None when the school has courses already. Returns how
    many were made."""
    made = 0
    with Session(engine) as s:
        if s.exec(select(Course.id).where(Course.school_id == school_id).limit(1)).first() is not None:
            return 0
        users = {u.username: u for u in s.exec(select(User).where(User.school_id == school_id)).all()}
        user = users.get("classteacher")
        if user is not None:
            me = accounts.principal_for(user, session=s)
            options = [o for o in courses.teaching_options(s, me) if "," not in o["id"].split(":")[0]]
            if options:
                class_id, subject_id = (int(x) for x in options[0]["id"].split(":"))
                _build(s, me, subject_id, class_id, options[0]["name"].split(" · ", 1)[-1], today)
                made += 1
        pupil, parent = users.get("pupil"), users.get("parent")
        family: list[int] = []
        if pupil is not None and pupil.pupil_id is not None:
            family.append(pupil.pupil_id)
        if parent is not None and parent.guardian_id is not None:
            family += list(
                s.exec(
                    select(PupilGuardian.pupil_id)
                    .where(PupilGuardian.guardian_id == parent.guardian_id)
                    .order_by(PupilGuardian.pupil_id)
                ).all()
            )
        for pupil_id in family:
            class_id = _class_today(s, pupil_id, today)
            if class_id is None or s.exec(select(CourseClass.id).where(CourseClass.class_id == class_id)).first():
                continue
            picked = _teacher_of(s, users, class_id)
            if picked is None:
                continue
            teacher, subject_id = picked
            subject = s.get(Subject, subject_id)
            me = accounts.principal_for(teacher, session=s)
            _build(s, me, subject_id, class_id, subject.name_ky if subject else "Курс", today)
            made += 1
        s.flush()
        if pupil is not None and pupil.pupil_id is not None:
            class_id = _class_today(s, pupil.pupil_id, today)
            assignment_id = s.exec(
                select(Assignment.id)
                .join(CourseModule, col(CourseModule.id) == Assignment.module_id)
                .join(CourseClass, col(CourseClass.course_id) == CourseModule.course_id)
                .where(CourseClass.class_id == class_id)
            ).first()
            if assignment_id is not None:
                me = accounts.principal_for(pupil, session=s)
                at = datetime.combine(today, time(9, 0), tzinfo=school_zone()).astimezone(UTC)  # on time
                courses.submit(s, me, assignment_id, "Үч суроого жооп дептерде, сүрөтү кийин.", [], at)
        s.commit()
        return made
