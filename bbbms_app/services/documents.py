"""The register of internal documents (issue 17 #5): drafts, versions, approval, readers, acknowledgements.

Decisions:
- **Numbering.** A document gets its number when the director approves it: the next number of its
  school × kind × year (the year of its date), «№ 12». A draft has none, so an abandoned draft
  leaves no gap; the database's unique key (school, kind, year, number) holds it under concurrent
  approvals (a clash retries with the next number).
- **Versions.** Each uploaded file is a new version (1, 2, …); none is replaced or removed. A
  version is stored privately (services.private_files, kind «documents», office files allowed,
  told by content, at most MAX_BYTES) and downloaded through `/private/document/{version_id}`
  (api/private_files.py): whoever may read the document may download every version of it; anyone
  else gets 404.
- **Who reads.** Its author and the director and deputy always; a draft nobody else. Once approved
  (or cancelled: kept for the record, marked so), the staff it is addressed to: the named users and
  the staff of the chosen roles («teacher» covers class teachers); neither chosen: all staff of the
  school. Families never (they hold no `document.read`).
- **Acknowledgement.** An addressee of an approved document acknowledges it once («read and
  acknowledged», with the version he read); its author and the director/deputy see who has and
  who has not.
- **The movement book's orders** are not copied: the listing reads the `order` table and shows
  its rows as orders (read-only, number as written there, linked to /orders) to those who may read
  the movement book. One truth: an order edited there is edited here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, literal, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bbbms_app.i18n.collation import normalize, search_key
from bbbms_app.models import Order, User
from bbbms_app.models._base import utcnow
from bbbms_app.models.documents import (
    DOCUMENT_KINDS,
    Document,
    DocumentAck,
    DocumentReader,
    DocumentVersion,
)
from bbbms_app.services import audit, private_files
from bbbms_app.services.access import Principal
from bbbms_app.services.errors import NotFound, OutOfScope, Refused

MANAGERS = frozenset({"director", "deputy"})
STAFF_ROLES = ("administrator", "director", "deputy", "teacher", "class_teacher", "clerk")
READER_ROLES = ("teacher", "class_teacher", "deputy", "clerk", "administrator")
# How long a kind is kept, in years (the school's nomenclature of cases: orders, the council's
# minutes and local acts are kept permanently — 75 years here —, plans and reports 5).
RETENTION_DEFAULTS = {"order": 75, "plan": 5, "minutes": 75, "local_act": 75, "report": 5, "other": 5}
TITLE_MAX = 300
DESCRIPTION_MAX = 2000
REASON_MAX = 500
NAME_MAX = 200
MAX_BYTES = 20 * 1024 * 1024
ROUTE = "/private/document"


@dataclass(frozen=True)
class Draft:
    """What the new-document form sends, parsed by the page."""

    kind: str
    title: str
    doc_date: date
    description: str = ""
    reader_roles: tuple[str, ...] = ()
    reader_ids: tuple[int, ...] = field(default_factory=tuple)
    retention_years: int | None = None


def manages(principal: Principal, doc: Document) -> bool:
    """Its author, or the school's director or deputy."""
    return doc.school_id == principal.school_id and (doc.author_id == principal.user_id or principal.role in MANAGERS)


def _named(session: Session, document_id: int) -> set[int]:
    return set(session.exec(select(DocumentReader.user_id).where(DocumentReader.document_id == document_id)).all())


def _roles_of(doc: Document) -> list[str]:
    return [r for r in doc.reader_roles.split(",") if r]


def _role_matches(role: str, roles: list[str]) -> bool:
    return role in roles or (role == "class_teacher" and "teacher" in roles)


def addressed_to(session: Session, principal: Principal, doc: Document) -> bool:
    """Whether the document (approved or cancelled) is addressed to the principal."""
    if principal.role not in STAFF_ROLES or doc.school_id != principal.school_id:
        return False
    roles, named = _roles_of(doc), _named(session, doc.id)  # type: ignore[arg-type]
    if not roles and not named:
        return True
    return _role_matches(principal.role, roles) or principal.user_id in named


def can_read(session: Session, principal: Principal, doc: Document) -> bool:
    """The read rule of the module's docstring."""
    if not principal.can("document.read") or doc.school_id != principal.school_id:
        return False
    if manages(principal, doc):
        return True
    return doc.status != "draft" and addressed_to(session, principal, doc)


def readable(session: Session, principal: Principal, document_id: int) -> Document:
    """The document when the principal may read it; NotFound otherwise (he learns nothing of it)."""
    doc = session.get(Document, document_id)
    if doc is None or not can_read(session, principal, doc):
        raise NotFound(f"document {document_id}")
    return doc


