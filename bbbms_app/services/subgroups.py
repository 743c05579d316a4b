"""Subgroups: which pupils of a class are in which group of a subject taught in groups.

A class is split for some subjects (foreign languages, PE, IT, labour): the teaching assignments
of such a subject carry subgroup 1, 2 (rarely 3), each with its own teacher and its own lessons.
SubgroupMember records the split: one row per pupil × class × subject. The journal of subgroup N
lists and accepts only the members of N (services.journal); the diary shows a pupil the lessons
of his own group (services.diary).

Who splits: the director and the deputies (any class of their school), the class teacher (his
class), each holding `subgroup.write`. A subject teacher does not: he sees the split in his
journal. Every change is audited in the same transaction (entity "subgroup", the class's id,
field "subject:<id>", old and new group, the pupil).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.models import Enrollment, Pupil, SchoolClass, Staff, SubgroupMember, Subject, TeachingAssignment
from bbbms_app.models._base import utcnow
from bbbms_app.services import audit, curriculum
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal
from bbbms_app.services.errors import OutOfScope, Refused
from bbbms_app.services.school import localized_names

MAX_GROUPS = 3


class SubgroupError(Refused):
    """A refused split: a catalog key and its parameters; nothing was written."""


@dataclass(frozen=True)
class SplitSubject:
    """A subject the class learns in groups: its names, the groups and their teachers."""

    subject_id: int
    names: dict[str, str]
    groups: tuple[int, ...]
    teachers: dict[int, str]  # group -> teacher's short name


@dataclass(frozen=True)
class MemberRow:
    """A pupil of the class and his group for the subject (0: not in any group yet)."""

    pupil_id: int
    name: str
    subgroup: int


def can_split(session: Session, principal: Principal, cls: SchoolClass) -> bool:
    """Whether the principal may change the subgroups of `cls`: leaders any class, the class teacher his own."""
    if not principal.can("subgroup.write") or principal.school_id is None or cls.school_id != principal.school_id:
        return False
    if cls.deleted_at is not None:
        return False
    if principal.role in SCHOOL_WIDE_ROLES:
        return True
    return principal.staff_id is not None and cls.class_teacher_id == principal.staff_id


def _class(session: Session, principal: Principal, class_id: int) -> SchoolClass:
    cls = session.get(SchoolClass, class_id)
    if cls is None or not can_split(session, principal, cls):
        raise OutOfScope(f"class {class_id}")
    return cls


def splittable_classes(session: Session, principal: Principal, year_id: int | None) -> list[dict[str, str]]:
    """The classes of the year the principal may split that have a subject taught in groups."""
    if year_id is None or principal.school_id is None or not principal.can("subgroup.write"):
        return []
    grouped = select(TeachingAssignment.class_id).where(
        TeachingAssignment.subgroup > 0,
        TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    q = select(SchoolClass).where(
        SchoolClass.school_id == principal.school_id,
        SchoolClass.academic_year_id == year_id,
        SchoolClass.deleted_at.is_(None),  # type: ignore[union-attr]
        SchoolClass.id.in_(grouped),  # type: ignore[union-attr]
    )
    if principal.role not in SCHOOL_WIDE_ROLES:
        if principal.staff_id is None:
            return []
        q = q.where(SchoolClass.class_teacher_id == principal.staff_id)
    classes = session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    return [{"id": str(c.id), "name": f"{c.grade}-{c.letter}"} for c in classes]


def split_subjects(session: Session, principal: Principal, class_id: int) -> list[SplitSubject]:
    """The subjects `class_id` learns in groups (assignments with subgroup 1–3), in Kyrgyz name order."""
    _class(session, principal, class_id)
    rows = session.exec(
        select(TeachingAssignment, Subject, Staff)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .join(Staff, Staff.id == TeachingAssignment.teacher_id)  # type: ignore[arg-type]
        .where(
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.subgroup > 0,
            TeachingAssignment.deleted_at.is_(None),  # type: ignore[union-attr]
            Subject.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(*curriculum.SUBJECT_ORDER, TeachingAssignment.subgroup)
    ).all()
    by_subject: dict[int, SplitSubject] = {}
    for ta, subject, staff in rows:
        entry = by_subject.get(subject.id)  # type: ignore[arg-type]
        if entry is None:
            names = localized_names(subject)
            entry = by_subject[subject.id] = SplitSubject(subject.id, names, (), {})  # type: ignore[index,arg-type]
        teacher = f"{staff.last_name} {staff.first_name[:1]}.".strip()
        by_subject[subject.id] = SplitSubject(  # type: ignore[index]
            entry.subject_id,
            entry.names,
            tuple(sorted({*entry.groups, ta.subgroup})),
            {**entry.teachers, ta.subgroup: teacher},
        )
    return list(by_subject.values())


def _class_pupils(session: Session, class_id: int, on: date) -> list[tuple[int, str]]:
    """Pupils of the class who have not left it by `on`, in Kyrgyz alphabetical order."""
    rows = session.exec(
        select(Pupil.id, Pupil.last_name, Pupil.first_name)
        .join(Enrollment, Enrollment.pupil_id == Pupil.id)  # type: ignore[arg-type]
        .where(
            Enrollment.class_id == class_id,
            or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= on),  # type: ignore[union-attr]
            Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(Pupil.sort_key, Pupil.id)
    ).all()
    seen: dict[int, str] = {}
    for pid, last, first in rows:
        seen.setdefault(pid, f"{last} {first}")
    return list(seen.items())


def groups_of(session: Session, class_id: int, subject_id: int) -> dict[int, int]:
    """pupil id -> subgroup for one class × subject (empty: the class is not split for it)."""
    rows = session.exec(
        select(SubgroupMember.pupil_id, SubgroupMember.subgroup).where(
            SubgroupMember.class_id == class_id, SubgroupMember.subject_id == subject_id
        )
    ).all()
    return dict(rows)


def members(session: Session, class_id: int, subject_id: int, subgroup: int) -> set[int]:
    """The pupils of one subgroup of a class × subject."""
    return {pid for pid, group in groups_of(session, class_id, subject_id).items() if group == subgroup}


def pupil_groups(session: Session, pupil_id: int, class_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(class id, subject id) -> the pupil's subgroup there, for every split subject of his classes."""
    ids = list(class_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(SubgroupMember.class_id, SubgroupMember.subject_id, SubgroupMember.subgroup).where(
            SubgroupMember.pupil_id == pupil_id,
            SubgroupMember.class_id.in_(ids),  # type: ignore[attr-defined]
        )
    ).all()
    return {(c, s): g for c, s, g in rows}


