"""Who may do what: the Principal of an event, the default role × permission matrix, data scopes.

Every Reflex handler and API route declares one permission from PERMISSIONS; the check here is
the one place the matrix is read. Data scopes narrow what a permitted role reaches: a teacher only
his classes × subjects, a class teacher his class, a parent his children, a pupil himself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.models import Enrollment, PupilGuardian, SchoolClass, TeachingAssignment

# Every permission a handler may declare, with what it allows.
PERMISSIONS: dict[str, str] = {
    "public": "no sign-in needed (sign-in page, language of the sign-in page)",
    "signed_in": "any signed-in user: own profile, language, password, home page",
    "school.read": "see the school's summary figures",
    "pupil.read": "list and open pupils in scope",
    "pupil.write": "create and edit pupils",
    "guardian.read": "see guardians of pupils in scope",
    "guardian.write": "create and edit guardians",
    "class.read": "list classes",
    "class.write": "create and edit classes",
    "school.write": "edit the school card, academic years, terms and grading policies",
    "subject.write": "edit subjects and teaching assignments",
    "subgroup.write": "split a class into subgroups for a subject (the class teacher: his class)",
    "staff.read": "list staff",
    "staff.write": "create and edit staff",
    "user.read": "list user accounts",
    "user.write": "create, disable and reset user accounts",
    "journal.read": "read class journals in scope",
    "journal.write": "enter marks, attendance, topics and homework in scope",
    "journal.correct": "correct a closed term's journal with a reason",
    "term.close": "close and reopen terms",
    "timetable.read": "read the weekly timetable of one's own lessons, classes and school",
    "timetable.write": "edit the timetable",
    "report.read": "read summary reports",
    "report.teacher": "teacher reports: a teacher his own lessons and marks, the director and deputy every teacher",
    "movement.read": "read the pupil movement book",
    "movement.write": "record arrivals and departures with orders",
    "audit.read": "read the audit log",
    "rights.read": "see the role × permission matrix",
    "rights.write": "edit the role × permission matrix",
    "own.read": "a pupil's or parent's own records: marks, attendance, homework",
    "export.personal": "bulk export of personal data",
    "consent.read": "see consent records and their scans for people in scope",
    "consent.write": "record and withdraw consents; save personal fields they cover",
    "backup.read": "see the backups list (size, age, checks) and the warning when the last good one is old",
    "backup.run": "make a backup now (the backups screen's button; the job queue does it)",
    "announcement.write": "write announcements: the director and deputy to the school, a class teacher to his class",
    "quiz.write": "tests: a subject's question bank, tests for one's classes, reviewing and confirming marks",
    "quiz.take": "take the tests given to one's class (a pupil)",
    "event.write": "put events in the school calendar: the director and deputy for the school, a class teacher for his",
    "document.read": "read the register of internal documents addressed to one, acknowledge them",
    "document.write": "register documents as drafts and add new versions of one's own",
    "document.approve": "approve (number) and cancel documents of the register",
    "course.read": "read every course of the school (pupils and parents read their classes' through own.read)",
    "course.write": "build one's own courses (modules, materials, assignments) and mark hand-ins into the journal",
    "portfolio.read": "read portfolios: a pupil his own, a parent his child's, a class teacher his class's",
    "portfolio.write": "a pupil adds and submits his own portfolio entries",
    "portfolio.share": "a pupil or parent switches the portfolio's public link on and off",
    "portfolio.verify": "verify or reject portfolio entries (a class teacher his class's); the school's list",
    "project.read": "see one's projects (supervisor, member), a parent his child's, or, for leaders, the school's",
    "project.post": "post to a project's thread, share files, tick tasks (members and supervisor)",
    "project.write": "create and run projects as supervisor, and assess them",
    "message.write": "write messages to whom the scope allows (pupils only when the director gives it to them)",
    "api.manage": "register and revoke the integration API's clients (the director)",
    "district.schools": "a district account (a director of no school): list the schools, add one with its director",
}
# Rights of the district's own accounts only (role director, no school: services.district); no
# school's role holds them, and the matrix cannot give them (services.rights.locked).
DISTRICT_ONLY = frozenset({"district.schools"})
DISTRICT_ROLE = "director"
# Rights only a family (parent, pupil) may hold, and staff rights a family may hold too (their
# scope is the services': a pupil's own portfolio, the projects he is a member of).
FAMILY_ONLY = frozenset({"own.read", "quiz.take", "portfolio.write", "portfolio.share"})
FAMILY_ALSO = frozenset({"portfolio.read", "project.read", "project.post", "message.write"})
_PROJECTS = {"project.read", "project.post", "project.write"}
_DOCUMENTS = {"document.read", "document.write"}

_TEACHING = {
    "quiz.write",
    "school.read",
    "pupil.read",
    "class.read",
    "staff.read",
    "journal.read",
    "journal.write",
    "timetable.read",
    "report.teacher",
    *_DOCUMENTS,
    "course.write",
    *_PROJECTS,
    "message.write",
}
_LEADERSHIP = {
    "school.read",
    "pupil.read",
    "guardian.read",
    "class.read",
    "class.write",
    "subject.write",
    "subgroup.write",
    "staff.read",
    "journal.read",
    "journal.correct",
    "term.close",
    "timetable.read",
    "timetable.write",
    "report.read",
    "report.teacher",
    "movement.read",
    "movement.write",
    "audit.read",
    "rights.read",
    "consent.read",
    "announcement.write",
    "event.write",
    *_DOCUMENTS,
    "course.read",
    "portfolio.read",
    "portfolio.verify",
    *_PROJECTS,
    "quiz.write",
    "message.write",
}

DEFAULT_MATRIX: dict[str, frozenset[str]] = {
    "administrator": frozenset(
        {
            "school.read",
            "staff.read",
            "class.read",
            "user.read",
            "user.write",
            "rights.read",
            "backup.read",
            "backup.run",
            "document.read",
        }
    ),
    "director": frozenset(set(PERMISSIONS) - {"public", "signed_in"} - FAMILY_ONLY - DISTRICT_ONLY),
    "deputy": frozenset(_LEADERSHIP),
    "teacher": frozenset(_TEACHING),
    "class_teacher": frozenset(
        _TEACHING
        | {"guardian.read", "report.read", "consent.read", "subgroup.write", "announcement.write", "event.write"}
        | {"portfolio.read", "portfolio.verify"}
    ),
    "clerk": frozenset(
        {
            "school.read",
            "pupil.read",
            "pupil.write",
            "guardian.read",
            "guardian.write",
            "class.read",
            "staff.read",
            "movement.read",
            "movement.write",
            "timetable.read",
            "export.personal",
            "consent.read",
            "consent.write",
            *_DOCUMENTS,
            "message.write",
        }
    ),
    # project.read: a parent reads the projects his child is a member of (services.projects scopes it)
    "parent": frozenset({"own.read", "portfolio.read", "portfolio.share", "message.write", "project.read"}),
    # quiz.take: a pupil takes his class's tests; message.write only when the director gives it to pupils
    "pupil": frozenset(FAMILY_ONLY | FAMILY_ALSO - {"message.write"}),
}

SCHOOL_WIDE_ROLES = frozenset({"administrator", "director", "deputy", "clerk"})


@dataclass(frozen=True)
class Principal:
    """The signed-in user an event runs for, resolved from the database at every event."""

    user_id: int
    username: str
    role: str
    school_id: int | None
    full_name: str = ""
    language: str = "ky"
    staff_id: int | None = None
    pupil_id: int | None = None
    guardian_id: int | None = None
    session_id: int | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    # A password someone else chose (credential slip, reset): nothing but setting his own until then.
    must_change_password: bool = False

    @property
    def is_district(self) -> bool:
        """A district account: the top role with no school of its own (it serves every school)."""
        return self.school_id is None and self.role == DISTRICT_ROLE

    def can(self, permission: str) -> bool:
        if permission in ("public", "signed_in"):
            return True
        return permission in self.permissions and not self.must_change_password


def permissions_for(role: str) -> frozenset[str]:
    """The permissions of `role` under the default matrix."""
    return DEFAULT_MATRIX.get(role, frozenset())


def visible_class_ids(session: Session, principal: Principal, on: date | None = None) -> list[int] | None:
    """Class ids the principal reaches; None means every class of his school."""
    if principal.role in SCHOOL_WIDE_ROLES:
        return None
    ids: set[int] = set()
    if principal.staff_id is not None:
        ids.update(
            session.exec(
                select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == principal.staff_id)
            ).all()
        )
        ids.update(session.exec(select(SchoolClass.id).where(SchoolClass.class_teacher_id == principal.staff_id)).all())
    if principal.role in ("parent", "pupil"):
        pupils = visible_pupil_ids_own(session, principal)
        if pupils:
            q = select(Enrollment.class_id).where(Enrollment.pupil_id.in_(pupils))  # type: ignore[union-attr]
            if on is not None:
                q = q.where(Enrollment.starts_on <= on, or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= on))  # type: ignore[union-attr]
            ids.update(session.exec(q).all())
    return sorted(ids)


def visible_pupil_ids_own(session: Session, principal: Principal) -> list[int]:
    """The pupils a parent or pupil may read: his children, or himself."""
    if principal.role == "pupil":
        return [principal.pupil_id] if principal.pupil_id is not None else []
    if principal.role == "parent" and principal.guardian_id is not None:
        return list(
            session.exec(select(PupilGuardian.pupil_id).where(PupilGuardian.guardian_id == principal.guardian_id)).all()
        )
    return []


def can_reach_pupil(session: Session, principal: Principal, pupil_id: int, school_id: int) -> bool:
    """Whether the principal's data scope includes this pupil."""
    if principal.school_id is not None and principal.school_id != school_id:
        return False
    if principal.role in SCHOOL_WIDE_ROLES:
        return True
    if principal.role in ("parent", "pupil"):
        return pupil_id in visible_pupil_ids_own(session, principal)
    classes = visible_class_ids(session, principal) or []
    if not classes:
        return False
    hit = session.exec(
        select(Enrollment.id).where(Enrollment.pupil_id == pupil_id, Enrollment.class_id.in_(classes)).limit(1)  # type: ignore[union-attr]
    ).first()
    return hit is not None


