"""Consent to personal-data processing: record, withdraw, status of a person, the save rule, the register.

Law No. 58 "On personal information" and Regulation No. 759 ask for the written consent of the
person (for a minor, of his legal representative) before data beyond what the school must keep
is collected. Here:

- a Consent names its subject (pupil, guardian or staff member), who signed it, the categories of
  data it covers, its dates and the scan of the signed form (private storage, see private_files);
- `check_save` is called by the pupil, guardian and staff profiles (services/engine/profiles/):
  a personal field beyond the legal minimum (address, phone, photo, health notes) cannot be given
  a new value unless an active consent of that person covers its category;
- withdrawing stops the processing: the fields no other active consent covers can no longer be
  changed, and are erased at once when the withdrawing user says so (the default in the UI); the
  register flags any value still stored without consent.

Audit rows about gated fields never hold the values themselves ("(set)", "(changed)", "(erased)"),
so that an erasure really removes the data from the system.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from bbbms_app.i18n import format_date, t
from bbbms_app.i18n.collation import search_key
from bbbms_app.models import Consent, Enrollment, Guardian, Pupil, PupilGuardian, SchoolClass, Staff
from bbbms_app.models.consent import CONSENT_CATEGORIES, GATED_FIELDS, SUBJECT_TYPES
from bbbms_app.models.people import RELATIONS
from bbbms_app.services import audit, private_files
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, Principal
from bbbms_app.services.engine import marking as export_marking
from bbbms_app.services.engine.hooks import FieldError
from bbbms_app.services.errors import OutOfScope, Refused
from bbbms_app.services.school import class_name, current_year

MODELS: dict[str, type[Pupil] | type[Guardian] | type[Staff]] = {"pupil": Pupil, "guardian": Guardian, "staff": Staff}
STATUSES = ("active", "withdrawn", "expired", "missing")
AGE_OF_MAJORITY = 18
MAX_PAGE = 100
EXPORT_LIMIT = 20000
REASON_MIN = 3
FIELD_LIMITS = {"address": 300, "phone": 30, "photo": 200, "health_notes": 1000}


class ConsentError(Refused):
    """A consent operation refused for its input; `field`, `key`, `params` give the translated message."""

    field: str

    def __init__(self, field: str, key: str, /, **params: object) -> None:
        super().__init__(key, field)
        self.params = params  # a message may itself have a {field} placeholder (error.invalid)


# ---------------------------------------------------------------- people and scope


def _subject_type(value: object) -> str:
    if value not in SUBJECT_TYPES:
        raise ConsentError("subject_type", "error.invalid", field="subject_type")
    return str(value)


def subject_row(session: Session, subject_type: str, subject_id: int) -> Pupil | Guardian | Staff | None:
    """The pupil, guardian or staff row (not soft-deleted), or None."""
    model = MODELS[_subject_type(subject_type)]
    row = session.get(model, int(subject_id))
    if row is None or row.deleted_at is not None:
        return None
    return row


def full_name(row: Pupil | Guardian | Staff) -> str:
    return " ".join(p for p in (row.last_name, row.first_name, row.patronymic) if p)


def _current_enrollment(today: date):
    return and_(Enrollment.starts_on <= today, or_(Enrollment.ends_on.is_(None), Enrollment.ends_on >= today))  # type: ignore[union-attr]


def _led_class_ids(session: Session, principal: Principal) -> list[int]:
    """Classes the principal leads as class teacher (the consent scope of a class teacher)."""
    if principal.staff_id is None:
        return []
    return list(session.exec(select(SchoolClass.id).where(SchoolClass.class_teacher_id == principal.staff_id)).all())


def _school_wide(principal: Principal) -> bool:
    return principal.role in SCHOOL_WIDE_ROLES


def can_read_subject(session: Session, principal: Principal, subject_type: str, subject_id: int, today: date) -> bool:
    """Whether the principal's consent scope includes this person.

    School-wide roles: everyone of their school. A class teacher (or any role the director gave
    consent.read): the pupils now in a class he leads and those pupils' guardians. Staff records:
    school-wide roles only.
    """
    row = subject_row(session, subject_type, subject_id)
    if row is None or (principal.school_id is not None and row.school_id != principal.school_id):
        return False
    if _school_wide(principal):
        return True
    led = _led_class_ids(session, principal)
    if not led or subject_type == "staff":
        return False
    q = select(Enrollment.id).where(Enrollment.class_id.in_(led), _current_enrollment(today))  # type: ignore[union-attr]
    if subject_type == "pupil":
        q = q.where(Enrollment.pupil_id == subject_id)
    else:
        q = q.join(PupilGuardian, PupilGuardian.pupil_id == Enrollment.pupil_id).where(  # type: ignore[arg-type]
            PupilGuardian.guardian_id == subject_id
        )
    return session.exec(q.limit(1)).first() is not None


def is_own_subject(session: Session, principal: Principal, subject_type: str, subject_id: int) -> bool:
    """A parent's own child or himself, a pupil himself: what own.read reaches."""
    if principal.role == "pupil":
        return subject_type == "pupil" and principal.pupil_id == subject_id
    if principal.role == "parent" and principal.guardian_id is not None:
        if subject_type == "guardian":
            return subject_id == principal.guardian_id
        if subject_type == "pupil":
            link = session.exec(
                select(PupilGuardian.id).where(
                    PupilGuardian.guardian_id == principal.guardian_id, PupilGuardian.pupil_id == subject_id
                )
            ).first()
            return link is not None
    return False