def _visible(principal: Principal):
    """The SQL form of `can_read` for the listing."""
    base = Document.school_id == principal.school_id
    if principal.role in MANAGERS:
        return base
    roles = [principal.role, "teacher"] if principal.role == "class_teacher" else [principal.role]
    padded = literal(",") + Document.reader_roles + literal(",")
    has_named = exists().where(DocumentReader.document_id == Document.id)
    me_named = exists().where(DocumentReader.document_id == Document.id, DocumentReader.user_id == principal.user_id)
    addressed = or_(
        and_(Document.reader_roles == "", ~has_named),
        *[padded.like(f"%,{r},%") for r in roles],
        me_named,
    )
    if principal.role not in STAFF_ROLES:
        addressed = literal(False)
    return and_(base, or_(Document.author_id == principal.user_id, and_(Document.status != "draft", addressed)))


def number_label(doc: Document) -> str:
    return f"№ {doc.number}" if doc.number is not None else ""


def _row(doc: Document) -> dict[str, str]:
    return {
        "id": str(doc.id),
        "source": "register",
        "kind": doc.kind,
        "number": number_label(doc),
        "date": doc.doc_date.strftime("%d.%m.%Y"),
        "title": doc.title,
        "description": doc.description,
        "author": doc.author_name,
        "status": doc.status,
        "href": f"/documents?doc={doc.id}",
    }


def _order_row(order: Order) -> dict[str, str]:
    return {
        "id": f"order-{order.id}",
        "source": "movement",
        "kind": "order",
        "number": f"№ {order.number}",
        "date": order.date.strftime("%d.%m.%Y"),
        "title": order.summary,
        "description": order.note,
        "author": "",
        "status": "approved",
        "href": "/orders",
    }


def listing(
    session: Session, principal: Principal, *, search: str = "", kind: str = "", limit: int = 50
) -> list[dict[str, str]]:
    """The register as the principal may read it, newest first: its documents and, to those who
    read the movement book, the movement book's orders (kind «order»). `search` matches the title
    and description in any letter case; `kind` narrows to one kind."""
    if principal.school_id is None or not principal.can("document.read"):
        raise OutOfScope("document.read")
    if kind and kind not in DOCUMENT_KINDS:
        raise Refused("docs.error.kind", field="kind")
    needle = search_key(search)
    q = select(Document).where(_visible(principal))
    if kind:
        q = q.where(Document.kind == kind)
    if needle:
        q = q.where(col(Document.search_key).contains(needle, autoescape=True))
    docs = session.exec(q.order_by(col(Document.doc_date).desc(), col(Document.id).desc()).limit(limit)).all()
    rows = [(d.doc_date, d.id or 0, _row(d)) for d in docs]
    if kind in ("", "order") and principal.can("movement.read"):
        oq = select(Order).where(Order.school_id == principal.school_id, col(Order.deleted_at).is_(None))
        if needle:
            oq = oq.where(col(Order.search_key).contains(needle, autoescape=True))
        orders = session.exec(oq.order_by(col(Order.date).desc(), col(Order.id).desc()).limit(limit)).all()
        rows += [(o.date, -(o.id or 0), _order_row(o)) for o in orders]
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [r[2] for r in rows[:limit]]


def _check(session: Session, principal: Principal, draft: Draft) -> None:
    if principal.school_id is None or not principal.can("document.write"):
        raise OutOfScope("document.write")
    if draft.kind not in DOCUMENT_KINDS:
        raise Refused("docs.error.kind", field="kind")
    title = normalize(draft.title)
    if not title:
        raise Refused("docs.error.title", field="title")
    if len(title) > TITLE_MAX or len(draft.description) > DESCRIPTION_MAX:
        raise Refused("docs.error.too_long", field="description", max=DESCRIPTION_MAX)
    if any(r not in READER_ROLES for r in draft.reader_roles):
        raise Refused("docs.error.readers", field="reader_roles")
    if draft.retention_years is not None and not 1 <= draft.retention_years <= 100:
        raise Refused("docs.error.retention", field="retention_years")
    if draft.reader_ids:
        found = session.exec(
            select(func.count()).where(
                col(User.id).in_(set(draft.reader_ids)),
                User.school_id == principal.school_id,
                col(User.role).in_(STAFF_ROLES),
            )
        ).one()
        if found != len(set(draft.reader_ids)):
            raise Refused("docs.error.readers", field="reader_ids")


