"""Subject access request: everything the school holds on one person, as marked JSON or XLSX, audited.

Law No. 58 gives a person (for a minor, his representative) the right to receive his data within a
week, free of charge. `collect` gathers every section held on a pupil, guardian or staff member;
`export` writes it through services/engine/marking.py, so the file names who exported it, when and
why, and the audit trail records the request with its purpose.

Other areas of the app that keep data on people add their own section with `register_section`
(a function `(session, subject_id) -> list[dict]`), so a subject access export stays complete as the
app grows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from bbbms_app.i18n import t
from bbbms_app.models import (
    AcademicYear,
    Attendance,
    AuditEvent,
    Consent,
    Enrollment,
    Guardian,
    Lesson,
    Mark,
    PeriodMark,
    Pupil,
    PupilGuardian,
    SchoolClass,
    Staff,
    Subject,
    TeachingAssignment,
    User,
)
from bbbms_app.services import consent as consent_service
from bbbms_app.services.access import Principal
from bbbms_app.services.engine import marking
from bbbms_app.services.school import class_name

Section = Callable[[Session, int], list[dict[str, Any]]]
FORMATS = ("json", "xlsx")
# Columns that are machinery, not information about the person.
_INTERNAL = {"search_key", "sort_key", "password_hash"}
_sections: dict[str, list[tuple[str, Section]]] = {"pupil": [], "guardian": [], "staff": []}


def register_section(subject_type: str, name: str, fn: Section) -> None:
    """Add a section (another area's data about the person) to every subject access export."""
    if all(existing != name for existing, _ in _sections[subject_type]):
        _sections[subject_type].append((name, fn))


def _row(obj: Any, drop: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    return {k: v for k, v in obj.model_dump().items() if k not in _INTERNAL and k not in drop}


def _person(model) -> Section:
    def section(session: Session, subject_id: int) -> list[dict[str, Any]]:
        row = session.get(model, subject_id)
        return [_row(row)] if row is not None else []

    return section


def _pupil_guardians(session: Session, pupil_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Guardian, PupilGuardian)
        .join(PupilGuardian, PupilGuardian.guardian_id == Guardian.id)  # type: ignore[arg-type]
        .where(PupilGuardian.pupil_id == pupil_id)
    ).all()
    return [{"relation": link.relation, "is_primary": link.is_primary, **_row(g)} for g, link in rows]


def _enrollments(session: Session, pupil_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Enrollment, SchoolClass, AcademicYear.name)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
        .where(Enrollment.pupil_id == pupil_id)
        .order_by(Enrollment.starts_on)
    ).all()
    return [
        {
            "academic_year": year,
            "class": class_name(c.grade, c.letter),
            "starts_on": e.starts_on,
            "ends_on": e.ends_on,
        }
        for e, c, year in rows
    ]


def _marks(session: Session, pupil_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Mark, Lesson, Subject)
        .join(Lesson, Lesson.id == Mark.lesson_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == Lesson.subject_id)  # type: ignore[arg-type]
        .where(Mark.pupil_id == pupil_id)
        .order_by(Lesson.date, Lesson.number, Mark.id)
    ).all()
    return [
        {
            "date": lesson.date,
            "lesson_number": lesson.number,
            "subject_ky": subj.name_ky,
            "subject_ru": subj.name_ru,
            "topic": lesson.topic,
            "value": m.value,
            "kind": m.kind,
            "updated_at": m.updated_at,
        }
        for m, lesson, subj in rows
    ]


def _attendance(session: Session, pupil_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Attendance, Lesson, Subject)
        .join(Lesson, Lesson.id == Attendance.lesson_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == Lesson.subject_id)  # type: ignore[arg-type]
        .where(Attendance.pupil_id == pupil_id)
        .order_by(Lesson.date, Lesson.number)
    ).all()
    return [
        {
            "date": lesson.date,
            "lesson_number": lesson.number,
            "subject_ky": subj.name_ky,
            "subject_ru": subj.name_ru,
            "code": a.code,
            "late_minutes": a.late_minutes,
        }
        for a, lesson, subj in rows
    ]


def _period_marks(session: Session, pupil_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(PeriodMark, Subject, AcademicYear.name)
        .join(Subject, Subject.id == PeriodMark.subject_id)  # type: ignore[arg-type]
        .join(AcademicYear, AcademicYear.id == PeriodMark.academic_year_id)  # type: ignore[arg-type]
        .where(PeriodMark.pupil_id == pupil_id)
        .order_by(AcademicYear.starts_on, Subject.code, PeriodMark.kind, PeriodMark.number)
    ).all()
    return [
        {
            "academic_year": year,
            "subject_ky": subj.name_ky,
            "subject_ru": subj.name_ru,
            "kind": pm.kind,
            "number": pm.number,
            "value": pm.value,
            "special": pm.special,
            "reason": pm.reason,
            "date_set": pm.date_set,
        }
        for pm, subj, year in rows
    ]


def _consents(subject_type: str) -> Section:
    def section(session: Session, subject_id: int) -> list[dict[str, Any]]:
        rows = session.exec(
            select(Consent)
            .where(Consent.subject_type == subject_type, Consent.subject_id == subject_id)
            .order_by(Consent.given_on, Consent.id)
        ).all()
        # The scan itself stays behind its authorized route; its digest proves which paper it was.
        return [_row(c, {"scan_name"}) for c in rows]

    return section


def _accounts(link: str) -> Section:
    def section(session: Session, subject_id: int) -> list[dict[str, Any]]:
        rows = session.exec(select(User).where(getattr(User, link) == subject_id)).all()
        return [
            _row(u, {"failed_logins", "locked_until", "oidc_subject", "staff_id", "pupil_id", "guardian_id"})
            for u in rows
        ]

    return section