def require_subject(
    session: Session, principal: Principal, subject_type: str, subject_id: object, today: date
) -> Pupil | Guardian | Staff:
    """The person when in the principal's consent scope; OutOfScope otherwise."""
    subject_type = _subject_type(subject_type)
    sid = parse_id(subject_id)
    if sid is None or not can_read_subject(session, principal, subject_type, sid, today):
        raise OutOfScope(f"{subject_type} {subject_id}")
    row = subject_row(session, subject_type, sid)
    assert row is not None
    return row


def parse_id(value: object) -> int | None:
    """A positive database id from an int or a string of digits (what a browser sends); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**31 else None
    if isinstance(value, str) and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


# ---------------------------------------------------------------- status


def _is_active(c: Consent, on: date) -> bool:
    return c.withdrawn_on is None and c.given_on <= on and (c.valid_until is None or c.valid_until >= on)


def consents_of(session: Session, subject_type: str, subject_id: int) -> list[Consent]:
    """Every consent of one person, newest first."""
    return list(
        session.exec(
            select(Consent)
            .where(Consent.subject_type == subject_type, Consent.subject_id == subject_id)
            .order_by(Consent.given_on.desc(), Consent.id.desc())  # type: ignore[attr-defined]
        ).all()
    )


def categories_of(c: Consent) -> list[str]:
    return [x for x in c.categories.split(",") if x]


def active_categories(session: Session, subject_type: str, subject_id: int, on: date) -> set[str]:
    """The categories some active consent of the person covers on `on`."""
    cats: set[str] = set()
    for c in consents_of(session, subject_type, subject_id):
        if _is_active(c, on):
            cats.update(categories_of(c))
    return cats


def status_of(consents: list[Consent], on: date) -> str:
    """active (one is in force), withdrawn (none in force, one withdrawn), expired, or missing."""
    if any(_is_active(c, on) for c in consents):
        return "active"
    if any(c.withdrawn_on is not None for c in consents):
        return "withdrawn"
    return "expired" if consents else "missing"


def stored_without_consent(session: Session, subject_type: str, row: Pupil | Guardian | Staff, on: date) -> list[str]:
    """Gated fields holding a value that no active consent covers (old data, or kept after withdrawal)."""
    active = active_categories(session, subject_type, row.id, on)  # type: ignore[arg-type]
    return [f for f, cat in GATED_FIELDS[subject_type].items() if getattr(row, f, "") and cat not in active]


# ---------------------------------------------------------------- the save rule


def _clean(value: Any, limit: int) -> str:
    text = " ".join(unicodedata.normalize("NFC", str(value if value is not None else "")).split())
    return text[:limit]


def _field_label(field: str, lang: str) -> str:
    return t(f"consent.field.{field}", lang)


def _category_label(category: str, lang: str) -> str:
    return t(f"consent.category.{category}", lang)


def check_save(
    table: str, session: Session, principal: Principal | None, record_id: int | None, values: Mapping[str, Any]
) -> None:
    """Refuse a new value of a gated field without an active consent covering its category.

    Clearing a field is always allowed, and so is saving the value already stored (an edit of the
    name must not fail because an old address is on file). The message names the field and the
    category in the user's language.
    """
    gated = GATED_FIELDS[table]
    stored = session.get(MODELS[table], record_id) if record_id is not None else None
    needed: list[tuple[str, str]] = []
    for field, category in gated.items():
        if field not in values:
            continue
        new = _clean(values[field], FIELD_LIMITS[field])
        if not new:
            continue
        if stored is not None and (getattr(stored, field, "") or "") == new:
            continue
        needed.append((field, category))
    if not needed:
        return
    active = active_categories(session, table, record_id, date.today()) if record_id is not None else set()
    lang = principal.language if principal is not None else "ky"
    for field, category in needed:
        if category not in active:
            raise FieldError(
                field,
                "consent.required",
                label=_field_label(field, lang),
                category=_category_label(category, lang),
            )


# ---------------------------------------------------------------- record and withdraw


def stage_scan(school_id: int, data: bytes) -> private_files.StoredFile:
    """Keep an uploaded scan in private staging until the consent it belongs to is recorded."""
    return private_files.store("staging", school_id, data)


def _age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _parse_categories(values: object) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, list | tuple | set | frozenset):
        raise ConsentError("categories", "consent.error.categories")
    cats = sorted({str(v) for v in values if str(v)})
    if not cats or any(c not in CONSENT_CATEGORIES for c in cats):
        raise ConsentError("categories", "consent.error.categories")
    return cats


def record(
    session: Session,
    principal: Principal,
    *,
    subject_type: str,
    subject_id: object,
    categories: object,
    given_on: date,
    valid_until: date | None,
    scan: private_files.StoredFile,
    representative_id: object = None,
    basis: str = "",
    purpose: str = "",
    third_parties: str = "",
    today: date | None = None,
) -> Consent:
    """Record a signed consent with its scan (moved from staging into private consents storage), audited.

    For a pupil under 18 on the day of signing, the signer must be one of his guardians.
    """
    today = today or date.today()
    if not principal.can("consent.write"):
        raise OutOfScope("consent.write")
    row = require_subject(session, principal, subject_type, subject_id, today)
    cats = _parse_categories(categories)
    if not isinstance(given_on, date) or given_on > today or given_on.year < 2000:
        raise ConsentError("given_on", "consent.error.given_on")
    if valid_until is not None and (not isinstance(valid_until, date) or valid_until < given_on):
        raise ConsentError("valid_until", "consent.error.valid_until")
    rep: Guardian | None = None
    rep_id = parse_id(representative_id) if representative_id not in (None, "") else None
    if representative_id not in (None, "") and rep_id is None:
        raise ConsentError("representative_id", "consent.error.representative")
    if subject_type == "pupil":
        minor = _age_on(row.birth_date, given_on) < AGE_OF_MAJORITY  # type: ignore[union-attr]
        if rep_id is not None:
            link = session.exec(
                select(PupilGuardian).where(PupilGuardian.pupil_id == row.id, PupilGuardian.guardian_id == rep_id)
            ).first()
            rep = session.get(Guardian, rep_id) if link is not None else None
            if rep is None or rep.deleted_at is not None:
                raise ConsentError("representative_id", "consent.error.representative")
            basis = basis or link.relation  # type: ignore[union-attr]
        elif minor:
            raise ConsentError("representative_id", "consent.error.minor")
    elif rep_id is not None:
        raise ConsentError("representative_id", "consent.error.representative")
    if not isinstance(scan, private_files.StoredFile):
        raise ConsentError("scan", "consent.error.scan")
    try:
        staged = private_files.path_of("staging", scan.name)  # only a name this server made
    except ValueError:
        raise ConsentError("scan", "consent.error.scan") from None
    if not staged.is_file():
        raise ConsentError("scan", "consent.error.scan")
    private_files.move("staging", scan.name, "consents")
    consent = Consent(
        school_id=row.school_id,
        subject_type=subject_type,
        subject_id=row.id,  # type: ignore[arg-type]
        representative_id=rep.id if rep else None,
        signed_by_name=full_name(rep or row)[:200],
        representative_basis=_clean(basis, 200) if rep else "",
        categories=",".join(cats),
        purpose=_clean(purpose, 500),
        third_parties=_clean(third_parties, 500),
        given_on=given_on,
        valid_until=valid_until,
        scan_name=scan.name,
        scan_sha256=scan.sha256,
        scan_size=scan.size,
        scan_content_type=scan.content_type,
        created_by=principal.user_id,
    )
    session.add(consent)
    session.flush()
    audit.record(
        session,
        principal,
        "create",
        "consent",
        consent.id,
        new=f"{subject_type} {row.id}: {consent.categories}; {given_on.isoformat()}–"
        f"{valid_until.isoformat() if valid_until else ''}; signed by {consent.signed_by_name}; "
        f"third parties: {consent.third_parties or '-'}; "
        f"scan sha256 {scan.sha256[:16]}",
        pupil_id=row.id if subject_type == "pupil" else None,
        school_id=row.school_id,
    )
    return consent


@dataclass(frozen=True)
class Withdrawal:
    """What a withdrawal did: the fields erased and those still stored without consent."""

    consent_id: int
    erased: list[str]
    kept: list[str]


def withdraw(
    session: Session,
    principal: Principal,
    consent_id: object,
    *,
    on: date,
    reason: str,
    erase: bool,
    today: date | None = None,
    subject: tuple[str, int] | None = None,
) -> Withdrawal:
    """Withdraw a consent from `on`; erase (erase=True) the fields it alone covered, all audited.

    `subject` (type, id): the person the caller's screen has open; a consent of anyone else is
    refused (OutOfScope), so a forged id cannot withdraw another person's consent from his card."""
    today = today or date.today()
    if not principal.can("consent.write"):
        raise OutOfScope("consent.write")
    cid = parse_id(consent_id)
    consent = session.get(Consent, cid) if cid is not None else None
    if consent is None:
        raise OutOfScope(f"consent {consent_id}")
    if subject is not None and (consent.subject_type, consent.subject_id) != subject:
        raise OutOfScope(f"consent {cid} of another person")
    row = require_subject(session, principal, consent.subject_type, consent.subject_id, today)
    if consent.withdrawn_on is not None:
        raise ConsentError("withdrawn_on", "consent.error.already_withdrawn")
    if not isinstance(on, date) or on > today or on < consent.given_on:
        raise ConsentError("withdrawn_on", "consent.error.withdrawn_on")
    reason = _clean(reason, 300)
    if len(reason) < REASON_MIN:
        raise ConsentError("withdrawal_reason", "consent.error.reason")
    consent.withdrawn_on = on
    consent.withdrawal_reason = reason
    consent.withdrawn_by = principal.user_id
    session.add(consent)
    session.flush()
    pupil_id = row.id if consent.subject_type == "pupil" else None
    audit.record(
        session,
        principal,
        "withdraw",
        "consent",
        consent.id,
        field="withdrawn_on",
        new=on.isoformat(),
        reason=reason,
        pupil_id=pupil_id,
        school_id=row.school_id,
    )
    uncovered = stored_without_consent(session, consent.subject_type, row, max(on, today))
    erased: list[str] = []
    if erase:
        for field in uncovered:
            _set_field(
                session, principal, consent.subject_type, row, field, "", reason=f"consent {consent.id} withdrawn"
            )
            erased.append(field)
    return Withdrawal(consent_id=consent.id, erased=erased, kept=[f for f in uncovered if f not in erased])  # type: ignore[arg-type]


