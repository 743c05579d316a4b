"""Project work (issue 18 #5): a supervisor's project, its members, tasks and milestones, its
thread of posts with shared files, and the assessment at the end.

Who: a teacher (or any member of staff with `project.write`) creates a project and is its
supervisor; its members are pupils he reaches (his classes, or any class for the director and a
deputy), from one class or several. The supervisor and the members read the project, post to its
thread (append-only: text and a file of kind «projects»), and tick tasks; the supervisor adds tasks
and milestones. The director and a deputy read every project of the school. Anyone else: NotFound.

The assessment (once): for each member a verified «project» entry in his portfolio (verified by the
supervisor's assessment), and, where the project's subject counts it, the supervisor's mark on a
lesson he picks — through `services.journal.set_mark(..., reason="project <id>")`, the grid's own
save path (his scope, the closed term, the scale, the audit); only for members of that lesson's
class. One mark, one place: the project keeps no copy of the mark. All or nothing.

A parent (`project.read`) reads the projects his child is a member of — the card, tasks, thread
and files — and takes no part; another child's project answers NotFound. A member, or his parent,
who may write to the supervisor (services.messages) gets a link to a new message to him.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bbbms_app.models import Attendance, Enrollment, Lesson, Pupil, SchoolClass, Staff, Subject, Term, User
from bbbms_app.models._base import utcnow
from bbbms_app.models.accounts import UI_LANGUAGES
from bbbms_app.models.journal import MARK_KINDS
from bbbms_app.models.portfolio import Achievement, Project, ProjectMember, ProjectPost, ProjectTask
from bbbms_app.services import audit, messages, private_files
from bbbms_app.services.access import (
    Principal,
    can_reach_pupil,
    can_teach,
    visible_class_ids,
    visible_pupil_ids_own,
)
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.journal import ABSENT_CODES, JournalError, set_mark
from bbbms_app.services.portfolio import LEADERS, ddmmyyyy, pupil_options
from bbbms_app.services.school import class_name, full_name, localized_name
from bbbms_app.services.school_events import school_zone

TITLE_MAX = 200
GOAL_MAX = 2000
TEXT_MAX = 4000
FILE_MAX = 10 * 1024 * 1024
FILE_ROUTE = "/private/project-file"


@dataclass(frozen=True)
class ProjectDraft:
    title: str
    goal: str
    starts_on: date | None
    ends_on: date | None
    subject_id: int | None = None
    member_ids: tuple[int, ...] = field(default_factory=tuple)


def _wall_clock(at: datetime | None) -> str:
    """A stored UTC time on the school's wall clock, dd.mm.yyyy hh:mm."""
    if at is None:
        return ""
    if at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=UTC)
    return at.astimezone(school_zone()).strftime("%d.%m.%Y %H:%M")


def _staff_name(session: Session, staff_id: int) -> str:
    st = session.get(Staff, staff_id)
    return full_name(st) if st is not None else ""


def create(session: Session, principal: Principal, draft: ProjectDraft) -> Project:
    """A new project supervised by the principal, with its members (pupils he reaches)."""
    if principal.staff_id is None or principal.school_id is None or not principal.can("project.write"):
        raise OutOfScope("project.write: a member of staff supervises a project")
    title = draft.title.strip()
    if not title:
        raise Refused("projects.error.title", field="title")
    if draft.starts_on is None or draft.ends_on is None:
        raise Refused("projects.error.dates", field="ends_on")
    if draft.ends_on < draft.starts_on:
        raise Refused("projects.error.dates", field="ends_on")
    if draft.subject_id is not None:
        subject = session.get(Subject, draft.subject_id)
        if subject is None or subject.school_id != principal.school_id:
            raise NotFound(f"subject {draft.subject_id}")
    if not draft.member_ids:
        raise Refused("projects.error.members", field="members")
    project = Project(
        school_id=principal.school_id,
        supervisor_id=principal.staff_id,
        supervisor_name=_staff_name(session, principal.staff_id) or principal.full_name,
        title=title[:TITLE_MAX],
        goal=draft.goal.strip()[:GOAL_MAX],
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        subject_id=draft.subject_id,
    )
    session.add(project)
    session.flush()
    for pupil_id in sorted(set(draft.member_ids)):
        _add_member(session, principal, project, pupil_id)
    audit.record(session, principal, "create", "project", project.id, new=project.title)
    return project


