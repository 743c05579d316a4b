"""Editing a course after it is built (issue 18 #1): a module's title and topic, a material's
title, text or address, an assignment's title, instructions, due date and mark kind; deleting any
of them and taking a delete back; tying a module to the journal lessons whose topic it follows (the
diary links them).

Only the course's teacher (services.courses.access == "write") edits; everyone else gets the
same NotFound / OutOfScope as for building. A delete is soft (`deleted_at`; every reader of
services.courses skips the row) and audited with what it was. Work the pupils have handed in is
never hidden: an assignment with hand-ins (or a module holding one) is not deleted, and the kind
of mark of an assignment with hand-ins is not changed (its marks sit in the journal under that
kind) — a translated refusal naming the field, nothing written. What was deleted is listed for the
course's teacher (`deleted_items`) and comes back with `restore_item` (audited «restore»): a module
with the materials and assignments deleted with it, a material or an assignment into its module.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from bbbms_app.i18n import format_date, format_datetime
from bbbms_app.models import Lesson, SchoolClass
from bbbms_app.models.learning import (
    ASSIGNMENT_MARK_KINDS,
    Assignment,
    Course,
    CourseMaterial,
    CourseModule,
    ModuleLesson,
    Submission,
)
from bbbms_app.services import audit
from bbbms_app.services.access import Principal
from bbbms_app.services.courses import (
    BODY_MAX,
    INSTRUCTIONS_MAX,
    TOPIC_MAX,
    CourseError,
    _assignment,
    _aware,
    _limit,
    _local,
    _module,
    _title,
    _writable,
    check_url,
    course_class_ids,
    due_at_of,
    school_now,
)
from bbbms_app.services.errors import NotFound
from bbbms_app.services.school import class_name

MAX_LINKS = 40
RECENT_DAYS = 14


def _handins(session: Session, assignment_ids: list[int]) -> int:
    if not assignment_ids:
        return 0
    return session.exec(select(func.count()).where(col(Submission.assignment_id).in_(assignment_ids))).one()


def _live_assignments(session: Session, module_id: int) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment).where(Assignment.module_id == module_id, col(Assignment.deleted_at).is_(None))
        ).all()
    )


# ------------------------------------------------------------------------------------ modules


def edit_module(
    session: Session, principal: Principal, module_id: int, title: str, topic: str, today: date
) -> CourseModule:
    module = _module(session, module_id)
    _writable(session, principal, module.course_id, today)
    new_title, new_topic = _title(title), _limit(topic, TOPIC_MAX, "topic")
    for name, old, new in (("title", module.title, new_title), ("topic", module.topic, new_topic)):
        if old != new:
            audit.record(session, principal, "update", "course_module", module.id, field=name, old=old, new=new)
    module.title, module.topic = new_title, new_topic
    session.add(module)
    return module


def delete_module(session: Session, principal: Principal, module_id: int, today: date) -> None:
    """Soft-delete a module with its materials and assignments; refused while any of its
    assignments has a hand-in."""
    module = _module(session, module_id)
    _writable(session, principal, module.course_id, today)
    assignments = _live_assignments(session, module_id)
    if _handins(session, [a.id for a in assignments]):  # type: ignore[misc]
        raise CourseError("courses2.error.module_handins", field="module")
    now = school_now()
    module.deleted_at = now
    session.add(module)
    for a in assignments:
        a.deleted_at = now
        session.add(a)
    materials = session.exec(
        select(CourseMaterial).where(CourseMaterial.module_id == module_id, col(CourseMaterial.deleted_at).is_(None))
    ).all()
    for m in materials:
        m.deleted_at = now
        session.add(m)
    audit.record(
        session, principal, "delete", "course_module", module.id, old=module.title,
        reason=f"course {module.course_id}; {len(materials)} materials, {len(assignments)} assignments",
    )  # fmt: skip


# ------------------------------------------------------------------------------------ materials


def _material(session: Session, material_id: int) -> tuple[CourseMaterial, CourseModule]:
    material = session.get(CourseMaterial, material_id)
    if material is None or material.deleted_at is not None:
        raise NotFound(f"material {material_id}")
    return material, _module(session, material.module_id)


def edit_material(
    session: Session,
    principal: Principal,
    material_id: int,
    title: str,
    *,
    body: str = "",
    url: str = "",
    today: date,
) -> CourseMaterial:
    """A material's title, and its text (a text) or address and note (a link, a video); a file's
    title only (its file is replaced by deleting it and adding a new one)."""
    material, module = _material(session, material_id)
    _writable(session, principal, module.course_id, today)
    changes: dict[str, tuple[str, str]] = {"title": (material.title, _title(title))}
    if material.kind == "text":
        new_body = _limit(body, BODY_MAX, "body")
        if not new_body:
            raise CourseError("courses.error.body", field="body")
        changes["body"] = (material.body, new_body)
    elif material.kind in ("link", "video"):
        changes["url"] = (material.url, check_url(url))
        changes["body"] = (material.body, _limit(body, BODY_MAX, "body"))
    for name, (old, new) in changes.items():
        if old != new:
            audit.record(
                session, principal, "update", "course_material", material.id, field=name,
                old=old if name != "body" else f"{len(old)} chars", new=new if name != "body" else f"{len(new)} chars",
            )  # fmt: skip
            setattr(material, name, new)
    session.add(material)
    return material


# ------------------------------------------------------------------------------------ assignments


def edit_assignment(
    session: Session,
    principal: Principal,
    assignment_id: int,
    title: str,
    instructions: str,
    due_on: date | None,
    mark_kind: str,
    today: date,
) -> Assignment:
    """An assignment's title, instructions, due date and kind of mark. A new due date re-reads
    which hand-ins came late; the kind of mark is fixed once work is handed in."""
    assignment, module, _course = _assignment(session, assignment_id)
    _writable(session, principal, module.course_id, today)
    if due_on is None:
        raise CourseError("courses.error.due", field="due_on")
    if mark_kind not in ASSIGNMENT_MARK_KINDS:
        raise CourseError("courses.error.kind", field="mark_kind")
    new_title = _title(title)
    new_instructions = _limit(instructions, INSTRUCTIONS_MAX, "instructions")
    handins = _handins(session, [assignment_id])
    if mark_kind != assignment.mark_kind and handins:
        raise CourseError("courses2.error.kind_handins", field="mark_kind")
    due_at = due_at_of(due_on)
    old_due = _aware(assignment.due_at)
    for name, old, new in (
        ("title", assignment.title, new_title),
        ("instructions", assignment.instructions, new_instructions),
        ("due_at", old_due.isoformat(), due_at.isoformat()),
        ("mark_kind", assignment.mark_kind, mark_kind),
    ):
        if old != new:
            audit.record(session, principal, "update", "assignment", assignment.id, field=name, old=old, new=new)
    assignment.title, assignment.instructions, assignment.mark_kind = new_title, new_instructions, mark_kind
    assignment.due_at = due_at
    session.add(assignment)
    if handins and due_at != old_due:
        for sub in session.exec(select(Submission).where(Submission.assignment_id == assignment_id)).all():
            late = _aware(sub.submitted_at) > due_at
            if late != sub.late:
                audit.record(
                    session, principal, "update", "submission", sub.id, field="late", old=sub.late, new=late,
                    reason=f"assignment {assignment_id}: due date moved", pupil_id=sub.pupil_id,
                )  # fmt: skip
                sub.late = late
                session.add(sub)
    return assignment


def delete_assignment(session: Session, principal: Principal, assignment_id: int, today: date) -> None:
    """Soft-delete an assignment nobody has handed in yet."""
    assignment, module, _course = _assignment(session, assignment_id)
    _writable(session, principal, module.course_id, today)
    if _handins(session, [assignment_id]):
        raise CourseError("courses2.error.handins", field="assignment")
    assignment.deleted_at = school_now()
    session.add(assignment)
    audit.record(
        session, principal, "delete", "assignment", assignment.id, old=assignment.title, reason=f"module {module.id}"
    )


# ------------------------------------------------------------------------------------ lessons


def _lesson_query(session: Session, course: Course, today: date):  # type: ignore[no-untyped-def]
    return (
        select(Lesson)
        .where(
            col(Lesson.class_id).in_(course_class_ids(session, course.id)),  # type: ignore[arg-type]
            Lesson.subject_id == course.subject_id,
            col(Lesson.cancelled).is_(False),
        )
        .order_by(Lesson.date, Lesson.number, Lesson.class_id)
    )


def lesson_choices(session: Session, principal: Principal, module_id: int, today: date) -> list[dict[str, str]]:
    """The journal lessons a module may follow: the course's classes × its subject (the classes
    are of the course's school year, so are their lessons): from a fortnight ago on by date, then
    the older ones latest first; `linked` "1" for those it follows now."""
    module = _module(session, module_id)
    course = _writable(session, principal, module.course_id, today)
    linked = set(session.exec(select(ModuleLesson.lesson_id).where(ModuleLesson.module_id == module_id)).all())
    q = _lesson_query(session, course, today)
    names = {
        k.id: class_name(k.grade, k.letter)
        for k in session.exec(
            select(SchoolClass).where(col(SchoolClass.id).in_(course_class_ids(session, course.id)))  # type: ignore[arg-type]
        ).all()
    }
    multi = len(names) > 1
    lang = principal.language
    out = []
    lessons = list(session.exec(q).all())
    # Lessons of the last fortnight and ahead come first (what a teacher ties a module to), then the
    # older ones, latest first.
    recent = today - timedelta(days=RECENT_DAYS)
    lessons = [le for le in lessons if le.date >= recent] + [le for le in reversed(lessons) if le.date < recent]
    for le in lessons:
        label = f"{format_date(le.date, lang)} · {le.number}"
        if multi:
            label += f" · {names.get(le.class_id, '')}"
        if le.topic:
            label += f" · {le.topic}"
        out.append({"id": str(le.id), "name": label, "linked": "1" if le.id in linked else ""})
    return out


def link_lessons(session: Session, principal: Principal, module_id: int, lesson_ids: list[int], today: date) -> int:
    """Tie a module to exactly these lessons (each of the course's classes × its subject); returns
    how many. A lesson of another class or subject is refused, nothing written."""
    module = _module(session, module_id)
    course = _writable(session, principal, module.course_id, today)
    wanted = sorted(set(lesson_ids))
    if len(wanted) > MAX_LINKS:
        raise CourseError("courses2.error.too_many_lessons", field="lessons", n=MAX_LINKS)
    if wanted:
        ok = {le.id for le in session.exec(_lesson_query(session, course, today).where(col(Lesson.id).in_(wanted)))}
        if len(ok) != len(wanted):
            raise CourseError("courses.error.lesson", field="lessons")
    current = {
        row.lesson_id: row for row in session.exec(select(ModuleLesson).where(ModuleLesson.module_id == module_id))
    }
    for lesson_id, row in current.items():
        if lesson_id not in wanted:
            session.delete(row)
    for lesson_id in wanted:
        if lesson_id not in current:
            session.add(ModuleLesson(module_id=module_id, lesson_id=lesson_id))
    if set(current) != set(wanted):
        audit.record(
            session, principal, "update", "course_module", module.id, field="lessons",
            old=",".join(str(i) for i in sorted(current)), new=",".join(str(i) for i in wanted),
        )  # fmt: skip
    return len(wanted)


def linked_lessons_text(session: Session, module_ids: list[int], lang: str) -> dict[int, str]:
    """The lessons each module follows, as a short text for its teacher («12.01, 14.01 · 2 lessons»)."""
    if not module_ids:
        return {}
    rows = session.exec(
        select(ModuleLesson.module_id, Lesson.date)
        .join(Lesson, col(Lesson.id) == ModuleLesson.lesson_id)
        .where(col(ModuleLesson.module_id).in_(module_ids))
        .order_by(Lesson.date)
    ).all()
    out: dict[int, list[str]] = {}
    for module_id, day in rows:
        out.setdefault(module_id, []).append(format_date(day, lang))
    return {k: ", ".join(v) for k, v in out.items()}


def course_links(session: Session, lesson_ids: list[int], today: date) -> dict[int, str]:
    """For the diary: lesson id → «/courses?course=<id>» where a published module (publish date
    reached, not deleted, of a live course) follows that lesson."""
    if not lesson_ids:
        return {}
    rows = session.exec(
        select(ModuleLesson.lesson_id, Course.id)
        .join(CourseModule, col(CourseModule.id) == ModuleLesson.module_id)
        .join(Course, col(Course.id) == CourseModule.course_id)
        .where(
            col(ModuleLesson.lesson_id).in_(lesson_ids),
            col(CourseModule.deleted_at).is_(None),
            col(CourseModule.publish_on).is_not(None),
            col(CourseModule.publish_on) <= today,
            col(Course.deleted_at).is_(None),
        )
        .order_by(ModuleLesson.lesson_id, Course.id)
    ).all()
    out: dict[int, str] = {}
    for lesson_id, course_id in rows:
        out.setdefault(lesson_id, f"/courses?course={course_id}")
    return out


def edit_values(session: Session, principal: Principal, kind: str, item_id: int, today: date) -> dict[str, str]:
    """What the teacher's edit form starts from (his course only): title, topic, body, url,
    instructions, due (ISO), mark kind and, for a material, its kind."""
    out = {"title": "", "topic": "", "body": "", "url": "", "instructions": "", "due": "", "mark_kind": "", "kind": ""}
    if kind == "module":
        module = _module(session, item_id)
        _writable(session, principal, module.course_id, today)
        out.update(title=module.title, topic=module.topic)
    elif kind == "material":
        material, module = _material(session, item_id)
        _writable(session, principal, module.course_id, today)
        out.update(title=material.title, body=material.body, url=material.url, kind=material.kind)
    elif kind == "assignment":
        assignment, module, _course = _assignment(session, item_id)
        _writable(session, principal, module.course_id, today)
        out.update(
            title=assignment.title,
            instructions=assignment.instructions,
            due=courses_local_date(assignment).isoformat(),
            mark_kind=assignment.mark_kind,
        )
    else:
        raise NotFound(f"{kind} {item_id}")
    return out


def courses_local_date(assignment: Assignment) -> date:
    """The school day an assignment is due (its due time is the end of that day)."""
    return _local(assignment.due_at).date()


# ------------------------------------------------------------------------------------ taking a delete back

RESTORE_KINDS = ("module", "material", "assignment")


def deleted_items(session: Session, principal: Principal, course_id: int, today: date) -> list[dict[str, str]]:
    """What was deleted from his course and may come back, latest first: modules (their materials and
    assignments deleted with them come back with them), and materials and assignments deleted from a
    module that is still there. Rows: kind, id, title, module (the module's title), when."""
    course = _writable(session, principal, course_id, today)
    modules = session.exec(select(CourseModule).where(CourseModule.course_id == course.id)).all()
    live = {m.id: m.title for m in modules if m.deleted_at is None}
    found = [("module", m.id, m.title, "", m.deleted_at) for m in modules if m.deleted_at is not None]
    if live:
        found += [
            ("material", x.id, x.title, live[x.module_id], x.deleted_at)
            for x in session.exec(
                select(CourseMaterial).where(
                    col(CourseMaterial.module_id).in_(list(live)), col(CourseMaterial.deleted_at).is_not(None)
                )
            ).all()
        ]
        found += [
            ("assignment", x.id, x.title, live[x.module_id], x.deleted_at)
            for x in session.exec(
                select(Assignment).where(
                    col(Assignment.module_id).in_(list(live)), col(Assignment.deleted_at).is_not(None)
                )
            ).all()
        ]
    found.sort(key=lambda row: (_aware(row[4]), row[1]), reverse=True)  # type: ignore[arg-type]
    lang = principal.language
    return [
        {
            "kind": kind,
            "id": str(item_id),
            "title": title,
            "module": module,
            "when": format_datetime(_local(when), lang),  # type: ignore[arg-type]
        }
        for kind, item_id, title, module, when in found
    ]


def _deleted(session: Session, model: type, item_id: int) -> object:
    row = session.get(model, item_id)
    if row is None or row.deleted_at is None:
        raise NotFound(f"deleted {model.__name__.lower()} {item_id}")
    return row


def restore_item(session: Session, principal: Principal, kind: str, item_id: int, today: date) -> None:
    """Bring back a deleted module (with the materials and assignments deleted with it, at the same
    moment), material or assignment of his course; audited «restore». A material or an assignment of a
    module still deleted is not found: its module comes back first, bringing it."""
    if kind == "module":
        module = _deleted(session, CourseModule, item_id)
        _writable(session, principal, module.course_id, today)  # type: ignore[attr-defined]
        when = _aware(module.deleted_at)  # type: ignore[attr-defined]
        together = 0
        for model in (CourseMaterial, Assignment):
            for row in session.exec(
                select(model).where(model.module_id == item_id, col(model.deleted_at).is_not(None))  # type: ignore[attr-defined]
            ).all():
                if _aware(row.deleted_at) == when:
                    row.deleted_at = None
                    session.add(row)
                    together += 1
        module.deleted_at = None  # type: ignore[attr-defined]
        session.add(module)
        audit.record(session, principal, "restore", "course_module", item_id, new=module.title,  # type: ignore[attr-defined]
                     reason=f"course {module.course_id}; {together} items with it")  # type: ignore[attr-defined]  # fmt: skip
        return
    if kind == "material":
        row = _deleted(session, CourseMaterial, item_id)
        entity = "course_material"
    elif kind == "assignment":
        row = _deleted(session, Assignment, item_id)
        entity = "assignment"
    else:
        raise NotFound(f"{kind} {item_id}")
    module = _module(session, row.module_id)  # type: ignore[attr-defined]
    _writable(session, principal, module.course_id, today)
    row.deleted_at = None  # type: ignore[attr-defined]
    session.add(row)
    audit.record(session, principal, "restore", entity, item_id, new=row.title, reason=f"module {module.id}")  # type: ignore[attr-defined]