def _set_field(
    session: Session, principal: Principal, subject_type: str, row: Any, field: str, value: str, *, reason: str = ""
) -> None:
    old = getattr(row, field, "") or ""
    if old == value:
        return
    if field == "photo" and old:
        private_files.remove("photos", old)
    setattr(row, field, value)
    row.version = (row.version or 0) + 1
    session.add(row)
    marker = "(erased)" if not value else ("(set)" if not old else "(changed)")
    audit.record(
        session,
        principal,
        "erase" if not value else "update",
        subject_type,
        row.id,
        field=field,
        old="(value)" if old else "",
        new=marker,
        reason=reason,
        pupil_id=row.id if subject_type == "pupil" else None,
        school_id=row.school_id,
    )


def save_personal(
    session: Session,
    principal: Principal,
    subject_type: str,
    subject_id: object,
    values: Mapping[str, Any],
    *,
    today: date | None = None,
) -> list[str]:
    """Save the gated personal fields of a person through the save rule; returns the fields changed.

    Needs `<subject_type>.write` besides consent.write. Unknown keys are refused, not ignored.
    """
    today = today or date.today()
    subject_type = _subject_type(subject_type)
    if not principal.can(f"{subject_type}.write") or not principal.can("consent.write"):
        raise OutOfScope(f"{subject_type}.write")
    row = require_subject(session, principal, subject_type, subject_id, today)
    allowed = set(GATED_FIELDS[subject_type]) - {"photo"}  # a photo is a file, stored by its own upload
    unknown = set(values) - allowed
    if unknown:
        raise ConsentError(sorted(unknown)[0], "error.invalid", field=sorted(unknown)[0])
    cleaned = {k: _clean(v, FIELD_LIMITS[k]) for k, v in values.items()}
    check_save(subject_type, session, principal, row.id, cleaned)
    changed = []
    for field, value in cleaned.items():
        if (getattr(row, field, "") or "") != value:
            _set_field(session, principal, subject_type, row, field, value)
            changed.append(field)
    return changed