def _class_school(session: Session, class_id: int) -> int | None:
    return session.exec(select(SchoolClass.school_id).where(SchoolClass.id == class_id)).first()


def can_teach(
    session: Session, principal: Principal, class_id: int, subject_id: int, subgroup: int | None = None
) -> bool:
    """Whether the principal teaches this class × subject (× subgroup): the write scope of a journal.

    Teaching is personal, not a matter of role: only a TeachingAssignment of the principal's own
    staff record counts. An assignment for the whole class (subgroup 0) covers its subgroups; an
    assignment for subgroup 1 covers subgroup 1 only. `subgroup=None` asks about any subgroup.
    Leaders correct journals through their own permission (journal.correct), not through this.
    """
    if principal.staff_id is None:
        return False
    school_id = _class_school(session, class_id)
    if school_id is None or (principal.school_id is not None and principal.school_id != school_id):
        return False
    q = select(TeachingAssignment.id).where(
        TeachingAssignment.teacher_id == principal.staff_id,
        TeachingAssignment.class_id == class_id,
        TeachingAssignment.subject_id == subject_id,
    )
    if subgroup is not None:
        q = q.where(TeachingAssignment.subgroup.in_({0, subgroup}))  # type: ignore[attr-defined]
    return session.exec(q.limit(1)).first() is not None