def split_pairs(session: Session, class_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(class id, subject id) pairs of these classes that have a split recorded."""
    ids = list(class_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(SubgroupMember.class_id, SubgroupMember.subject_id)
        .where(SubgroupMember.class_id.in_(ids))  # type: ignore[attr-defined]
        .distinct()
    ).all()
    return {(c, s) for c, s in rows}


def takes_lesson(split: set[tuple[int, int]], group: int | None, class_id: int, subject_id: int, subgroup: int) -> bool:
    """Whether a pupil takes a lesson: a whole-class lesson always; a subgroup's lesson only if he is
    in that group — but before the class is split for the subject, every group's lesson is his
    (nothing vanishes from his diary or his parents' notices for want of a split)."""
    return not subgroup or (class_id, subject_id) not in split or group == subgroup


def membership(
    session: Session, principal: Principal, class_id: int, subject_id: int, on: date
) -> tuple[SplitSubject, list[MemberRow]]:
    """The subject's groups and every current pupil of the class with his group (0: none yet)."""
    subject = _split_subject(session, principal, class_id, subject_id)
    groups = groups_of(session, class_id, subject_id)
    rows = [MemberRow(pid, name, groups.get(pid, 0)) for pid, name in _class_pupils(session, class_id, on)]
    return subject, rows


def _split_subject(session: Session, principal: Principal, class_id: int, subject_id: int) -> SplitSubject:
    for subject in split_subjects(session, principal, class_id):
        if subject.subject_id == subject_id:
            return subject
    raise SubgroupError("subgroups.error.not_split_subject")


def halves(pupil_ids: list[int], groups: tuple[int, ...]) -> dict[int, int]:
    """Split pupils (in the order given: alphabetical) into contiguous runs, one per group, sizes differing by ≤ 1."""
    out: dict[int, int] = {}
    n = len(groups)
    if not n:
        return out
    size, extra = divmod(len(pupil_ids), n)
    start = 0
    for i, group in enumerate(groups):
        stop = start + size + (1 if i < extra else 0)
        for pid in pupil_ids[start:stop]:
            out[pid] = group
        start = stop
    return out


def save_membership(
    session: Session,
    principal: Principal,
    class_id: int,
    subject_id: int,
    wanted: Mapping[int, int],
    on: date,
) -> int:
    """Set the groups of the class's pupils for one subject (0 takes a pupil out); audited; all or nothing.

    `wanted` maps pupil id -> group; pupils not named keep their group. Refused (SubgroupError, nothing
    written): a group the subject has no teacher for, a pupil who is not in the class. Returns the
    number of pupils whose group changed.
    """
    cls = _class(session, principal, class_id)
    subject = _split_subject(session, principal, class_id, subject_id)
    pupils = dict(_class_pupils(session, class_id, on))
    for pid, group in wanted.items():
        if isinstance(group, bool) or not isinstance(group, int) or (group != 0 and group not in subject.groups):
            raise SubgroupError("subgroups.error.group", group=str(group)[:4])
        if pid not in pupils:
            raise SubgroupError("subgroups.error.not_in_class")
    current = {
        row.pupil_id: row
        for row in session.exec(
            select(SubgroupMember)
            .where(SubgroupMember.class_id == class_id, SubgroupMember.subject_id == subject_id)
            .with_for_update()
        ).all()
    }
    changed = 0
    field = f"subject:{subject_id}"
    for pid, group in sorted(wanted.items()):
        row = current.get(pid)
        old = row.subgroup if row is not None else 0
        if old == group:
            continue
        if row is None:
            session.add(
                SubgroupMember(
                    school_id=cls.school_id,
                    class_id=class_id,
                    subject_id=subject_id,
                    subgroup=group,
                    pupil_id=pid,
                    updated_by=principal.user_id,
                )
            )
            action = "create"
        elif group == 0:
            session.delete(row)
            action = "delete"
        else:
            row.subgroup = group
            row.updated_by = principal.user_id
            row.updated_at = utcnow()
            session.add(row)
            action = "update"
        audit.record(
            session,
            principal,
            action,
            "subgroup",
            class_id,
            field=field,
            old=old or "",
            new=group or "",
            pupil_id=pid,
            school_id=cls.school_id,
        )
        changed += 1
    session.flush()
    return changed