# ---------------------------------------------------------------- the scan


def scan_for(session: Session, principal: Principal, consent_id: object, today: date | None = None) -> Consent:
    """The consent whose scan the principal may open: consent.read in scope, or his own family's."""
    today = today or date.today()
    cid = parse_id(consent_id)
    consent = session.get(Consent, cid) if cid is not None else None
    if consent is None:
        raise OutOfScope(f"consent {consent_id}")
    if principal.school_id is not None and consent.school_id != principal.school_id:
        raise OutOfScope(f"consent {cid}")
    if principal.can("consent.read") and can_read_subject(
        session, principal, consent.subject_type, consent.subject_id, today
    ):
        return consent
    if principal.can("own.read") and is_own_subject(session, principal, consent.subject_type, consent.subject_id):
        return consent
    raise OutOfScope(f"consent {cid}")


def scan_url(consent_id: int) -> str:
    """Where the authorized route serves a consent's scan."""
    return f"/private/consent-scan/{int(consent_id)}"


# ---------------------------------------------------------------- display


def card(
    session: Session, principal: Principal, subject_type: str, subject_id: object, *, today: date | None = None
) -> dict[str, str]:
    """The display-ready consent card of one person (components.consent_card renders it)."""
    today = today or date.today()
    row = require_subject(session, principal, subject_type, subject_id, today)
    consents = consents_of(session, subject_type, row.id)  # type: ignore[arg-type]
    active = [c for c in consents if _is_active(c, today)]
    cats = sorted({x for c in active for x in categories_of(c)}, key=CONSENT_CATEGORIES.index)
    untils = [c.valid_until for c in active if c.valid_until is not None]
    latest = active[0] if active else (consents[0] if consents else None)
    return {
        "subject_type": subject_type,
        "subject_id": str(row.id),
        "name": full_name(row),
        "status": status_of(consents, today),
        "categories": ",".join(cats),
        "given_on": format_date(latest.given_on) if latest else "",
        "valid_until": format_date(min(untils)) if untils and len(untils) == len(active) else "",
        "signed_by": latest.signed_by_name if latest else "",
        "withdrawn_on": format_date(latest.withdrawn_on) if latest and latest.withdrawn_on else "",
        "stored_without_consent": ",".join(stored_without_consent(session, subject_type, row, today)),
        "count": str(len(consents)),
    }