def create(session: Session, principal: Principal, draft: Draft) -> Document:
    """Register a draft (no number yet), audited; its file comes as its first version (`add_version`)."""
    _check(session, principal, draft)
    title, description = normalize(draft.title), draft.description.strip()
    doc = Document(
        school_id=principal.school_id,  # type: ignore[arg-type]
        kind=draft.kind,
        year=draft.doc_date.year,
        doc_date=draft.doc_date,
        title=title,
        description=description,
        search_key=search_key(title, description),
        author_id=principal.user_id,
        author_name=principal.full_name or principal.username,
        reader_roles=",".join(r for r in READER_ROLES if r in draft.reader_roles),
        retention_years=draft.retention_years or RETENTION_DEFAULTS[draft.kind],
    )
    session.add(doc)
    session.flush()
    for uid in sorted(set(draft.reader_ids)):
        session.add(DocumentReader(document_id=doc.id, user_id=uid))  # type: ignore[arg-type]
    audit.record(
        session,
        principal,
        "create",
        "document",
        doc.id,
        new=f"{doc.kind} {doc.doc_date.isoformat()} {doc.title}",
        reason=f"readers: {doc.reader_roles or '-'}; named {len(set(draft.reader_ids))}",
    )
    return doc


def _managed(session: Session, principal: Principal, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None or doc.school_id != principal.school_id or not can_read(session, principal, doc):
        raise NotFound(f"document {document_id}")
    if not manages(principal, doc):
        raise OutOfScope(f"document {document_id}: not its author")
    return doc


def add_version(
    session: Session, principal: Principal, document_id: int, data: bytes, original_name: str = ""
) -> DocumentVersion:
    """A new file of the document (its author, the director, the deputy): the next version; the
    old ones stay. Checked by size and content; a cancelled document takes no new file."""
    if not principal.can("document.write"):
        raise OutOfScope("document.write")
    doc = _managed(session, principal, document_id)
    if doc.status == "cancelled":
        raise Refused("docs.error.cancelled", field="file")
    stored = private_files.store("documents", doc.school_id, data, max_bytes=MAX_BYTES, office=True)
    last = session.exec(select(func.max(DocumentVersion.number)).where(DocumentVersion.document_id == doc.id)).one()
    version = DocumentVersion(
        document_id=doc.id,  # type: ignore[arg-type]
        number=(last or 0) + 1,
        file_name=stored.name,
        original_name=normalize(original_name.replace("/", " ").replace("\\", " "))[:NAME_MAX],
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        uploaded_by=principal.full_name or principal.username,
    )
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:  # another upload took this number a moment ago
        private_files.remove("documents", stored.name)
        raise Refused("docs.error.busy", field="file") from None
    audit.record(
        session,
        principal,
        "create",
        "document_version",
        version.id,
        field=f"document:{doc.id}",
        new=f"v{version.number} {stored.content_type} {stored.size} B sha256 {stored.sha256[:16]}",
    )
    return version


def approve(session: Session, principal: Principal, document_id: int) -> Document:
    """The director approves a draft that has a file: it gets the next number of its kind and year."""
    if not principal.can("document.approve"):
        raise OutOfScope("document.approve")
    doc = readable(session, principal, document_id)
    if doc.status != "draft":
        raise Refused("docs.error.not_draft", field="status")
    has_file = session.exec(select(DocumentVersion.id).where(DocumentVersion.document_id == doc.id).limit(1)).first()
    if has_file is None:
        raise Refused("docs.error.no_file", field="file")
    for _attempt in range(5):
        last = session.exec(
            select(func.max(Document.number)).where(
                Document.school_id == doc.school_id, Document.kind == doc.kind, Document.year == doc.year
            )
        ).one()
        try:
            with session.begin_nested():
                doc.number = (last or 0) + 1
                doc.status = "approved"
                doc.approved_at = utcnow()
                doc.approved_by = principal.full_name or principal.username
                session.add(doc)
                session.flush()
            break
        except IntegrityError:  # another approval of the same kind and year took that number
            session.refresh(doc)
    else:
        raise Refused("docs.error.busy", field="status")
    audit.record(
        session,
        principal,
        "update",
        "document",
        doc.id,
        field="status",
        old="draft",
        new=f"approved {number_label(doc)}",
    )
    return doc


def cancel(session: Session, principal: Principal, document_id: int, reason: str) -> Document:
    """The director cancels an approved document, with a reason; it stays in the register, marked."""
    if not principal.can("document.approve"):
        raise OutOfScope("document.approve")
    doc = readable(session, principal, document_id)
    reason = normalize(reason)
    if not reason:
        raise Refused("docs.error.reason", field="reason")
    if len(reason) > REASON_MAX:
        raise Refused("docs.error.too_long", field="reason", max=REASON_MAX)
    if doc.status != "approved":
        raise Refused("docs.error.not_approved", field="status")
    doc.status = "cancelled"
    doc.cancelled_at = utcnow()
    doc.cancel_reason = reason
    session.add(doc)
    audit.record(
        session, principal, "update", "document", doc.id, field="status", old="approved", new="cancelled", reason=reason
    )
    return doc


def _latest(session: Session, document_id: int) -> int:
    return (
        session.exec(select(func.max(DocumentVersion.number)).where(DocumentVersion.document_id == document_id)).one()
        or 0
    )


def acknowledge(session: Session, principal: Principal, document_id: int) -> bool:
    """«Read and acknowledged» by an addressee of an approved document; True when it is new. Once
    per person (a second time changes nothing)."""
    doc = readable(session, principal, document_id)
    if doc.status != "approved" or not addressed_to(session, principal, doc):
        raise Refused("docs.error.not_addressed", field="ack")
    seen = session.exec(
        select(DocumentAck.id).where(DocumentAck.document_id == doc.id, DocumentAck.user_id == principal.user_id)
    ).first()
    if seen is not None:
        return False
    try:
        with session.begin_nested():  # another tab of his may have recorded it a moment ago
            session.add(
                DocumentAck(document_id=doc.id, user_id=principal.user_id, version_number=_latest(session, doc.id))  # type: ignore[arg-type]
            )
    except IntegrityError:
        return False
    audit.record(session, principal, "create", "document_ack", doc.id, new=number_label(doc))
    return True


def addressees(session: Session, doc: Document) -> list[tuple[int, str]]:
    """The active staff accounts the document is addressed to: (user id, name), by name."""
    roles, named = _roles_of(doc), _named(session, doc.id)  # type: ignore[arg-type]
    q = select(User.id, User.full_name, User.username, User.role).where(
        User.school_id == doc.school_id, col(User.is_active).is_(True), col(User.role).in_(STAFF_ROLES)
    )
    people = []
    for uid, name, username, role in session.exec(q).all():
        if (not roles and not named) or _role_matches(role, roles) or uid in named:
            people.append((uid, name or username))
    return sorted(people, key=lambda p: p[1])


def card(session: Session, principal: Principal, document_id: int) -> dict:
    """One document as its card shows it: the row, its versions (newest first), the principal's own
    acknowledgement, and — for its author and the director/deputy — who has and has not acknowledged."""
    doc = readable(session, principal, document_id)
    versions = session.exec(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id)
        .order_by(col(DocumentVersion.number).desc())
    ).all()
    acks = {
        uid: (n, at)
        for uid, n, at in session.exec(
            select(DocumentAck.user_id, DocumentAck.version_number, DocumentAck.acked_at).where(
                DocumentAck.document_id == doc.id
            )
        ).all()
    }
    addressed = doc.status == "approved" and addressed_to(session, principal, doc)
    named = _named(session, doc.id)  # type: ignore[arg-type]
    out: dict = {
        "doc": {
            **_row(doc),
            "retention": str(doc.retention_years),
            "keep_until": str(doc.year + doc.retention_years),
            "reader_roles": doc.reader_roles,
            "named": str(len(named)),
            "approved_by": doc.approved_by,
            "cancel_reason": doc.cancel_reason,
            "can_ack": "1" if addressed and principal.user_id not in acks else "",
            "acked": "1" if principal.user_id in acks else "",
            "manages": "1" if manages(principal, doc) else "",
            "can_approve": "1" if principal.can("document.approve") and doc.status == "draft" and versions else "",
            "can_cancel": "1" if principal.can("document.approve") and doc.status == "approved" else "",
            "can_upload": "1"
            if manages(principal, doc) and principal.can("document.write") and doc.status != "cancelled"
            else "",
        },
        "versions": [
            {
                "id": str(v.id),
                "number": str(v.number),
                "name": v.original_name or f"v{v.number}",
                "size": f"{max(1, round(v.size / 1024))} KB",
                "type": v.file_name.rsplit(".", 1)[-1].upper(),
                "by": v.uploaded_by,
                "at": v.uploaded_at.strftime("%d.%m.%Y"),
                "href": f"{ROUTE}/{v.id}",
            }
            for v in versions
        ],
        "acked": [],
        "not_acked": [],
    }
    if manages(principal, doc) and doc.status != "draft":
        for uid, name in addressees(session, doc):
            if uid in acks:
                out["acked"].append(
                    {"name": name, "at": acks[uid][1].strftime("%d.%m.%Y"), "version": str(acks[uid][0])}
                )
            else:
                out["not_acked"].append({"name": name})
    return out


def version_for(session: Session, principal: Principal, version_id: object) -> tuple[DocumentVersion, Document]:
    """A version for its download: whoever may read its document; NotFound for anyone else."""
    try:
        vid = int(version_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound("document version") from None
    version = session.get(DocumentVersion, vid)
    if version is None:
        raise NotFound(f"document version {vid}")
    doc = readable(session, principal, version.document_id)
    return version, doc


def staff_options(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The school's active staff accounts a document may name as readers."""
    if principal.school_id is None:
        return []
    rows = session.exec(
        select(User.id, User.full_name, User.username).where(
            User.school_id == principal.school_id, col(User.is_active).is_(True), col(User.role).in_(STAFF_ROLES)
        )
    ).all()
    return sorted(({"id": str(i), "name": n or u} for i, n, u in rows), key=lambda o: o["name"])