def _audit(entity: str) -> Section:
    def section(session: Session, subject_id: int) -> list[dict[str, Any]]:
        about = (AuditEvent.entity == entity) & (AuditEvent.entity_id == subject_id)
        if entity == "pupil":
            about = or_(about, AuditEvent.pupil_id == subject_id)
        rows = session.exec(select(AuditEvent).where(about).order_by(AuditEvent.at, AuditEvent.id)).all()  # type: ignore[arg-type]
        return [_row(e, {"school_id"}) for e in rows]

    return section


def _children(session: Session, guardian_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Pupil, PupilGuardian)
        .join(PupilGuardian, PupilGuardian.pupil_id == Pupil.id)  # type: ignore[arg-type]
        .where(PupilGuardian.guardian_id == guardian_id)
    ).all()
    return [
        {
            "pupil_id": p.id,
            "name": consent_service.full_name(p),
            "birth_date": p.birth_date,
            "relation": link.relation,
            "is_primary": link.is_primary,
        }
        for p, link in rows
    ]


def _teaching(session: Session, staff_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(TeachingAssignment, SchoolClass, Subject)
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)  # type: ignore[arg-type]
        .join(Subject, Subject.id == TeachingAssignment.subject_id)  # type: ignore[arg-type]
        .where(TeachingAssignment.teacher_id == staff_id)
        .order_by(SchoolClass.grade, SchoolClass.letter, Subject.code)
    ).all()
    return [
        {
            "class": class_name(c.grade, c.letter),
            "subject_ky": s.name_ky,
            "subject_ru": s.name_ru,
            "subgroup": ta.subgroup,
            "hours_per_week": ta.hours_per_week,
        }
        for ta, c, s in rows
    ]


def _classes_led(session: Session, staff_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(SchoolClass, AcademicYear.name)
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)  # type: ignore[arg-type]
        .where(SchoolClass.class_teacher_id == staff_id)
    ).all()
    return [{"academic_year": year, "class": class_name(c.grade, c.letter)} for c, year in rows]


_BUILT_IN: dict[str, list[tuple[str, Section]]] = {
    "pupil": [
        ("person", _person(Pupil)),
        ("guardians", _pupil_guardians),
        ("enrollments", _enrollments),
        ("marks", _marks),
        ("attendance", _attendance),
        ("period_marks", _period_marks),
        ("consents", _consents("pupil")),
        ("accounts", _accounts("pupil_id")),
        ("audit", _audit("pupil")),
    ],
    "guardian": [
        ("person", _person(Guardian)),
        ("children", _children),
        ("consents", _consents("guardian")),
        ("accounts", _accounts("guardian_id")),
        ("audit", _audit("guardian")),
    ],
    "staff": [
        ("person", _person(Staff)),
        ("teaching", _teaching),
        ("classes_led", _classes_led),
        ("consents", _consents("staff")),
        ("accounts", _accounts("staff_id")),
        ("audit", _audit("staff")),
    ],
}


def collect(session: Session, subject_type: str, subject_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every section held on the person, by section name (built-in first, then registered ones)."""
    return {name: fn(session, subject_id) for name, fn in [*_BUILT_IN[subject_type], *_sections[subject_type]]}


def _headers(rows: list[dict[str, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return list(keys)


def export(
    session: Session,
    principal: Principal | None,
    subject_type: str,
    subject_id: object,
    *,
    fmt: str,
    purpose: object,
    operator: str = "",
    lang: str | None = None,
    today: date | None = None,
) -> tuple[bytes, str]:
    """The person's data as (file bytes, file name), marked and audited with its purpose.

    A web user needs export.personal and the person in his scope; the command line passes no
    principal and names the operator instead.
    """
    today = today or date.today()
    if fmt not in FORMATS:
        raise marking.ExportInvalid("error.invalid", field="format")
    if principal is not None:
        if not principal.can(marking.PERMISSION):
            raise marking.ExportRefused(principal.role)
        row = consent_service.require_subject(session, principal, subject_type, subject_id, today)
    else:
        sid = consent_service.parse_id(subject_id)
        found = consent_service.subject_row(session, subject_type, sid) if sid is not None else None
        if found is None:
            raise consent_service.OutOfScope(f"{subject_type} {subject_id}")
        row = found
    rid: int = row.id  # type: ignore[assignment]
    data = collect(session, subject_type, rid)
    lang = lang or (principal.language if principal else "en")
    stamp = marking.begin(
        session,
        principal,
        purpose=purpose,
        what=f"subject access {subject_type} {rid}",
        rows=sum(len(v) for v in data.values()),
        fmt=fmt,
        entity=subject_type,
        entity_id=rid,
        pupil_id=rid if subject_type == "pupil" else None,
        school_id=row.school_id,
        operator=operator,
        lang=lang,
    )
    name = f"personal-data-{subject_type}-{rid}-{today.isoformat()}.{fmt}"
    if fmt == "json":
        payload = {"subject": {"type": subject_type, "id": rid, "name": consent_service.full_name(row)}, **data}
        return marking.json_bytes(payload, stamp), name
    about = marking.Sheet(
        t("sar.sheet.about", lang),
        [t("sar.col.section", lang), t("sar.col.rows", lang)],
        [[section, len(rows)] for section, rows in data.items()],
        widths=(24, 10),
    )
    sheets = [about]
    for section, rows in data.items():
        headers = _headers(rows)
        sheets.append(marking.Sheet(section, headers, [[r.get(h) for h in headers] for r in rows]))
    title = t("sar.title", lang, name=consent_service.full_name(row))
    return marking.xlsx(sheets, stamp, title=title), name