def consent_rows(
    session: Session, principal: Principal, subject_type: str, subject_id: object, *, today: date | None = None
) -> list[dict[str, str]]:
    """Every consent of one person as display rows, newest first."""
    today = today or date.today()
    row = require_subject(session, principal, subject_type, subject_id, today)
    out = []
    for c in consents_of(session, subject_type, row.id):  # type: ignore[arg-type]
        out.append(
            {
                "id": str(c.id),
                "status": "active" if _is_active(c, today) else ("withdrawn" if c.withdrawn_on else "expired"),
                "categories": ",".join(sorted(categories_of(c), key=CONSENT_CATEGORIES.index)),
                "given_on": format_date(c.given_on),
                "valid_until": format_date(c.valid_until),
                "signed_by": c.signed_by_name,
                # A relation code (mother, father…) is translated by the page; free text is shown as typed.
                "relation": c.representative_basis if c.representative_basis in RELATIONS else "",
                "basis": "" if c.representative_basis in RELATIONS else c.representative_basis,
                "purpose": c.purpose,
                "third_parties": c.third_parties,
                "withdrawn_on": format_date(c.withdrawn_on),
                "withdrawal_reason": c.withdrawal_reason,
                "scan_url": scan_url(c.id),  # type: ignore[arg-type]
                "scan_kb": str(max(1, round(c.scan_size / 1024))),
                "scan_type": c.scan_content_type.rsplit("/", 1)[-1].upper(),
            }
        )
    return out


