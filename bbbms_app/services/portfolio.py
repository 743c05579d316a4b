"""The pupil's e-portfolio (issue 18 #4): achievements, their verification, the marks summary, the
printable portfolio, the family's public link and the school's list of achievements.

Who reaches a portfolio (`portfolio.read`, then the scope here): the pupil his own, a parent his
children's, a class teacher the pupils of the class he leads (enrolled today), the director and a
deputy every pupil of their school. Anyone else gets NotFound (an id probe tells nothing).

The pupil adds his own entries (`portfolio.write`) as drafts and submits them; parents read only
(they see, they do not write: what a portfolio says is the pupil's, what counts is the school's).
The class teacher of his class or a deputy / the director verifies or rejects a submitted entry
(`portfolio.verify`; a rejection needs a comment); every step is audited. Only verified entries
count: the printed portfolio, the public link and the school's list show nothing else.

The public link: the pupil or a parent (`portfolio.share`) switches it on — a new random token,
of which only the SHA-256 is stored, shown once — and off (revoked); a new one revokes the old.
It shows the name, the school, the class, the verified entries and the year marks: never the PIN,
the address or the birth date.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bbbms_app.i18n import t
from bbbms_app.models import AcademicYear, Enrollment, PeriodMark, Pupil, School, SchoolClass, Subject
from bbbms_app.models._base import utcnow
from bbbms_app.models.portfolio import ACHIEVEMENT_KINDS, LEVELS, Achievement, PortfolioLink
from bbbms_app.services import audit, curriculum, private_files
from bbbms_app.services.access import Principal, visible_pupil_ids_own
from bbbms_app.services.errors import NotFound, OutOfScope, Refused
from bbbms_app.services.school import class_name, current_year, full_name, localized_name, localized_names

LEADERS = frozenset({"director", "deputy"})
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PLACE_MAX = 40
LINK_MAX = 500
COMMENT_MAX = 500
EVIDENCE_MAX = 10 * 1024 * 1024
PUBLIC_ROUTE = "/portfolio-public"
PRINT_ROUTE = "/portfolio-print"
EVIDENCE_ROUTE = "/private/portfolio"


@dataclass(frozen=True)
class Entry:
    """What the add form sends, parsed by the page."""

    kind: str
    level: str
    title: str
    achieved_on: date | None
    place: str = ""
    description: str = ""
    link: str = ""


def ddmmyyyy(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


# --- scope ---------------------------------------------------------------------------------------


def _current_class(session: Session, pupil_id: int, today: date) -> SchoolClass | None:
    """The class the pupil is on the list of today (the latest enrollment if several)."""
    return session.exec(
        select(SchoolClass)
        .join(Enrollment, col(Enrollment.class_id) == SchoolClass.id)
        .where(
            Enrollment.pupil_id == pupil_id,
            col(Enrollment.starts_on) <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
        .order_by(col(Enrollment.starts_on).desc())
    ).first()


def _pupil(session: Session, principal: Principal, pupil_id: int) -> Pupil:
    pupil = session.get(Pupil, pupil_id)
    if pupil is None or (principal.school_id is not None and pupil.school_id != principal.school_id):
        raise NotFound(f"pupil {pupil_id}")
    return pupil


def leads(session: Session, principal: Principal, pupil_id: int, today: date) -> bool:
    """Whether the principal is the class teacher of the pupil's class today."""
    if principal.staff_id is None:
        return False
    klass = _current_class(session, pupil_id, today)
    return klass is not None and klass.class_teacher_id == principal.staff_id


def readable_pupil(session: Session, principal: Principal, pupil_id: int, today: date) -> Pupil:
    """The pupil whose portfolio the principal may read, or NotFound."""
    pupil = _pupil(session, principal, pupil_id)
    if principal.role in LEADERS:
        return pupil
    if principal.role in ("pupil", "parent"):
        if pupil_id in visible_pupil_ids_own(session, principal):
            return pupil
        raise NotFound(f"pupil {pupil_id}")
    if leads(session, principal, pupil_id, today):
        return pupil
    raise NotFound(f"pupil {pupil_id}")


def may_verify(session: Session, principal: Principal, pupil_id: int, today: date) -> bool:
    """The class teacher of the pupil's class, a deputy or the director (with portfolio.verify)."""
    if not principal.can("portfolio.verify"):
        return False
    return principal.role in LEADERS or leads(session, principal, pupil_id, today)


