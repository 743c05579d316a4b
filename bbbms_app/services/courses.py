"""Distance-learning courses and assignments (issue 18 #1, #2): who sees what, who writes, hand-ins
and the mark that goes into the class journal.

Who reaches a course (checked here at every call, whatever the page sent):
- its teacher (`Course.teacher_id` is his staff card, with `course.write`) builds it: modules,
  materials, assignments, publishing, reviewing and marking hand-ins;
- the director and the deputy (`course.read`) read every course of their school (drafts too);
- a pupil enrolled today in one of the course's classes, and his parents (`own.read`: a family
  holds no other right), read its published modules (publish date reached); only the pupil hands
  in, only his own;
- everyone else: NotFound (a guessed id tells nothing).

A hand-in after the due time is taken and marked late, unless the teacher closed the assignment.
The teacher's mark goes into the journal through `journal.set_mark` on a lesson he picks (the
pupil's class × the course's subject, an open term): scope, closed term, scale and the audit are
the grid's. The submission keeps which lesson; the mark shown beside it is read from that journal
cell — one mark, one place.

Material text is plain text with a tiny markup (a line `# …` a heading, `- …` a list item, empty
lines between paragraphs), parsed here into blocks the page shows as text: never HTML or markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from bbbms_app.i18n import format_date, format_datetime
from bbbms_app.models import (
    AcademicYear,
    Enrollment,
    Lesson,
    Mark,
    Pupil,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
)
from bbbms_app.models.journal import ClassTermClose
from bbbms_app.models.learning import (
    ASSIGNMENT_MARK_KINDS,
    MATERIAL_KINDS,
    Assignment,
    Course,
    CourseClass,
    CourseMaterial,
    CourseModule,
    ModuleLesson,
    Submission,
    SubmissionFile,
)
from bbbms_app.services import audit, journal
from bbbms_app.services.access import Principal, can_teach, visible_pupil_ids_own
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.private_files import StoredFile
from bbbms_app.services.school import class_name, current_year
from bbbms_app.services.school_events import school_zone

LEADERS = frozenset({"director", "deputy"})
FAMILY = frozenset({"pupil", "parent"})
TITLE_MAX = 200
TOPIC_MAX = 300
DESCRIPTION_MAX = 2000
BODY_MAX = 8000
INSTRUCTIONS_MAX = 4000
URL_MAX = 500
COMMENT_MAX = 2000
MAX_HANDIN_FILES = 5
FILE_MAX_BYTES = 10 * 1024 * 1024


class CourseError(Refused):
    """A course or assignment value or step that may not be taken."""


def _aware(when: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; every stored time is UTC.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _local(when: datetime) -> datetime:
    return _aware(when).astimezone(school_zone())


def school_now() -> datetime:
    """Now, in UTC (hand-in times are compared with due times in UTC)."""
    return datetime.now(UTC)


def school_today() -> date:
    """Today on the school's wall clock (publish dates and enrollments are school days)."""
    return datetime.now(school_zone()).date()


def due_at_of(day: date) -> datetime:
    """The end of `day` on the school's wall clock, in UTC (an assignment is due by then)."""
    return datetime.combine(day, time(23, 59), tzinfo=school_zone()).astimezone(UTC)


# ------------------------------------------------------------------------------------ scope


def _course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None or course.deleted_at is not None:
        raise NotFound(f"course {course_id}")
    return course


def course_class_ids(session: Session, course_id: int) -> list[int]:
    return list(session.exec(select(CourseClass.class_id).where(CourseClass.course_id == course_id)).all())


def _enrolled_today(q, today: date):  # type: ignore[no-untyped-def]
    return q.where(Enrollment.starts_on <= today, or_(col(Enrollment.ends_on).is_(None), Enrollment.ends_on >= today))


def family_pupils(session: Session, principal: Principal, course_id: int, today: date) -> list[int]:
    """The pupils through whom a pupil or parent reaches the course: himself or his children,
    enrolled today in one of its classes."""
    own = visible_pupil_ids_own(session, principal)
    if not own:
        return []
    q = select(Enrollment.pupil_id).where(
        col(Enrollment.pupil_id).in_(own),
        col(Enrollment.class_id).in_(select(CourseClass.class_id).where(CourseClass.course_id == course_id)),
    )
    return sorted(set(session.exec(_enrolled_today(q, today)).all()))


def access(session: Session, principal: Principal, course: Course, today: date) -> str:
    """ "write" (its teacher), "lead" (director, deputy) or "family" (a pupil of its classes, his
    parents); NotFound for anyone else."""
    if principal.school_id is None or principal.school_id != course.school_id:
        raise NotFound(f"course {course.id}")
    if principal.staff_id is not None and course.teacher_id == principal.staff_id and principal.can("course.write"):
        return "write"
    if principal.role in LEADERS and principal.can("course.read"):
        return "lead"
    if (
        principal.role in FAMILY and principal.can("own.read") and family_pupils(session, principal, course.id, today)  # type: ignore[arg-type]
    ):
        return "family"
    raise NotFound(f"course {course.id}")


def _writable(session: Session, principal: Principal, course_id: int, today: date) -> Course:
    course = _course(session, course_id)
    if access(session, principal, course, today) != "write":
        raise OutOfScope(f"course {course_id}: read only")
    return course


def _module(session: Session, module_id: int) -> CourseModule:
    module = session.get(CourseModule, module_id)
    if module is None or module.deleted_at is not None:
        raise NotFound(f"module {module_id}")
    return module