def representatives(session: Session, pupil_id: int) -> list[dict[str, str]]:
    """The guardians who may sign for a pupil, as {id, name, relation}."""
    rows = session.exec(
        select(Guardian, PupilGuardian.relation)
        .join(PupilGuardian, PupilGuardian.guardian_id == Guardian.id)  # type: ignore[arg-type]
        .where(PupilGuardian.pupil_id == pupil_id, Guardian.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(PupilGuardian.is_primary.desc(), Guardian.sort_key)  # type: ignore[attr-defined]
    ).all()
    return [{"id": str(g.id), "name": full_name(g), "relation": rel} for g, rel in rows]


def personal_values(
    session: Session, principal: Principal, subject_type: str, subject_id: object, *, today: date | None = None
) -> dict[str, str]:
    """The gated fields' current values (for the edit form of someone with the write right)."""
    today = today or date.today()
    row = require_subject(session, principal, subject_type, subject_id, today)
    return {f: getattr(row, f, "") or "" for f in GATED_FIELDS[subject_type] if f != "photo"}


# ---------------------------------------------------------------- the register


@dataclass(frozen=True)
class Page:
    """One page of register rows and the total count."""

    rows: list[dict[str, str]]
    total: int


def class_options(session: Session, principal: Principal) -> list[dict[str, str]]:
    """Classes of the current year the register may be filtered by (a class teacher: his own)."""
    if principal.school_id is None:
        return []
    year = current_year(session, principal.school_id)
    if year is None:
        return []
    q = select(SchoolClass).where(SchoolClass.academic_year_id == year.id)
    if not _school_wide(principal):
        q = q.where(SchoolClass.id.in_(_led_class_ids(session, principal)))  # type: ignore[union-attr]
    return [
        {"id": str(c.id), "name": class_name(c.grade, c.letter)}
        for c in session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter)).all()
    ]