def pupil_options(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """The pupils whose portfolios the principal opens: himself, his children, his class, or
    (leaders) every pupil on a class list of the current year."""
    if principal.school_id is None:
        return []
    q = (
        select(Pupil, SchoolClass)
        .join(Enrollment, col(Enrollment.pupil_id) == Pupil.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .where(
            Pupil.school_id == principal.school_id,
            col(Enrollment.starts_on) <= today,
            or_(col(Enrollment.ends_on).is_(None), col(Enrollment.ends_on) >= today),
        )
    )
    if principal.role in ("pupil", "parent"):
        own = visible_pupil_ids_own(session, principal)
        q = q.where(col(Pupil.id).in_(own or [-1]))
    elif principal.role not in LEADERS:
        if principal.staff_id is None:
            return []
        q = q.where(SchoolClass.class_teacher_id == principal.staff_id)
    rows = session.exec(q.order_by(SchoolClass.grade, SchoolClass.letter, Pupil.sort_key)).all()
    seen: set[int] = set()
    out = []
    for pupil, klass in rows:
        if pupil.id in seen:
            continue
        seen.add(pupil.id)  # type: ignore[arg-type]
        out.append({"id": str(pupil.id), "name": f"{full_name(pupil)} · {class_name(klass.grade, klass.letter)}"})
    return out


# --- entries -------------------------------------------------------------------------------------


def _row(a: Achievement) -> dict[str, str]:
    return {
        "id": str(a.id),
        "kind": a.kind,
        "level": a.level,
        "place": a.place,
        "title": a.title,
        "description": a.description,
        "achieved_on": ddmmyyyy(a.achieved_on),
        "status": a.status,
        "comment": a.review_comment,
        "reviewer": a.reviewer_name,
        "link": a.evidence_link,
        "evidence": f"{EVIDENCE_ROUTE}/{a.id}" if a.evidence_name else "",
        "project": "1" if a.project_id else "",
    }


def entries(
    session: Session, principal: Principal, pupil_id: int, today: date, *, verified_only: bool = False
) -> list[dict[str, str]]:
    """The pupil's entries as display rows, the newest first (drafts are the pupil's and his family's)."""
    readable_pupil(session, principal, pupil_id, today)
    q = select(Achievement).where(Achievement.pupil_id == pupil_id, col(Achievement.deleted_at).is_(None))
    if verified_only:
        q = q.where(Achievement.status == "verified")
    elif principal.role not in ("pupil", "parent"):
        q = q.where(Achievement.status != "draft")
    rows = session.exec(q.order_by(col(Achievement.achieved_on).desc(), col(Achievement.id).desc())).all()
    return [_row(a) for a in rows]


def _check(entry: Entry, today: date) -> None:
    if entry.kind not in ACHIEVEMENT_KINDS:
        raise Refused("portfolio.error.kind", field="kind")
    if entry.level not in LEVELS:
        raise Refused("portfolio.error.level", field="level")
    if not entry.title.strip():
        raise Refused("portfolio.error.title", field="title")
    if entry.achieved_on is None:
        raise Refused("portfolio.error.date", field="achieved_on")
    if entry.achieved_on > today:
        raise Refused("portfolio.error.future", field="achieved_on")
    link = entry.link.strip()
    if link and not (link.startswith("https://") or link.startswith("http://")):
        raise Refused("portfolio.error.link", field="link")


def add(
    session: Session,
    principal: Principal,
    entry: Entry,
    today: date,
    evidence: bytes | None = None,
) -> Achievement:
    """The pupil's own new entry, a draft; evidence is a PDF, image or office file (private)."""
    if principal.role != "pupil" or principal.pupil_id is None or not principal.can("portfolio.write"):
        raise OutOfScope("portfolio.write: only the pupil adds his own entries")
    pupil = _pupil(session, principal, principal.pupil_id)
    _check(entry, today)
    a = Achievement(
        school_id=pupil.school_id,
        pupil_id=pupil.id,  # type: ignore[arg-type]
        kind=entry.kind,
        level=entry.level,
        place=entry.place.strip()[:PLACE_MAX],
        achieved_on=entry.achieved_on,  # type: ignore[arg-type]
        title=entry.title.strip()[:TITLE_MAX],
        description=entry.description.strip()[:DESCRIPTION_MAX],
        evidence_link=entry.link.strip()[:LINK_MAX],
        created_by=principal.user_id,
    )
    if evidence:
        stored = private_files.store("portfolio", pupil.school_id, evidence, max_bytes=EVIDENCE_MAX, office=True)
        a.evidence_name, a.evidence_sha256, a.evidence_type = stored.name, stored.sha256, stored.content_type
    session.add(a)
    session.flush()
    audit.record(session, principal, "create", "achievement", a.id, new=a.title, pupil_id=a.pupil_id)
    return a


def _own(session: Session, principal: Principal, achievement_id: int) -> Achievement:
    a = session.get(Achievement, achievement_id)
    if a is None or a.deleted_at is not None or principal.role != "pupil" or a.pupil_id != principal.pupil_id:
        raise NotFound(f"achievement {achievement_id}")
    return a


def submit(session: Session, principal: Principal, achievement_id: int) -> Achievement:
    """The pupil sends a draft (or a rejected entry, corrected) for verification."""
    a = _own(session, principal, achievement_id)
    if a.status not in ("draft", "rejected"):
        raise Refused("portfolio.error.not_draft")
    old = a.status
    a.status, a.submitted_at = "submitted", utcnow()
    session.add(a)
    audit.record(
        session, principal, "update", "achievement", a.id, field="status", old=old, new=a.status, pupil_id=a.pupil_id
    )
    return a


def remove_draft(session: Session, principal: Principal, achievement_id: int) -> None:
    """The pupil deletes his own draft (never a submitted or verified entry)."""
    a = _own(session, principal, achievement_id)
    if a.status != "draft":
        raise Refused("portfolio.error.not_draft")
    a.deleted_at = utcnow()
    session.add(a)
    audit.record(session, principal, "delete", "achievement", a.id, old=a.title, pupil_id=a.pupil_id)


def review(
    session: Session, principal: Principal, achievement_id: int, verdict: str, comment: str, today: date
) -> Achievement:
    """Verify or reject a submitted entry (a rejection says why); audited."""
    a = session.get(Achievement, achievement_id)
    if a is None or a.deleted_at is not None or a.status == "draft":
        raise NotFound(f"achievement {achievement_id}")
    readable_pupil(session, principal, a.pupil_id, today)
    if not may_verify(session, principal, a.pupil_id, today):
        raise OutOfScope("portfolio.verify: not his class")
    if verdict not in ("verified", "rejected"):
        raise Refused("portfolio.error.verdict", field="verdict")
    if a.status != "submitted":
        raise Refused("portfolio.error.not_submitted")
    comment = comment.strip()[:COMMENT_MAX]
    if verdict == "rejected" and not comment:
        raise Refused("portfolio.error.comment", field="comment")
    a.status, a.review_comment = verdict, comment
    a.reviewed_by, a.reviewer_name, a.reviewed_at = principal.user_id, principal.full_name, utcnow()
    session.add(a)
    audit.record(
        session,
        principal,
        "update",
        "achievement",
        a.id,
        field="status",
        old="submitted",
        new=verdict,
        reason=comment,
        pupil_id=a.pupil_id,
    )
    return a


def pending(session: Session, principal: Principal, today: date) -> list[dict[str, str]]:
    """Entries waiting for the principal's verification: his class's, or the school's for leaders."""
    if not principal.can("portfolio.verify") or principal.school_id is None:
        return []
    ids = [int(o["id"]) for o in pupil_options(session, principal, today)]
    if not ids:
        return []
    rows = session.exec(
        select(Achievement, Pupil)
        .join(Pupil, col(Pupil.id) == Achievement.pupil_id)
        .where(
            col(Achievement.pupil_id).in_(ids),
            Achievement.status == "submitted",
            col(Achievement.deleted_at).is_(None),
        )
        .order_by(col(Achievement.submitted_at))
    ).all()
    return [{**_row(a), "pupil": full_name(p), "pupil_id": str(p.id)} for a, p in rows]


def evidence_for(session: Session, principal: Principal, achievement_id: int, today: date) -> tuple[bytes, Achievement]:
    """The evidence file of an entry the principal may read (a draft only to the family)."""
    a = session.get(Achievement, achievement_id)
    if a is None or a.deleted_at is not None or not a.evidence_name:
        raise NotFound(f"achievement {achievement_id}")
    readable_pupil(session, principal, a.pupil_id, today)
    if a.status == "draft" and principal.role not in ("pupil", "parent"):
        raise NotFound(f"achievement {achievement_id}")
    data = private_files.read_verified("portfolio", a.evidence_name, a.evidence_sha256)
    if data is None:
        raise NotFound(f"achievement {achievement_id}: file missing or altered")
    audit.record(session, principal, "view", "achievement", a.id, field="evidence", pupil_id=a.pupil_id)
    return data, a


# --- the marks summary, the printable portfolio ------------------------------------------------


def year_marks(session: Session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    """The pupil's year marks per subject and year, from the journal's period marks (read-only)."""
    rows = session.exec(
        select(PeriodMark, Subject, AcademicYear)
        .join(Subject, col(Subject.id) == PeriodMark.subject_id)
        .join(AcademicYear, col(AcademicYear.id) == PeriodMark.academic_year_id)
        .where(PeriodMark.pupil_id == pupil_id, PeriodMark.kind == "year")
    ).all()
    # The latest year first, its subjects in the curriculum's order (services.curriculum).
    rows = sorted(rows, key=lambda row: (-row[2].starts_on.toordinal(), curriculum.subject_key(row[1])))
    out = []
    for pm, subject, year in rows:
        value = pm.special or ("" if pm.value is None else str(pm.value))
        if value:
            names = localized_names(subject)
            out.append(
                {
                    "year": year.name,
                    "subject": names.get(lang) or subject.name_ru,
                    **{f"subject_{code}": text for code, text in names.items()},
                    "value": value,
                }
            )
    return out


def portfolio_of(session: Session, pupil_id: int, lang: str, today: date) -> dict:
    """What the printed portfolio and the public page show: no PIN, address or birth date."""
    pupil = session.get(Pupil, pupil_id)
    if pupil is None:
        raise NotFound(f"pupil {pupil_id}")
    school = session.get(School, pupil.school_id)
    klass = _current_class(session, pupil_id, today)
    verified = session.exec(
        select(Achievement)
        .where(
            Achievement.pupil_id == pupil_id,
            Achievement.status == "verified",
            col(Achievement.deleted_at).is_(None),
        )
        .order_by(col(Achievement.achieved_on).desc())
    ).all()
    return {
        "name": full_name(pupil),
        "school": localized_name(school, lang) if school else "",
        "class": class_name(klass.grade, klass.letter) if klass else "",
        "language": klass.language if klass else lang,
        "entries": [
            {
                "title": a.title,
                "kind": t(f"portfolio.kind.{a.kind}", lang),
                "level": t(f"portfolio.level.{a.level}", lang),
                "place": a.place,
                "date": ddmmyyyy(a.achieved_on),
                "description": a.description,
                "verified_by": a.reviewer_name,
            }
            for a in verified
        ],
        "marks": year_marks(session, pupil_id, lang),
    }


def pupil_language(session: Session, pupil_id: int, today: date) -> str:
    """The language of the pupil's class (the printed portfolio's default)."""
    klass = _current_class(session, pupil_id, today)
    return klass.language if klass is not None and klass.language in ("ky", "ru", "en") else "ky"


# --- the public link ---------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _may_share(session: Session, principal: Principal, pupil_id: int) -> None:
    if not principal.can("portfolio.share") or pupil_id not in visible_pupil_ids_own(session, principal):
        raise NotFound(f"pupil {pupil_id}")


def _live_links(session: Session, pupil_id: int) -> list[PortfolioLink]:
    return list(
        session.exec(
            select(PortfolioLink).where(PortfolioLink.pupil_id == pupil_id, col(PortfolioLink.revoked_at).is_(None))
        ).all()
    )


def link_is_on(session: Session, pupil_id: int) -> bool:
    return bool(_live_links(session, pupil_id))


def link_on(session: Session, principal: Principal, pupil_id: int) -> str:
    """Switch the public link on: a new secret token (returned once), the old one revoked; audited."""
    _may_share(session, principal, pupil_id)
    for old in _live_links(session, pupil_id):
        old.revoked_at = utcnow()
        session.add(old)
    token = secrets.token_urlsafe(32)
    link = PortfolioLink(pupil_id=pupil_id, token_hash=_hash(token), created_by=principal.user_id)
    session.add(link)
    session.flush()
    audit.record(
        session, principal, "update", "portfolio_link", link.id, field="public", old="", new="on", pupil_id=pupil_id
    )
    return token


def link_off(session: Session, principal: Principal, pupil_id: int) -> None:
    """Switch the public link off (every live token of the pupil revoked); audited."""
    _may_share(session, principal, pupil_id)
    for old in _live_links(session, pupil_id):
        old.revoked_at = utcnow()
        session.add(old)
        audit.record(
            session,
            principal,
            "update",
            "portfolio_link",
            old.id,
            field="public",
            old="on",
            new="off",
            pupil_id=pupil_id,
        )


def public_pupil(session: Session, token: str) -> int | None:
    """The pupil of a live public token, or None (unknown, revoked, a pupil no longer on a list)."""
    if not token or len(token) > 100:
        return None
    link = session.exec(
        select(PortfolioLink).where(PortfolioLink.token_hash == _hash(token), col(PortfolioLink.revoked_at).is_(None))
    ).first()
    if link is None:
        return None
    pupil = session.get(Pupil, link.pupil_id)
    return None if pupil is None or getattr(pupil, "deleted_at", None) is not None else pupil.id


def public_url(token: str) -> str:
    return f"{PUBLIC_ROUTE}/{token}"


# --- the school's list -----------------------------------------------------------------------------

LEVEL_ORDER = {lv: i for i, lv in enumerate(reversed(LEVELS))}


def school_list(session: Session, principal: Principal, today: date, lang: str) -> list[dict[str, str]]:
    """Verified achievements of the current academic year: who won what, the highest level first."""
    if principal.role not in LEADERS or principal.school_id is None or not principal.can("portfolio.verify"):
        raise OutOfScope("portfolio: the school's list is the director's and the deputies'")
    year = current_year(session, principal.school_id)
    if year is None:
        return []
    rows = session.exec(
        select(Achievement, Pupil)
        .join(Pupil, col(Pupil.id) == Achievement.pupil_id)
        .where(
            Achievement.school_id == principal.school_id,
            Achievement.status == "verified",
            col(Achievement.deleted_at).is_(None),
            col(Achievement.achieved_on) >= year.starts_on,
            col(Achievement.achieved_on) <= year.ends_on,
        )
    ).all()
    out = []
    for a, p in rows:
        klass = _current_class(session, p.id, today)  # type: ignore[arg-type]
        out.append(
            {
                "pupil": full_name(p),
                "class": class_name(klass.grade, klass.letter) if klass else "",
                "kind": t(f"portfolio.kind.{a.kind}", lang),
                "level": t(f"portfolio.level.{a.level}", lang),
                "level_key": a.level,
                "place": a.place,
                "title": a.title,
                "date": ddmmyyyy(a.achieved_on),
                "_order": f"{LEVEL_ORDER[a.level]}|{a.achieved_on.isoformat()}|{p.sort_key}",
            }
        )
    out.sort(key=lambda r: r["_order"])
    for r in out:
        del r["_order"]
    return out


def school_list_xlsx(session: Session, principal: Principal, today: date, lang: str) -> tuple[bytes, str]:
    """The school's list as an XLSX (user text as text); the export is audited."""
    from bbbms_app.services.engine import xlsx

    rows = school_list(session, principal, today, lang)
    columns = [
        xlsx.Column(t("portfolio.col.pupil", lang), width=30),
        xlsx.Column(t("portfolio.col.class", lang), width=8),
        xlsx.Column(t("portfolio.col.level", lang), width=16),
        xlsx.Column(t("portfolio.col.kind", lang), width=16),
        xlsx.Column(t("portfolio.col.title", lang), width=40),
        xlsx.Column(t("portfolio.col.place", lang), width=12),
        xlsx.Column(t("portfolio.col.date", lang), width=12),
    ]
    data = xlsx.to_bytes(
        [
            xlsx.Sheet(
                t("portfolio.school_list", lang),
                columns,
                [[r["pupil"], r["class"], r["level"], r["kind"], r["title"], r["place"], r["date"]] for r in rows],
            )
        ],
        title=t("portfolio.school_list", lang),
    )
    audit.record(session, principal, "export", "achievement", reason=f"school list, {len(rows)} rows")
    return data, f"portfolio-{today.isoformat()}.xlsx"