def _published(module: CourseModule, today: date) -> bool:
    return module.publish_on is not None and module.publish_on <= today


def _assignment(session: Session, assignment_id: int) -> tuple[Assignment, CourseModule, Course]:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.deleted_at is not None:
        raise NotFound(f"assignment {assignment_id}")
    module = _module(session, assignment.module_id)
    return assignment, module, _course(session, module.course_id)


def _readable_module(session: Session, principal: Principal, module: CourseModule, today: date) -> tuple[Course, str]:
    course = _course(session, module.course_id)
    how = access(session, principal, course, today)
    if how == "family" and not _published(module, today):
        raise NotFound(f"module {module.id} not published")
    return course, how


# ------------------------------------------------------------------------------------ text


def blocks(text: str) -> list[tuple[str, str]]:
    """The tiny markup of a text material as (style, text) blocks: "h" a heading (`# …`), "li" a
    list item (`- …` or `* …`), "p" a paragraph (lines joined until an empty line). Shown as text."""
    out: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(("p", "\n".join(para)))
            para.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            flush()
        elif stripped.startswith("# "):
            flush()
            out.append(("h", stripped[2:].strip()))
        elif stripped[:2] in ("- ", "* "):
            flush()
            out.append(("li", stripped[2:].strip()))
        else:
            para.append(line)
    flush()
    return out


def check_url(url: str, field_name: str = "url") -> str:
    """An http or https address with a host, no spaces; anything else (javascript:, data:, a bare
    word) is refused."""
    url = url.strip()
    if not url or len(url) > URL_MAX or any(ch.isspace() for ch in url):
        raise CourseError("courses.error.url", field=field_name)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise CourseError("courses.error.url", field=field_name) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CourseError("courses.error.url", field=field_name)
    return url


def _title(value: str, field_name: str = "title", limit: int = TITLE_MAX) -> str:
    value = value.strip()
    if not value:
        raise CourseError("courses.error.title", field=field_name)
    if len(value) > limit:
        raise CourseError("courses.error.too_long", field=field_name, n=limit)
    return value