def _add_member(session: Session, principal: Principal, project: Project, pupil_id: int) -> None:
    if not can_reach_pupil(session, principal, pupil_id, project.school_id):
        raise NotFound(f"pupil {pupil_id}")
    session.add(ProjectMember(project_id=project.id, pupil_id=pupil_id))  # type: ignore[arg-type]
    audit.record(session, principal, "create", "project_member", project.id, new=pupil_id, pupil_id=pupil_id)


def _is_member(session: Session, principal: Principal, project_id: int) -> bool:
    if principal.role != "pupil" or principal.pupil_id is None:
        return False
    hit = session.exec(
        select(ProjectMember.id).where(
            ProjectMember.project_id == project_id, ProjectMember.pupil_id == principal.pupil_id
        )
    ).first()
    return hit is not None


def _child_is_member(session: Session, principal: Principal, project_id: int) -> bool:
    """A parent whose child is a member of the project."""
    if principal.role != "parent" or not principal.can("project.read"):
        return False
    children = visible_pupil_ids_own(session, principal)
    if not children:
        return False
    hit = session.exec(
        select(ProjectMember.id).where(
            ProjectMember.project_id == project_id, col(ProjectMember.pupil_id).in_(children)
        )
    ).first()
    return hit is not None


def _supervises(principal: Principal, project: Project) -> bool:
    return principal.staff_id is not None and project.supervisor_id == principal.staff_id


def readable(session: Session, principal: Principal, project_id: int) -> Project:
    """A project the principal may read (supervisor, member, or a leader of its school)."""
    project = session.get(Project, project_id)
    if project is None or (principal.school_id is not None and project.school_id != principal.school_id):
        raise NotFound(f"project {project_id}")
    if _supervises(principal, project) or _is_member(session, principal, project.id):  # type: ignore[arg-type]
        return project
    if principal.role in LEADERS:
        return project
    if _child_is_member(session, principal, project.id):  # type: ignore[arg-type]
        return project
    raise NotFound(f"project {project_id}")


def _taking_part(session: Session, principal: Principal, project_id: int) -> Project:
    """A project the principal takes part in (supervisor or member): he posts and ticks tasks."""
    project = readable(session, principal, project_id)
    if not (_supervises(principal, project) or _is_member(session, principal, project_id)):
        raise OutOfScope(f"project {project_id}: not a member")
    return project


def _supervised(session: Session, principal: Principal, project_id: int) -> Project:
    project = readable(session, principal, project_id)
    if not _supervises(principal, project) or not principal.can("project.write"):
        raise OutOfScope(f"project {project_id}: not its supervisor")
    return project