def _status_clause(model, subject_type: str, status: str, today: date):
    mine = and_(Consent.subject_type == subject_type, Consent.subject_id == model.id)
    active = exists().where(
        mine,
        Consent.withdrawn_on.is_(None),  # type: ignore[union-attr]
        Consent.given_on <= today,
        or_(Consent.valid_until.is_(None), Consent.valid_until >= today),  # type: ignore[union-attr]
    )
    withdrawn = exists().where(mine, Consent.withdrawn_on.is_not(None))  # type: ignore[union-attr]
    anything = exists().where(mine)
    return {
        "active": active,
        "withdrawn": and_(~active, withdrawn),
        "expired": and_(~active, ~withdrawn, anything),
        "missing": ~anything,
    }[status]


def _register_query(
    session: Session,
    principal: Principal,
    subject_type: str,
    class_id: int | None,
    status: str,
    search: str,
    today: date,
):
    model = MODELS[subject_type]
    cond = [model.school_id == principal.school_id, model.deleted_at.is_(None)]  # type: ignore[union-attr]
    in_class = select(Enrollment.pupil_id).where(_current_enrollment(today))
    if class_id is not None:
        in_class = in_class.where(Enrollment.class_id == class_id)
    if not _school_wide(principal):
        if subject_type == "staff":
            cond.append(model.id == -1)  # staff consents are a school-wide matter
        in_class = in_class.where(Enrollment.class_id.in_(_led_class_ids(session, principal)))  # type: ignore[union-attr]
    if class_id is not None or not _school_wide(principal):
        if subject_type == "pupil":
            cond.append(model.id.in_(in_class))  # type: ignore[union-attr]
        elif subject_type == "guardian":
            linked = select(PupilGuardian.guardian_id).where(PupilGuardian.pupil_id.in_(in_class))  # type: ignore[union-attr]
            cond.append(model.id.in_(linked))  # type: ignore[union-attr]
    if status in STATUSES:
        cond.append(_status_clause(model, subject_type, status, today))
    if search.strip():
        term = search_key(search).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cond.append(model.search_key.like(f"%{term}%", escape="\\"))  # type: ignore[attr-defined]
    return model, cond


def register(
    session: Session,
    principal: Principal,
    *,
    subject_type: str = "pupil",
    class_id: int | None = None,
    status: str = "",
    search: str = "",
    offset: int = 0,
    limit: int = 25,
    today: date | None = None,
) -> Page:
    """The consent register: one row per person in scope with his consent status, paged in SQL."""
    today = today or date.today()
    subject_type = _subject_type(subject_type)
    if principal.school_id is None:
        return Page([], 0)
    offset, limit = max(0, int(offset)), max(1, min(int(limit), EXPORT_LIMIT))
    model, cond = _register_query(session, principal, subject_type, class_id, status, search, today)
    total = session.exec(select(func.count()).select_from(model).where(*cond)).one()
    people = session.exec(
        select(model).where(*cond).order_by(model.sort_key, model.id).offset(offset).limit(limit)
    ).all()
    return Page(rows=_register_rows(session, subject_type, list(people), today), total=total)


def _register_rows(session: Session, subject_type: str, people: list, today: date) -> list[dict[str, str]]:
    ids = [p.id for p in people]
    by_subject: dict[int, list[Consent]] = {i: [] for i in ids}
    if ids:
        for c in session.exec(
            select(Consent)
            .where(Consent.subject_type == subject_type, Consent.subject_id.in_(ids))  # type: ignore[attr-defined]
            .order_by(Consent.given_on.desc(), Consent.id.desc())  # type: ignore[attr-defined]
        ).all():
            by_subject[c.subject_id].append(c)
    classes = _classes_of(session, subject_type, ids, today)
    rows = []
    for p in people:
        consents = by_subject[p.id]
        active = [c for c in consents if _is_active(c, today)]
        cats = sorted({x for c in active for x in categories_of(c)}, key=CONSENT_CATEGORIES.index)
        latest = active[0] if active else (consents[0] if consents else None)
        active_set = set(cats)
        loose = [f for f, cat in GATED_FIELDS[subject_type].items() if getattr(p, f, "") and cat not in active_set]
        rows.append(
            {
                "id": str(p.id),
                "subject_type": subject_type,
                "name": full_name(p),
                "class_name": classes.get(p.id, ""),
                "status": status_of(consents, today),
                "categories": ",".join(cats),
                "given_on": format_date(latest.given_on) if latest else "",
                "valid_until": format_date(latest.valid_until) if latest and latest.valid_until else "",
                "withdrawn_on": format_date(latest.withdrawn_on) if latest and latest.withdrawn_on else "",
                "signed_by": latest.signed_by_name if latest else "",
                "stored_without_consent": ",".join(loose),
            }
        )
    return rows