def _limit(value: str, limit: int, field_name: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise CourseError("courses.error.too_long", field=field_name, n=limit)
    return value


# ------------------------------------------------------------------------------------ lists


def _subject_name(subject: Subject | None, lang: str) -> str:
    if subject is None:
        return ""
    return {"ru": subject.name_ru, "en": subject.name_en or subject.name_ru}.get(lang, subject.name_ky)


def _staff_name(staff: Staff | None) -> str:
    return f"{staff.last_name} {staff.first_name}".strip() if staff else ""


def _classes_text(session: Session, course_id: int) -> str:
    rows = session.exec(
        select(SchoolClass.grade, SchoolClass.letter)
        .join(CourseClass, col(CourseClass.class_id) == SchoolClass.id)
        .where(CourseClass.course_id == course_id)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    ).all()
    return ", ".join(class_name(g, letter) for g, letter in rows)


def _row(session: Session, course: Course, lang: str) -> dict[str, str]:
    year = session.get(AcademicYear, course.academic_year_id)
    return {
        "id": str(course.id),
        "title": course.title,
        "description": course.description,
        "subject": _subject_name(session.get(Subject, course.subject_id), lang),
        "classes": _classes_text(session, course.id),  # type: ignore[arg-type]
        "teacher": _staff_name(session.get(Staff, course.teacher_id)),
        "year": year.name if year else "",
        "kids": "",  # a parent's line per child (courses_for)
    }


def courses_for(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """The courses the principal reaches, newest year first, as display rows."""
    if principal.school_id is None:
        return []
    q = select(Course).where(Course.school_id == principal.school_id, col(Course.deleted_at).is_(None))
    if principal.role in LEADERS and principal.can("course.read"):
        pass
    elif principal.role in FAMILY and principal.can("own.read"):
        own = visible_pupil_ids_own(session, principal)
        classes = session.exec(
            _enrolled_today(select(Enrollment.class_id).where(col(Enrollment.pupil_id).in_(own)), today)
        )
        q = q.where(
            col(Course.id).in_(select(CourseClass.course_id).where(col(CourseClass.class_id).in_(list(classes.all()))))
        )
    elif principal.staff_id is not None and principal.can("course.write"):
        q = q.where(Course.teacher_id == principal.staff_id)
    else:
        return []
    courses = session.exec(q.order_by(col(Course.academic_year_id).desc(), Course.grade, Course.title)).all()
    rows = [_row(session, c, principal.language) for c in courses]
    if principal.role == "parent":
        for c, row in zip(courses, rows, strict=True):
            row["kids"] = _children_summary(session, principal, c, today)
    return rows


def _children_summary(session: Session, principal: Principal, course: Course, today: date) -> str:
    """A parent's course card: a line per child on the course's lists, «name\ttotal\thanded in\t
    late\tmarked» over the published, live assignments."""
    kids = family_pupils(session, principal, course.id, today)  # type: ignore[arg-type]
    assignment_ids = list(
        session.exec(
            select(Assignment.id)
            .join(CourseModule, col(CourseModule.id) == Assignment.module_id)
            .where(
                CourseModule.course_id == course.id,
                col(CourseModule.deleted_at).is_(None),
                col(CourseModule.publish_on).is_not(None),
                col(CourseModule.publish_on) <= today,
                col(Assignment.deleted_at).is_(None),
            )
        ).all()
    )
    subs = session.exec(
        select(Submission).where(col(Submission.assignment_id).in_(assignment_ids), col(Submission.pupil_id).in_(kids))
    ).all()
    lines = []
    for child in session.exec(select(Pupil).where(col(Pupil.id).in_(kids)).order_by(Pupil.sort_key)).all():
        mine = [x for x in subs if x.pupil_id == child.id]
        late = sum(1 for x in mine if x.late)
        marked = sum(1 for x in mine if x.status == "marked")
        name = _one_line(f"{child.first_name} {child.last_name}")
        lines.append(f"{name}\t{len(assignment_ids)}\t{len(mine)}\t{late}\t{marked}")
    return "\n".join(lines)


def teaching_options(session: Session, principal: Principal) -> list[dict[str, str]]:
    """What a teacher may make a course for: his classes × subjects of the current year."""
    if principal.staff_id is None or principal.school_id is None or not principal.can("course.write"):
        return []
    year = current_year(session, principal.school_id)
    if year is None:
        return []
    rows = session.exec(
        select(SchoolClass, Subject)
        .join(TeachingAssignment, col(TeachingAssignment.class_id) == SchoolClass.id)
        .join(Subject, col(Subject.id) == TeachingAssignment.subject_id)
        .where(
            TeachingAssignment.teacher_id == principal.staff_id,
            SchoolClass.academic_year_id == year.id,
            col(SchoolClass.deleted_at).is_(None),
            col(TeachingAssignment.deleted_at).is_(None),
        )
        .order_by(SchoolClass.grade, SchoolClass.letter, Subject.position)
    ).all()
    seen: set[str] = set()
    out = []
    parallels: dict[tuple[int, int], list[SchoolClass]] = {}
    for klass, subject in rows:
        key = f"{klass.id}:{subject.id}"
        if key not in seen:
            seen.add(key)
            name = f"{class_name(klass.grade, klass.letter)} · {_subject_name(subject, principal.language)}"
            out.append({"id": key, "name": name})
            parallels.setdefault((klass.grade, subject.id), []).append(klass)  # type: ignore[arg-type]
    # One course for all his parallel classes of a grade: «7-А, 7-Б · Физика».
    subjects = {subject.id: subject for _k, subject in rows}
    for (_grade, subject_id), group in parallels.items():
        if len(group) > 1:
            names = ", ".join(class_name(k.grade, k.letter) for k in group)
            out.append(
                {
                    "id": f"{','.join(str(k.id) for k in group)}:{subject_id}",
                    "name": f"{names} · {_subject_name(subjects[subject_id], principal.language)}",
                }
            )
    return out


def parse_option(option_id: str) -> tuple[list[int], int]:
    """The classes and the subject of a teaching option's id («12,13:4»)."""
    classes, subject = option_id.split(":")
    return [int(c) for c in classes.split(",")], int(subject)


# ------------------------------------------------------------------------------------ building


def check_writable(session: Session, principal: Principal, course_id: int, today: date) -> None:
    """Refuse unless the principal builds this course (before a file is even stored for it)."""
    _writable(session, principal, course_id, today)


def remove_material(session: Session, principal: Principal, material_id: int, today: date) -> None:
    """Take a material out of its module: a soft delete (readers skip it), audited with what it
    was; a file stays on disk for the copies of the course that share it."""
    material = session.get(CourseMaterial, material_id)
    if material is None or material.deleted_at is not None:
        raise NotFound(f"material {material_id}")
    module = _module(session, material.module_id)
    _writable(session, principal, module.course_id, today)
    audit.record(
        session, principal, "delete", "course_material", material.id, field=material.kind,
        old=material.title, reason=f"module {module.id}",
    )  # fmt: skip
    material.deleted_at = school_now()
    session.add(material)


def create_course(
    session: Session,
    principal: Principal,
    subject_id: int,
    class_ids: list[int],
    title: str,
    description: str = "",
    *,
    copied_from_id: int | None = None,
) -> Course:
    """A new course of the principal for `subject_id` in `class_ids` (parallel classes of one grade
    and one year, each one he teaches that subject in)."""
    if principal.staff_id is None or principal.school_id is None or not principal.can("course.write"):
        raise OutOfScope("course.write")
    if not class_ids:
        raise CourseError("courses.error.classes", field="classes")
    classes = [session.get(SchoolClass, cid) for cid in sorted(set(class_ids))]
    for cid, klass in zip(sorted(set(class_ids)), classes, strict=True):
        if klass is None or klass.deleted_at is not None or not can_teach(session, principal, cid, subject_id):
            raise OutOfScope(f"class {cid} × subject {subject_id}")
    real = [k for k in classes if k is not None]
    if len({(k.grade, k.academic_year_id) for k in real}) != 1:
        raise CourseError("courses.error.parallel", field="classes")
    course = Course(
        school_id=principal.school_id,
        academic_year_id=real[0].academic_year_id,
        subject_id=subject_id,
        teacher_id=principal.staff_id,
        grade=real[0].grade,
        title=_title(title),
        description=_limit(description, DESCRIPTION_MAX, "description"),
        copied_from_id=copied_from_id,
    )
    session.add(course)
    session.flush()
    for k in real:
        session.add(CourseClass(course_id=course.id, class_id=k.id))  # type: ignore[arg-type]
    audit.record(
        session,
        principal,
        "create",
        "course",
        course.id,
        new=course.title,
        field="classes",
        reason=f"classes {','.join(str(k.id) for k in real)}"
        + (f"; copy of course {copied_from_id}" if copied_from_id else ""),
    )
    return course


def add_module(
    session: Session, principal: Principal, course_id: int, title: str, topic: str, today: date
) -> CourseModule:
    course = _writable(session, principal, course_id, today)
    last = session.exec(select(func.max(CourseModule.position)).where(CourseModule.course_id == course.id)).one()
    module = CourseModule(
        course_id=course.id,  # type: ignore[arg-type]
        title=_title(title),
        topic=_limit(topic, TOPIC_MAX, "topic"),
        position=(last or 0) + 1,
    )
    session.add(module)
    session.flush()
    audit.record(
        session, principal, "create", "course_module", module.id, new=module.title, reason=f"course {course.id}"
    )
    return module


def publish_module(
    session: Session, principal: Principal, module_id: int, publish_on: date | None, today: date
) -> CourseModule:
    """Publish a module from `publish_on` (today or a later day), or take it back to a draft (None)."""
    module = _module(session, module_id)
    _writable(session, principal, module.course_id, today)
    old = module.publish_on
    module.publish_on = publish_on
    session.add(module)
    audit.record(
        session,
        principal,
        "update",
        "course_module",
        module.id,
        field="publish_on",
        old=old.isoformat() if old else "",
        new=publish_on.isoformat() if publish_on else "",
    )
    return module


def add_material(
    session: Session,
    principal: Principal,
    module_id: int,
    kind: str,
    title: str,
    *,
    body: str = "",
    url: str = "",
    stored: StoredFile | None = None,
    today: date,
) -> CourseMaterial:
    """A text, file, link or video link in a module. A file is already stored privately (kind
    "courses"); a link must be http(s)."""
    module = _module(session, module_id)
    _writable(session, principal, module.course_id, today)
    if kind not in MATERIAL_KINDS:
        raise CourseError("courses.error.kind", field="kind")
    material = CourseMaterial(module_id=module_id, kind=kind, title=_title(title))
    if kind == "text":
        material.body = _limit(body, BODY_MAX, "body")
        if not material.body:
            raise CourseError("courses.error.body", field="body")
    elif kind in ("link", "video"):
        material.url = check_url(url)
        material.body = _limit(body, BODY_MAX, "body")
    else:
        if stored is None:
            raise CourseError("courses.error.file", field="file")
        material.file_name, material.file_sha256 = stored.name, stored.sha256
        material.file_type, material.file_size = stored.content_type, stored.size
    last = session.exec(select(func.max(CourseMaterial.position)).where(CourseMaterial.module_id == module_id)).one()
    material.position = (last or 0) + 1
    session.add(material)
    session.flush()
    audit.record(
        session, principal, "create", "course_material", material.id, field=kind, new=material.title,
        reason=f"module {module_id}",
    )  # fmt: skip
    return material


def add_assignment(
    session: Session,
    principal: Principal,
    module_id: int,
    title: str,
    instructions: str,
    due_on: date | None,
    mark_kind: str,
    today: date,
) -> Assignment:
    module = _module(session, module_id)
    _writable(session, principal, module.course_id, today)
    if due_on is None:
        raise CourseError("courses.error.due", field="due_on")
    if mark_kind not in ASSIGNMENT_MARK_KINDS:
        raise CourseError("courses.error.kind", field="mark_kind")
    assignment = Assignment(
        module_id=module_id,
        title=_title(title),
        instructions=_limit(instructions, INSTRUCTIONS_MAX, "instructions"),
        due_at=due_at_of(due_on),
        mark_kind=mark_kind,
    )
    session.add(assignment)
    session.flush()
    audit.record(
        session, principal, "create", "assignment", assignment.id, new=assignment.title,
        reason=f"module {module_id}; due {due_on.isoformat()}; {mark_kind}",
    )  # fmt: skip
    return assignment


def close_assignment(session: Session, principal: Principal, assignment_id: int, closed: bool, today: date) -> None:
    """Close an assignment to hand-ins (or open it again)."""
    assignment, module, _course_row = _assignment(session, assignment_id)
    _writable(session, principal, module.course_id, today)
    old = assignment.closed
    assignment.closed = closed
    session.add(assignment)
    audit.record(session, principal, "update", "assignment", assignment.id, field="closed", old=old, new=closed)


def copy_targets(session: Session, principal: Principal, course_id: int, today: date) -> list[dict[str, str]]:
    """The classes of a later school year a course of his may be copied to: those he teaches its
    subject in (one pick = one class; the service takes several)."""
    course = _writable(session, principal, course_id, today)
    this_year = session.get(AcademicYear, course.academic_year_id)
    if this_year is None:
        return []
    rows = session.exec(
        select(SchoolClass, AcademicYear)
        .join(AcademicYear, col(AcademicYear.id) == SchoolClass.academic_year_id)
        .join(TeachingAssignment, col(TeachingAssignment.class_id) == SchoolClass.id)
        .where(
            TeachingAssignment.teacher_id == principal.staff_id,
            TeachingAssignment.subject_id == course.subject_id,
            col(TeachingAssignment.deleted_at).is_(None),
            col(SchoolClass.deleted_at).is_(None),
            SchoolClass.school_id == course.school_id,
            AcademicYear.starts_on > this_year.starts_on,
        )
        .order_by(AcademicYear.starts_on, SchoolClass.grade, SchoolClass.letter)
    ).all()
    out: list[dict[str, str]] = []
    for klass, year in rows:
        if not any(o["id"] == str(klass.id) for o in out):
            out.append({"id": str(klass.id), "name": f"{class_name(klass.grade, klass.letter)} · {year.name}"})
    return out


def _lessons_in_order(session: Session, class_id: int, subject_id: int, year: AcademicYear) -> list[list[int]]:
    """The class's lessons of the subject in the school year, place by place in order of date and
    lesson number: each place holds its lessons' ids (one, or one per subgroup); cancelled ones are
    not counted."""
    rows = session.exec(
        select(Lesson.id, Lesson.date, Lesson.number)
        .where(
            Lesson.class_id == class_id,
            Lesson.subject_id == subject_id,
            col(Lesson.cancelled).is_(False),
            Lesson.date >= year.starts_on,
            Lesson.date <= year.ends_on,
        )
        .order_by(Lesson.date, Lesson.number, Lesson.id)
    ).all()
    places: list[list[int]] = []
    last = None
    for lesson_id, day, number in rows:
        if (day, number) != last:
            places.append([])
            last = (day, number)
        places[-1].append(lesson_id)  # type: ignore[arg-type]
    return places


def _copied_lesson_links(
    session: Session, source: Course, copy: Course, old_year: AcademicYear, new_year: AcademicYear
) -> dict[int, list[int]]:
    """For each module of `source` tied to journal lessons, the lessons of the copy's classes to tie
    its copy to.

    The rule is the lesson's place in the year: a linked lesson that was the k-th lesson of the subject
    in its class that year (by date and lesson number, cancelled ones left out, a lesson split between
    subgroups counted once) becomes the k-th lesson of the subject in each class of the copy (every
    subgroup's) — where the new class's journal already has it (lessons made from the timetable ahead).
    The thematic plan follows the lessons' order, not the calendar: dates move with weekdays and
    holidays from year to year, the k-th lesson keeps the k-th topic."""
    links = session.exec(
        select(CourseModule.id, Lesson.id, Lesson.class_id)
        .join(ModuleLesson, col(ModuleLesson.module_id) == CourseModule.id)
        .join(Lesson, col(Lesson.id) == ModuleLesson.lesson_id)
        .where(CourseModule.course_id == source.id, col(CourseModule.deleted_at).is_(None))
    ).all()
    if not links:
        return {}
    place_of: dict[int, int] = {}  # an old lesson -> its place in its class's year
    for class_id in {c for _, _, c in links}:
        for k, lesson_ids in enumerate(_lessons_in_order(session, class_id, source.subject_id, old_year)):
            place_of.update(dict.fromkeys(lesson_ids, k))
    new_places = [
        _lessons_in_order(session, class_id, copy.subject_id, new_year)
        for class_id in course_class_ids(session, copy.id)  # type: ignore[arg-type]
    ]
    out: dict[int, list[int]] = {}
    for module_id, lesson_id, _ in links:
        k = place_of.get(lesson_id)  # type: ignore[arg-type]
        if k is None:  # a cancelled lesson, or one outside the course's year
            continue
        for places in new_places:
            for new_id in places[k] if k < len(places) else []:
                if new_id not in out.setdefault(module_id, []):  # type: ignore[arg-type]
                    out[module_id].append(new_id)  # type: ignore[index]
    return out


def copy_course(session: Session, principal: Principal, course_id: int, class_ids: list[int], today: date) -> Course:
    """A copy of a course of his for `class_ids` (next year's classes): modules as drafts, materials
    (files shared, they never change), assignments with their due dates moved by the years' distance,
    and each module's journal lessons carried to the new classes' lessons at the same place in the
    year where their journal has them already (the rule: `_copied_lesson_links`)."""
    source = _writable(session, principal, course_id, today)
    copy = create_course(
        session, principal, source.subject_id, class_ids, source.title, source.description, copied_from_id=source.id
    )
    old_year = session.get(AcademicYear, source.academic_year_id)
    new_year = session.get(AcademicYear, copy.academic_year_id)
    if copy.academic_year_id == source.academic_year_id:
        raise CourseError("courses.error.same_year", field="classes")
    shift = (new_year.starts_on - old_year.starts_on) if old_year and new_year else timedelta(days=364)
    modules = session.exec(
        select(CourseModule)
        .where(CourseModule.course_id == source.id, col(CourseModule.deleted_at).is_(None))
        .order_by(CourseModule.position)
    ).all()
    lesson_links = _copied_lesson_links(session, source, copy, old_year, new_year) if old_year and new_year else {}
    for m in modules:
        nm = CourseModule(course_id=copy.id, title=m.title, topic=m.topic, position=m.position)  # type: ignore[arg-type]
        session.add(nm)
        session.flush()
        carried = lesson_links.get(m.id, [])  # type: ignore[arg-type]
        for lesson_id in carried:
            session.add(ModuleLesson(module_id=nm.id, lesson_id=lesson_id))  # type: ignore[arg-type]
        if carried:
            audit.record(
                session, principal, "update", "course_module", nm.id, field="lessons",
                old="", new=",".join(str(i) for i in sorted(carried)), reason=f"copied from module {m.id}",
            )  # fmt: skip
        for mat in session.exec(
            select(CourseMaterial).where(CourseMaterial.module_id == m.id, col(CourseMaterial.deleted_at).is_(None))
        ).all():
            data = mat.model_dump(exclude={"id", "module_id", "created_at", "deleted_at"})
            session.add(CourseMaterial(module_id=nm.id, **data))  # type: ignore[arg-type]
        for a in session.exec(
            select(Assignment).where(Assignment.module_id == m.id, col(Assignment.deleted_at).is_(None))
        ).all():
            session.add(
                Assignment(
                    module_id=nm.id,  # type: ignore[arg-type]
                    title=a.title,
                    instructions=a.instructions,
                    due_at=_aware(a.due_at) + shift,
                    mark_kind=a.mark_kind,
                )
            )
    session.flush()
    return copy


# ------------------------------------------------------------------------------------ reading


@dataclass
class CourseView:
    """One course as the page shows it: its header and its items in order (a module, then its
    materials with their text blocks, then its assignments)."""

    course: dict[str, str]
    how: str
    items: list[dict[str, str]] = field(default_factory=list)
    modules: list[dict[str, str]] = field(default_factory=list)  # for the teacher's pickers


def _journal_mark(session: Session, lesson_id: int | None, pupil_id: int, kind: str) -> str:
    """The mark of the journal cell a hand-in's mark went to ("" when none is there)."""
    if lesson_id is None:
        return ""
    value = session.exec(
        select(Mark.value).where(Mark.lesson_id == lesson_id, Mark.pupil_id == pupil_id, Mark.kind == kind)
    ).first()
    return "" if value is None else str(value)


def view(session: Session, principal: Principal, course_id: int, today: date, now: datetime) -> CourseView:
    course = _course(session, course_id)
    how = access(session, principal, course, today)
    lang = principal.language
    out = CourseView(course=_row(session, course, lang), how=how)
    # A pupil sees his own hand-ins; a parent those of each of his children on the course's lists,
    # one line per child (two children in the course: two lines, never one mixed status).
    pupil = principal.pupil_id if principal.role == "pupil" else None
    children: list[Pupil] = []
    if how == "family" and principal.role == "parent":
        kid_ids = family_pupils(session, principal, course.id, today)  # type: ignore[arg-type]
        children = list(session.exec(select(Pupil).where(col(Pupil.id).in_(kid_ids)).order_by(Pupil.sort_key)).all())
    modules = session.exec(
        select(CourseModule)
        .where(CourseModule.course_id == course.id, col(CourseModule.deleted_at).is_(None))
        .order_by(CourseModule.position, CourseModule.id)
    ).all()
    for m in modules:
        if how == "family" and not _published(m, today):
            continue
        state = "published" if _published(m, today) else ("planned" if m.publish_on else "draft")
        out.modules.append({"id": str(m.id), "name": m.title})
        out.items.append(
            {
                "type": "module", "id": str(m.id), "title": m.title, "topic": m.topic, "state": state,
                "publish_on": format_date(m.publish_on, lang) if m.publish_on else "",
            }
        )  # fmt: skip
        materials = session.exec(
            select(CourseMaterial)
            .where(CourseMaterial.module_id == m.id, col(CourseMaterial.deleted_at).is_(None))
            .order_by(CourseMaterial.position, CourseMaterial.id)
        ).all()
        for mat in materials:
            out.items.append(
                {
                    "type": "material", "id": str(mat.id), "kind": mat.kind, "title": mat.title, "url": mat.url,
                    "href": f"{MATERIAL_ROUTE}/{mat.id}" if mat.kind == "file" else "",
                    "size": f"{max(1, round(mat.file_size / 1024))} KB" if mat.kind == "file" else "",
                }
            )  # fmt: skip
            for style, text in blocks(mat.body):
                out.items.append({"type": "block", "style": style, "text": text, "id": str(mat.id)})
        assignments = session.exec(
            select(Assignment)
            .where(Assignment.module_id == m.id, col(Assignment.deleted_at).is_(None))
            .order_by(Assignment.due_at, Assignment.id)
        ).all()
        for a in assignments:
            item = {
                "type": "assignment", "id": str(a.id), "title": a.title, "instructions": a.instructions,
                "due": format_datetime(_local(a.due_at), lang), "mark_kind": a.mark_kind,
                "closed": "1" if a.closed else "", "overdue": "1" if now > _aware(a.due_at) else "",
                "status": "", "late": "", "mark": "", "comment": "", "submitted_at": "", "count": "", "kids": "",
            }  # fmt: skip
            if children:
                item["kids"] = _children_status(session, a, children, lang)
            elif how == "write" or how == "lead":
                n = session.exec(select(func.count()).where(Submission.assignment_id == a.id)).one()
                item["count"] = str(n)
            elif pupil is not None:
                sub = session.exec(
                    select(Submission).where(Submission.assignment_id == a.id, Submission.pupil_id == pupil)
                ).first()
                if sub is not None:
                    item.update(
                        status=sub.status, late="1" if sub.late else "", comment=sub.teacher_comment,
                        submitted_at=format_datetime(_local(sub.submitted_at), lang),
                        mark=_journal_mark(session, sub.lesson_id, pupil, a.mark_kind),
                    )  # fmt: skip
            out.items.append(item)
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _children_status(session: Session, assignment: Assignment, children: list[Pupil], lang: str) -> str:
    """A parent's view of one assignment: a line per child, «name\tstate\tmark\twhen\tcomment»,
    state "none", "submitted", "late" or "marked" (a marked late hand-in says "marked" and its mark)."""
    subs = {
        s.pupil_id: s
        for s in session.exec(
            select(Submission).where(
                Submission.assignment_id == assignment.id, col(Submission.pupil_id).in_([c.id for c in children])
            )
        ).all()
    }
    lines = []
    for child in children:
        sub = subs.get(child.id)  # type: ignore[arg-type]
        name = _one_line(f"{child.first_name} {child.last_name}")
        if sub is None:
            lines.append(f"{name}\tnone\t\t\t")
            continue
        mark = _journal_mark(session, sub.lesson_id, child.id, assignment.mark_kind)  # type: ignore[arg-type]
        state = "marked" if sub.status == "marked" else ("late" if sub.late else "submitted")
        when = format_datetime(_local(sub.submitted_at), lang)
        lines.append(f"{name}\t{state}\t{mark}\t{when}\t{_one_line(sub.teacher_comment)}")
    return "\n".join(lines)


def assignment_for_pupil(
    session: Session, principal: Principal, assignment_id: int, today: date
) -> tuple[Assignment, Submission | None, list[dict[str, str]]]:
    """The assignment a pupil opens to hand in, his submission and its files."""
    assignment, module, _c = _assignment(session, assignment_id)
    _readable_module(session, principal, module, today)
    if principal.role != "pupil" or principal.pupil_id is None:
        raise OutOfScope("only a pupil hands in")
    sub = session.exec(
        select(Submission).where(Submission.assignment_id == assignment_id, Submission.pupil_id == principal.pupil_id)
    ).first()
    return assignment, sub, _files(session, sub.id) if sub else []


def _files(session: Session, submission_id: int | None) -> list[dict[str, str]]:
    rows = session.exec(
        select(SubmissionFile).where(SubmissionFile.submission_id == submission_id).order_by(SubmissionFile.id)
    ).all()
    return [
        {
            "id": str(f.id),
            "href": f"{HANDIN_ROUTE}/{f.id}",
            "label": f"{f.file_name.rsplit('.', 1)[-1].upper()} · {max(1, round(f.file_size / 1024))} KB",
        }
        for f in rows
    ]


# ------------------------------------------------------------------------------------ hand-ins


def submit(
    session: Session,
    principal: Principal,
    assignment_id: int,
    body: str,
    files: list[StoredFile],
    now: datetime,
) -> Submission:
    """A pupil hands in (or again, until it is marked) his text and files. After the due time it is
    taken and marked late; a closed assignment refuses it."""
    if principal.role != "pupil" or principal.pupil_id is None or not principal.can("own.read"):
        raise OutOfScope("only a pupil hands in")
    assignment, module, _c = _assignment(session, assignment_id)
    _readable_module(session, principal, module, now.astimezone(school_zone()).date())
    if assignment.closed:
        raise CourseError("courses.error.closed")
    body = _limit(body, BODY_MAX, "body")
    if not body and not files:
        raise CourseError("courses.error.empty", field="body")
    sub = session.exec(
        select(Submission)
        .where(Submission.assignment_id == assignment_id, Submission.pupil_id == principal.pupil_id)
        .with_for_update()
    ).first()
    if sub is not None and sub.status == "marked":
        raise CourseError("courses.error.already_marked")
    existing = len(_files(session, sub.id)) if sub else 0
    if existing + len(files) > MAX_HANDIN_FILES:
        raise CourseError("courses.error.too_many_files", field="file", n=MAX_HANDIN_FILES)
    late = now > _aware(assignment.due_at)
    action = "update" if sub else "create"
    if sub is None:
        sub = Submission(assignment_id=assignment_id, pupil_id=principal.pupil_id, submitted_at=now)
    else:
        sub.version += 1
    sub.body, sub.submitted_at, sub.late = body, now, late
    session.add(sub)
    session.flush()
    for f in files:
        session.add(
            SubmissionFile(
                submission_id=sub.id,  # type: ignore[arg-type]
                file_name=f.name,
                file_sha256=f.sha256,
                file_type=f.content_type,
                file_size=f.size,
            )
        )
    audit.record(
        session, principal, action, "submission", sub.id, field="late" if late else "",
        new=f"{len(body)} chars, {len(files)} files", reason=f"assignment {assignment_id}", pupil_id=principal.pupil_id,
    )  # fmt: skip
    return sub


def _review_course(
    session: Session, principal: Principal, assignment_id: int, today: date
) -> tuple[Assignment, Course, str]:
    assignment, _module_row, course = _assignment(session, assignment_id)
    how = access(session, principal, course, today)
    if how not in ("write", "lead"):
        raise OutOfScope(f"assignment {assignment_id}: not his to review")
    return assignment, course, how


def submissions(session: Session, principal: Principal, assignment_id: int, today: date) -> list[dict[str, str]]:
    """Every pupil of the course's classes today with his hand-in (or none) and the journal's mark."""
    assignment, course, _how = _review_course(session, principal, assignment_id, today)
    lang = principal.language
    q = (
        select(Pupil, SchoolClass)
        .join(Enrollment, col(Enrollment.pupil_id) == Pupil.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .where(col(Enrollment.class_id).in_(select(CourseClass.class_id).where(CourseClass.course_id == course.id)))
    )
    rows = session.exec(_enrolled_today(q, today).order_by(SchoolClass.grade, SchoolClass.letter, Pupil.sort_key)).all()
    subs = {
        s.pupil_id: s for s in session.exec(select(Submission).where(Submission.assignment_id == assignment_id)).all()
    }
    out = []
    for pupil, klass in rows:
        sub = subs.get(pupil.id)  # type: ignore[arg-type]
        row = {
            "pupil_id": str(pupil.id), "name": f"{pupil.last_name} {pupil.first_name}",
            "class": class_name(klass.grade, klass.letter), "id": "", "body": "", "submitted_at": "",
            "late": "", "status": "", "mark": "", "comment": "", "lesson": "", "files": "",
        }  # fmt: skip
        if sub is not None:
            lesson = session.get(Lesson, sub.lesson_id) if sub.lesson_id else None
            row.update(
                id=str(sub.id), body=sub.body, submitted_at=format_datetime(_local(sub.submitted_at), lang),
                late="1" if sub.late else "", status=sub.status, comment=sub.teacher_comment,
                mark=_journal_mark(session, sub.lesson_id, pupil.id, assignment.mark_kind),  # type: ignore[arg-type]
                lesson=format_date(lesson.date, lang) if lesson else "",
                files="\n".join(f"{f['href']}|{f['label']}" for f in _files(session, sub.id)),
            )  # fmt: skip
        out.append(row)
    return out


def _submission(session: Session, submission_id: int) -> tuple[Submission, Assignment, Course]:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound(f"submission {submission_id}")
    assignment, _m, course = _assignment(session, sub.assignment_id)
    return sub, assignment, course


def _pupil_class(session: Session, course: Course, pupil_id: int, today: date) -> int:
    q = select(Enrollment.class_id).where(
        Enrollment.pupil_id == pupil_id,
        col(Enrollment.class_id).in_(select(CourseClass.class_id).where(CourseClass.course_id == course.id)),
    )
    class_id = session.exec(_enrolled_today(q, today)).first()
    if class_id is None:
        raise OutOfScope(f"pupil {pupil_id} is on none of the course's lists")
    return class_id


def lesson_options(session: Session, principal: Principal, submission_id: int, today: date) -> list[dict[str, str]]:
    """The journal lessons a hand-in's mark may go to: the pupil's class × the course's subject, up
    to today, in a term still open (latest first)."""
    sub, _assignment_row, course = _submission(session, submission_id)
    if access(session, principal, course, today) != "write":
        raise OutOfScope(f"submission {submission_id}")
    class_id = _pupil_class(session, course, sub.pupil_id, today)
    closed_for_class = select(ClassTermClose.term_id).where(ClassTermClose.class_id == class_id)
    lessons = session.exec(
        select(Lesson)
        .join(Term, col(Term.id) == Lesson.term_id)
        .where(
            Lesson.class_id == class_id,
            Lesson.subject_id == course.subject_id,
            Lesson.date <= today,
            col(Lesson.cancelled).is_(False),
            col(Term.closed_at).is_(None),
            col(Lesson.term_id).not_in(closed_for_class),
        )
        .order_by(col(Lesson.date).desc(), col(Lesson.number).desc())
        .limit(30)
    ).all()
    lang = principal.language
    return [{"id": str(le.id), "name": f"{format_date(le.date, lang)} · {le.topic}".rstrip(" ·")} for le in lessons]


def mark(
    session: Session,
    principal: Principal,
    submission_id: int,
    lesson_id: int,
    value: int | None,
    comment: str,
    today: date,
) -> Submission:
    """The teacher's comment and mark on a hand-in. The mark goes into the journal cell of
    `lesson_id` (the pupil's class × the course's subject) through the grid's own save path."""
    sub, assignment, course = _submission(session, submission_id)
    if access(session, principal, course, today) != "write":
        raise OutOfScope(f"submission {submission_id}")
    class_id = _pupil_class(session, course, sub.pupil_id, today)
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or lesson.class_id != class_id or lesson.subject_id != course.subject_id:
        raise CourseError("courses.error.lesson", field="lesson")
    comment = _limit(comment, COMMENT_MAX, "comment")
    if sub.lesson_id is not None and sub.lesson_id != lesson_id and value is not None:
        # The mark moves to another lesson: the old cell is cleared through the same path first.
        journal.set_mark(
            session,
            principal,
            sub.lesson_id,
            sub.pupil_id,
            assignment.mark_kind,
            None,
            reason=f"assignment {assignment.id}",
        )
    if value is not None:
        journal.set_mark(
            session,
            principal,
            lesson_id,
            sub.pupil_id,
            assignment.mark_kind,
            value,
            reason=f"assignment {assignment.id}",
        )
        sub.lesson_id = lesson_id
        sub.status = "marked"
    old_comment = sub.teacher_comment
    sub.teacher_comment = comment
    sub.version += 1
    session.add(sub)
    audit.record(
        session, principal, "update", "submission", sub.id, field="review", old=old_comment, new=comment,
        reason=f"assignment {assignment.id}; lesson {lesson_id}; mark {value if value is not None else ''}",
        pupil_id=sub.pupil_id, school_id=course.school_id,
    )  # fmt: skip
    return sub


# ------------------------------------------------------------------------------------ files

MATERIAL_ROUTE = "/private/course-material"
HANDIN_ROUTE = "/private/handin"


def material_file(session: Session, principal: Principal, material_id: object, today: date) -> CourseMaterial:
    """A file material for whoever reads its module (a pupil of another class, a draft: NotFound)."""
    if not isinstance(material_id, int):
        raise NotFound(f"material {material_id!r}")
    material = session.get(CourseMaterial, material_id)
    if material is None or material.kind != "file" or material.deleted_at is not None:
        raise NotFound(f"material {material_id}")
    _readable_module(session, principal, _module(session, material.module_id), today)
    return material


def handin_file(session: Session, principal: Principal, file_id: object, today: date) -> tuple[SubmissionFile, int]:
    """A handed-in file for the pupil himself, his parents, the course's teacher, the director and
    the deputy; NotFound for anyone else. Returns the file and the pupil's id."""
    if not isinstance(file_id, int):
        raise NotFound(f"hand-in file {file_id!r}")
    f = session.get(SubmissionFile, file_id)
    if f is None:
        raise NotFound(f"hand-in file {file_id}")
    sub, _a, course = _submission(session, f.submission_id)
    how = access(session, principal, course, today)
    if how == "family" and sub.pupil_id not in visible_pupil_ids_own(session, principal):
        raise NotFound(f"hand-in file {file_id}")
    return f, sub.pupil_id