def listing(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The projects the principal supervises or is a member of; every project of the school for leaders."""
    if principal.school_id is None:
        return []
    q = select(Project).where(Project.school_id == principal.school_id)
    if principal.role == "parent":
        children = visible_pupil_ids_own(session, principal) if principal.can("project.read") else []
        q = q.where(
            col(Project.id).in_(select(ProjectMember.project_id).where(col(ProjectMember.pupil_id).in_(children)))
        )
    elif principal.role not in LEADERS:
        mine = select(ProjectMember.project_id).where(ProjectMember.pupil_id == (principal.pupil_id or -1))
        q = q.where(
            (Project.supervisor_id == (principal.staff_id or -1)) | col(Project.id).in_(mine)  # type: ignore[operator]
        )
    rows = session.exec(q.order_by(col(Project.starts_on).desc(), col(Project.id).desc())).all()
    return [
        {
            "id": str(p.id),
            "title": p.title,
            "dates": f"{ddmmyyyy(p.starts_on)} — {ddmmyyyy(p.ends_on)}",
            "supervisor": p.supervisor_name,
            "assessed": "1" if p.assessed_at else "",
        }
        for p in rows
    ]


def detail(session: Session, principal: Principal, project_id: int, lang: str) -> dict:
    """One project as display rows: its card, members, tasks, thread, and what the principal may do."""
    project = readable(session, principal, project_id)
    members = session.exec(
        select(Pupil)
        .join(ProjectMember, col(ProjectMember.pupil_id) == Pupil.id)
        .where(ProjectMember.project_id == project_id)
        .order_by(Pupil.sort_key)
    ).all()
    names = {m.id: full_name(m) for m in members}
    tasks = session.exec(
        select(ProjectTask)
        .where(ProjectTask.project_id == project_id)
        .order_by(col(ProjectTask.due_on).is_(None), col(ProjectTask.due_on), col(ProjectTask.id))
    ).all()
    posts = session.exec(
        select(ProjectPost).where(ProjectPost.project_id == project_id).order_by(col(ProjectPost.id))
    ).all()
    subject = session.get(Subject, project.subject_id) if project.subject_id else None
    supervises = _supervises(principal, project)
    return {
        "card": {
            "id": str(project.id),
            "title": project.title,
            "goal": project.goal,
            "dates": f"{ddmmyyyy(project.starts_on)} — {ddmmyyyy(project.ends_on)}",
            "supervisor": project.supervisor_name,
            "subject": localized_name(subject, lang) if subject else "",
            "assessed": "1" if project.assessed_at else "",
            "assessment": project.assessment,
            # The supervisor's account to write to (/messages?to=u<id>), when the reader may.
            "write_to": _write_to(session, principal, project),
        },
        "members": [{"id": str(m.id), "name": names[m.id]} for m in members],
        "tasks": [
            {
                "id": str(task.id),
                "title": task.title,
                "owner": names.get(task.owner_pupil_id, "") if task.owner_pupil_id else "",
                "due": ddmmyyyy(task.due_on),
                "milestone": "1" if task.milestone else "",
                "done": "1" if task.done_at else "",
            }
            for task in tasks
        ],
        "posts": [
            {
                "id": str(post.id),
                "author": post.author_name,
                "at": _wall_clock(post.created_at),
                "text": post.text,
                "file": f"{FILE_ROUTE}/{post.id}" if post.file_name else "",
                "file_title": post.file_title,
            }
            for post in posts
        ],
        "supervises": supervises,
        "takes_part": supervises or _is_member(session, principal, project_id),
    }


def _write_to(session: Session, principal: Principal, project: Project) -> str:
    if _supervises(principal, project):
        return ""
    user_id = session.exec(
        select(User.id).where(
            User.staff_id == project.supervisor_id, User.school_id == project.school_id, col(User.is_active).is_(True)
        )
    ).first()
    if user_id is None or not messages.may_write_to(session, principal, user_id, date.today()):
        return ""
    return str(user_id)


def post(
    session: Session,
    principal: Principal,
    project_id: int,
    text: str,
    file: bytes | None = None,
    file_title: str = "",
) -> ProjectPost:
    """A post to the project's thread by its supervisor or a member: text and/or a shared file."""
    project = _taking_part(session, principal, project_id)
    text = text.strip()[:TEXT_MAX]
    if not text and not file:
        raise Refused("projects.error.empty_post", field="text")
    row = ProjectPost(
        project_id=project_id,
        author_id=principal.user_id,
        author_name=principal.full_name or principal.username,
        text=text,
    )
    if file:
        stored = private_files.store("projects", project.school_id, file, max_bytes=FILE_MAX, office=True)
        row.file_name, row.file_sha256, row.file_type = stored.name, stored.sha256, stored.content_type
        row.file_title = (file_title.strip() or f"file.{stored.name.rsplit('.', 1)[-1]}")[:200]
    session.add(row)
    session.flush()
    audit.record(
        session, principal, "create", "project_post", row.id, field=f"project:{project_id}", new=row.file_title
    )
    return row


def file_for(session: Session, principal: Principal, post_id: int) -> tuple[bytes, ProjectPost]:
    """A shared file of a project the principal may read; its opening is audited."""
    row = session.get(ProjectPost, post_id)
    if row is None or not row.file_name:
        raise NotFound(f"project post {post_id}")
    readable(session, principal, row.project_id)
    data = private_files.read_verified("projects", row.file_name, row.file_sha256)
    if data is None:
        raise NotFound(f"project post {post_id}: file missing or altered")
    audit.record(session, principal, "view", "project_post", row.id, field="file")
    return data, row


def add_task(
    session: Session,
    principal: Principal,
    project_id: int,
    title: str,
    owner_pupil_id: int | None,
    due_on: date | None,
    milestone: bool = False,
) -> ProjectTask:
    """The supervisor adds a task (its owner a member) or a milestone."""
    project = _supervised(session, principal, project_id)
    if project.assessed_at is not None:
        raise Refused("projects.error.assessed")
    title = title.strip()
    if not title:
        raise Refused("projects.error.title", field="task")
    if owner_pupil_id is not None and owner_pupil_id not in _member_ids(session, project_id):
        raise NotFound(f"pupil {owner_pupil_id}")
    task = ProjectTask(
        project_id=project_id,
        title=title[:TITLE_MAX],
        owner_pupil_id=owner_pupil_id,
        due_on=due_on,
        milestone=milestone,
    )
    session.add(task)
    session.flush()
    audit.record(session, principal, "create", "project_task", task.id, field=f"project:{project_id}", new=task.title)
    return task


def set_done(session: Session, principal: Principal, task_id: int, done: bool) -> ProjectTask:
    """The supervisor or a member ticks (or unticks) a task."""
    task = session.get(ProjectTask, task_id)
    if task is None:
        raise NotFound(f"project task {task_id}")
    _taking_part(session, principal, task.project_id)
    old = bool(task.done_at)
    task.done_at = utcnow() if done else None
    session.add(task)
    audit.record(session, principal, "update", "project_task", task.id, field="done", old=old, new=done)
    return task


def _member_ids(session: Session, project_id: int) -> list[int]:
    return list(session.exec(select(ProjectMember.pupil_id).where(ProjectMember.project_id == project_id)).all())


def lesson_options(session: Session, principal: Principal, project_id: int, today: date) -> list[dict[str, str]]:
    """Lessons the supervisor may put the project's mark on: of its subject, in a class of a member
    that he teaches, held (not cancelled), up to today, in a term not closed; the latest first.
    `absent` names the members marked absent at the lesson (the journal refuses them a mark there),
    so the page can say so and pick a lesson where everyone was present."""
    project = _supervised(session, principal, project_id)
    if project.subject_id is None:
        return []
    members = _member_ids(session, project_id)
    class_ids = set(
        session.exec(select(Enrollment.class_id).where(col(Enrollment.pupil_id).in_(members or [-1]))).all()
    )
    taught = [c for c in class_ids if can_teach(session, principal, c, project.subject_id)]
    if not taught:
        return []
    rows = session.exec(
        select(Lesson, SchoolClass)
        .join(SchoolClass, col(SchoolClass.id) == Lesson.class_id)
        .join(Term, col(Term.id) == Lesson.term_id)
        .where(
            col(Lesson.class_id).in_(taught),
            Lesson.subject_id == project.subject_id,
            col(Lesson.date) <= today,
            col(Lesson.cancelled).is_(False),
            col(Term.closed_at).is_(None),
        )
        .order_by(col(Lesson.date).desc(), col(Lesson.number).desc())
        .limit(30)
    ).all()
    absent: dict[int, list[str]] = {}
    if rows:
        marked = session.exec(
            select(Attendance.lesson_id, Pupil)
            .join(Pupil, col(Pupil.id) == Attendance.pupil_id)
            .where(
                col(Attendance.lesson_id).in_([lesson.id for lesson, _ in rows]),
                col(Attendance.pupil_id).in_(members),
                col(Attendance.code).in_(ABSENT_CODES),
            )
            .order_by(Pupil.sort_key)
        ).all()
        for lesson_id, pupil in marked:
            absent.setdefault(lesson_id, []).append(full_name(pupil))
    return [
        {
            "id": str(lesson.id),
            "name": f"{class_name(k.grade, k.letter)} · {ddmmyyyy(lesson.date)} · №{lesson.number}",
            "absent": ", ".join(absent.get(lesson.id, [])),  # type: ignore[arg-type]
        }
        for lesson, k in rows
    ]


def assess(
    session: Session,
    principal: Principal,
    project_id: int,
    comment: str,
    marks: dict[int, int],
    lesson_id: int | None = None,
    kind: str = "class",
) -> int:
    """The supervisor's assessment: a verified «project» entry in each member's portfolio and the
    marks (pupil → value) on the picked lesson through the journal's save path. Returns the number
    of marks written. Once only; all or nothing (the caller's one transaction)."""
    project = _supervised(session, principal, project_id)
    if project.assessed_at is not None:
        raise Refused("projects.error.assessed")
    members = _member_ids(session, project_id)
    if kind not in MARK_KINDS:
        raise Refused("projects.error.kind", field="kind")
    if marks:
        if lesson_id is None:
            raise Refused("projects.error.lesson", field="lesson")
        lesson = session.get(Lesson, lesson_id)
        if lesson is None or lesson.school_id != project.school_id:
            raise NotFound(f"lesson {lesson_id}")
        if project.subject_id is None or lesson.subject_id != project.subject_id:
            raise Refused("projects.error.subject", field="lesson")
        for pupil_id in marks:
            if pupil_id not in members:
                raise NotFound(f"pupil {pupil_id}")
    comment = comment.strip()[:GOAL_MAX]
    now = utcnow()
    written = 0
    for pupil_id, value in sorted(marks.items()):
        try:
            set_mark(session, principal, lesson_id, pupil_id, kind, value, reason=f"project {project_id}")  # type: ignore[arg-type]
        except JournalError as refused:
            # The journal's reason alone («the pupil was absent») does not say which member: name him.
            pupil = session.get(Pupil, pupil_id)
            raise Refused(
                "projects.error.mark",
                field="lesson",
                pupil=full_name(pupil) if pupil else str(pupil_id),
                reason={lang: refused.message(lang) for lang in UI_LANGUAGES},
            ) from refused
        written += 1
    for pupil_id in members:
        pupil = session.get(Pupil, pupil_id)
        entry = Achievement(
            school_id=project.school_id,
            pupil_id=pupil_id,
            kind="project",
            level="school",
            achieved_on=project.ends_on if project.ends_on <= now.date() else now.date(),
            title=project.title,
            description=comment,
            status="verified",
            created_by=principal.user_id,
            submitted_at=now,
            reviewed_by=principal.user_id,
            reviewer_name=project.supervisor_name,
            reviewed_at=now,
            project_id=project_id,
        )
        session.add(entry)
        session.flush()
        audit.record(
            session, principal, "create", "achievement", entry.id, new=entry.title, reason=f"project {project_id}",
            pupil_id=pupil.id if pupil else pupil_id,
        )  # fmt: skip
    project.assessed_at, project.assessment = now, comment
    session.add(project)
    audit.record(
        session, principal, "update", "project", project.id, field="assessed", new=comment, reason=f"{written} marks"
    )
    return written


def member_options(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """Pupils a supervisor may take as members: those of the classes he teaches or leads (all for leaders)."""
    if principal.role in LEADERS:
        return pupil_options(session, principal, today)
    classes = visible_class_ids(session, principal) or []
    if not classes:
        return []
    rows = session.exec(
        select(Pupil, SchoolClass)
        .join(Enrollment, col(Enrollment.pupil_id) == Pupil.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .where(
            col(Enrollment.class_id).in_(classes),
            col(Enrollment.starts_on) <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
        .order_by(SchoolClass.grade, SchoolClass.letter, Pupil.sort_key)
    ).all()
    return [{"id": str(p.id), "name": f"{full_name(p)} · {class_name(k.grade, k.letter)}"} for p, k in rows]


def subject_options(session: Session, principal: Principal, lang: str) -> list[dict[str, str]]:
    """The subjects of the school (the subject whose journal may count the project)."""
    if principal.school_id is None:
        return []
    rows = session.exec(
        select(Subject)
        .where(Subject.school_id == principal.school_id, col(Subject.deleted_at).is_(None))
        .order_by(Subject.code)
    ).all()
    return [{"id": str(s.id), "name": localized_name(s, lang)} for s in rows]