def _classes_of(session: Session, subject_type: str, ids: list[int], today: date) -> dict[int, str]:
    if not ids or subject_type == "staff":
        return {}
    q = (
        select(Enrollment.pupil_id, SchoolClass.grade, SchoolClass.letter)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)  # type: ignore[arg-type]
        .where(_current_enrollment(today))
    )
    if subject_type == "pupil":
        rows = session.exec(q.where(Enrollment.pupil_id.in_(ids))).all()  # type: ignore[union-attr]
        return {pid: class_name(g, letter) for pid, g, letter in rows}
    links = session.exec(
        select(PupilGuardian.guardian_id, PupilGuardian.pupil_id).where(PupilGuardian.guardian_id.in_(ids))  # type: ignore[union-attr]
    ).all()
    pupils = {pid for _g, pid in links}
    of_pupil = {
        pid: class_name(g, letter) for pid, g, letter in session.exec(q.where(Enrollment.pupil_id.in_(pupils))).all()
    }  # type: ignore[union-attr]
    out: dict[int, set[str]] = {}
    for gid, pid in links:
        if pid in of_pupil:
            out.setdefault(gid, set()).add(of_pupil[pid])
    return {gid: ", ".join(sorted(names)) for gid, names in out.items()}


def export_register(
    session: Session,
    principal: Principal,
    *,
    purpose: object,
    subject_type: str = "pupil",
    class_id: int | None = None,
    status: str = "",
    search: str = "",
    lang: str = "ky",
    today: date | None = None,
) -> tuple[bytes, str]:
    """The filtered register as a marked XLSX (export.personal; audited with its purpose)."""
    today = today or date.today()
    page = register(
        session,
        principal,
        subject_type=subject_type,
        class_id=class_id,
        status=status,
        search=search,
        offset=0,
        limit=EXPORT_LIMIT,
        today=today,
    )
    stamp = export_marking.begin(
        session,
        principal,
        purpose=purpose,
        what=f"consent register ({subject_type}, {status or 'all'})",
        rows=len(page.rows),
        fmt="xlsx",
        entity="consent",
        lang=lang,
    )

    def labels(codes: str, prefix: str) -> str:
        return ", ".join(t(f"{prefix}.{c}", lang) for c in codes.split(",") if c)

    headers = [
        t("col.name", lang),
        t("col.class", lang),
        t("consent.col.status", lang),
        t("consent.col.categories", lang),
        t("consent.col.given_on", lang),
        t("consent.col.valid_until", lang),
        t("consent.col.withdrawn_on", lang),
        t("consent.col.signed_by", lang),
        t("consent.col.stored_without", lang),
    ]
    rows = [
        [
            r["name"],
            r["class_name"],
            t(f"consent.status.{r['status']}", lang),
            labels(r["categories"], "consent.category"),
            r["given_on"],
            r["valid_until"],
            r["withdrawn_on"],
            r["signed_by"],
            labels(r["stored_without_consent"], "consent.field"),
        ]
        for r in page.rows
    ]
    title = t("consent.register_title", lang) + " — " + t(f"consent.type.{subject_type}", lang)
    sheet = export_marking.Sheet(
        t(f"consent.type.{subject_type}", lang), headers, rows, widths=(32, 10, 14, 36, 12, 12, 12, 28, 24)
    )
    return export_marking.xlsx([sheet], stamp, title=title), f"consent-register-{subject_type}-{today.isoformat()}.xlsx"
