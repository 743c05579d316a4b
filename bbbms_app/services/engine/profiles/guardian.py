"""Guardian: a pupil's parent or other legal representative, linked with a relation; the card
lists his children. The import links him to a pupil by PIN and knows him without a PIN of his own
by his name among that pupil's guardians."""

from collections import defaultdict

from sqlalchemy import exists
from sqlmodel import select

from bbbms_app.i18n import t
from bbbms_app.models import Enrollment, Guardian, Pupil, PupilGuardian
from bbbms_app.models.people import RELATIONS
from bbbms_app.services import audit
from bbbms_app.services.access import SCHOOL_WIDE_ROLES, visible_class_ids
from bbbms_app.services.engine.profile import (
    PERSON,
    Profile,
    current_enrollment,
    person_name_column,
    profile_of,
    reference_fold,
)
from bbbms_app.services.engine.profiles.staff import PHONE, PIN
from bbbms_app.services.engine.spec import FieldSpec, RelatedSpec
from bbbms_app.services.school import full_name


class GuardianProfile(Profile):
    model = Guardian
    name = "guardian"
    route = "/guardians"
    title_key = "admin.guardians"
    item_key = "admin.guardian"
    icon = "heart-handshake"
    read = "guardian.read"
    write = "guardian.write"
    columns = ("name", "phone", "children", "pin")
    form = (
        ("admin.section.person", (*PERSON, "pin")),
        ("admin.section.contacts", ("phone", "address")),
    )
    overrides = {"pin": PIN, "phone": PHONE}
    virtual = (
        person_name_column(),
        FieldSpec("children", "admin.col.children", "text", virtual=True),
        FieldSpec("pupil_pin", "field.guardian.pupil_pin", "text", virtual=True, **PIN),  # type: ignore[arg-type]
        FieldSpec(
            "relation", "admin.col.relation", "choice", virtual=True, choices=RELATIONS, choice_prefix="admin.relation"
        ),
    )
    import_columns = (*PERSON, "pin", "pupil_pin", "relation")
    natural_key = ("pin",)
    order = ("sort_key",)
    related_tables = (
        RelatedSpec(
            "children",
            "admin.related.children",
            (("name", "col.name"), ("class_name", "col.class"), ("relation", "admin.col.relation")),
        ),
    )
    hide_on_phone = ("pin", "children")
    personal = True
    menu = "sidebar"
    menu_order = 20
    search_parts = (*PERSON, "pin", "phone")
    sort_parts = PERSON
    picker_searched = True

    def scope(self, session, principal, query, today):
        query = super().scope(session, principal, query, today)
        if principal.role in SCHOOL_WIDE_ROLES:
            return query
        classes = visible_class_ids(session, principal, today) or [-1]
        return query.where(
            exists().where(
                PupilGuardian.guardian_id == Guardian.id,
                Enrollment.pupil_id == PupilGuardian.pupil_id,
                Enrollment.class_id.in_(classes),  # type: ignore[union-attr]
                current_enrollment(today),
            )
        )

    def computed(self, session, rows, lang, today):
        out = super().computed(session, rows, lang, today)
        names: dict[int, list[str]] = defaultdict(list)
        ids = [r.id for r in rows]
        if ids:
            for guardian_id, last, first in session.exec(
                select(PupilGuardian.guardian_id, Pupil.last_name, Pupil.first_name)
                .join(Pupil, Pupil.id == PupilGuardian.pupil_id)  # type: ignore[arg-type]
                .where(PupilGuardian.guardian_id.in_(ids), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
                .order_by(Pupil.sort_key)
            ).all():
                names[guardian_id].append(f"{last} {first}")
        for gid, children in names.items():
            out[gid]["children"] = ", ".join(children)
        return out

    def check_save(self, session, principal, record_id, values):
        from bbbms_app.services import consent

        consent.check_save("guardian", session, principal, record_id, values)

    def related(self, session, row, lang, today):
        rows = session.exec(
            select(Pupil, PupilGuardian.relation)
            .join(PupilGuardian, PupilGuardian.pupil_id == Pupil.id)  # type: ignore[arg-type]
            .where(PupilGuardian.guardian_id == row.id, Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(Pupil.sort_key)
        ).all()
        classes = profile_of("pupil").computed(session, [p for p, _ in rows], lang, today)
        return {
            "children": [
                {
                    "id": str(p.id),
                    "name": full_name(p),
                    "class_name": classes.get(p.id, {}).get("class_name", ""),
                    "relation": t(f"admin.relation.{rel}", lang),
                }
                for p, rel in rows
            ]
        }

    # ------------------------------------------------------------------- import

    def import_key(self, values):
        if values.get("pin"):
            return None
        return tuple(reference_fold(str(values.get(p) or "")) for p in (*PERSON, "pupil_pin")), "last_name"

    def match_import(self, session, principal, rows, school_id, today, report):
        _match_without_pin(session, rows, school_id)
        pins = sorted({r.values["pupil_pin"] for r in rows if r.values.get("pupil_pin")})
        pupils_by_pin = dict(
            session.exec(
                _scoped(session, principal, select(Pupil.pin, Pupil.id), today).where(
                    Pupil.pin.in_(pins or [""]),  # type: ignore[union-attr]
                    Pupil.deleted_at.is_(None),  # type: ignore[union-attr]
                    # A PIN is unique per school only (a child who moved has a record in each).
                    Pupil.school_id == school_id,
                )
            ).all()
        )
        for r in rows:
            pin = r.values.get("pupil_pin")
            if pin and pin not in pupils_by_pin:
                report(r, "pupil_pin", "admin.import.no_pupil")
            elif pin:
                r.values["pupil_id"] = pupils_by_pin[pin]
                if not r.values.get("relation"):
                    report(r, "relation", "admin.error.required")

    def export_values(self, session, records, names, lang, today):
        """One row per child (his PIN and the relation), so the file imports back unchanged."""
        ids = [r.id for r in records]
        out: dict[int, list[dict]] = {}
        if "pupil_pin" not in names or not ids:
            return out
        for guardian_id, pin, relation in session.exec(
            select(PupilGuardian.guardian_id, Pupil.pin, PupilGuardian.relation)
            .join(Pupil, Pupil.id == PupilGuardian.pupil_id)  # type: ignore[arg-type]
            .where(PupilGuardian.guardian_id.in_(ids), Pupil.deleted_at.is_(None))  # type: ignore[union-attr]
            .order_by(PupilGuardian.guardian_id, Pupil.sort_key)
        ).all():
            out.setdefault(guardian_id, []).append(
                {"pupil_pin": pin or "", "relation": t(f"admin.relation.{relation}", lang)}
            )
        return out

    def after_import(self, session, principal, written):
        links = [(r.values["pupil_id"], gid, r.values["relation"]) for gid, r in written if r.values.get("pupil_id")]
        if links:
            link_guardians(session, principal, links)


def _scoped(session, principal, query, today):
    return profile_of("pupil").scope(session, principal, query, today) if principal is not None else query


def _match_without_pin(session, rows, school_id: int) -> None:
    """A guardian with no PIN is the same person as one of that pupil's guardians with his full name."""
    pins = sorted({r.values["pupil_pin"] for r in rows if not r.values.get("pin") and r.values.get("pupil_pin")})
    if not pins:
        return
    known = {}
    for guardian, pin in session.exec(
        select(Guardian, Pupil.pin)
        .join(PupilGuardian, PupilGuardian.guardian_id == Guardian.id)  # type: ignore[arg-type]
        .join(Pupil, Pupil.id == PupilGuardian.pupil_id)  # type: ignore[arg-type]
        .where(Pupil.pin.in_(pins), Guardian.school_id == school_id, Pupil.school_id == school_id)  # type: ignore[union-attr]
    ).all():
        known[(reference_fold(full_name(guardian)), pin)] = guardian
    for r in rows:
        if r.existing is None and not r.values.get("pin") and r.values.get("pupil_pin"):
            name = " ".join(str(r.values.get(p) or "") for p in PERSON)
            r.existing = known.get((reference_fold(name), r.values["pupil_pin"]))


# ------------------------------------------------------------------ pupil–guardian links


def pupil_guardians(session, pupil_id: int, lang: str) -> list[dict[str, str]]:
    """A pupil's live guardians, the primary one first, with the link's id and relation."""
    rows = session.exec(
        select(Guardian, PupilGuardian)
        .join(PupilGuardian, PupilGuardian.guardian_id == Guardian.id)  # type: ignore[arg-type]
        .where(PupilGuardian.pupil_id == pupil_id, Guardian.deleted_at.is_(None))  # type: ignore[union-attr]
        .order_by(PupilGuardian.is_primary.desc(), Guardian.sort_key)  # type: ignore[attr-defined]
    ).all()
    return [
        {
            "id": str(g.id),
            "link_id": str(link.id),
            "name": full_name(g),
            "relation": t(f"admin.relation.{link.relation}", lang),
            "phone": g.phone,
        }
        for g, link in rows
    ]


def link_guardian(session, principal, pupil_id: int, guardian_id: int, relation: str) -> None:
    """Link a guardian to a pupil with the relation (mother, father …); audited on the pupil."""
    from bbbms_app.services.engine.writes import OutOfScope, RecordInvalid, RecordNotFound, in_scope

    if relation not in RELATIONS:
        raise RecordInvalid({"relation": ("admin.error.choice", {})})
    for table, model, rid in (("pupil", Pupil, pupil_id), ("guardian", Guardian, guardian_id)):
        row = session.get(model, rid)
        if row is None or row.deleted_at is not None:
            raise RecordNotFound(table)
        # A guardian not yet linked to any reachable pupil is still in the school.
        reachable = principal is None or in_scope(session, table, principal, rid)
        if not reachable and (table == "pupil" or row.school_id != principal.school_id):
            raise OutOfScope(f"{table} {rid}")
    existing = session.exec(
        select(PupilGuardian).where(PupilGuardian.pupil_id == pupil_id, PupilGuardian.guardian_id == guardian_id)
    ).first()
    if existing is not None:
        if existing.relation == relation:
            return
        old = existing.relation
        existing.relation = relation
        session.add(existing)
        audit.record(
            session,
            principal,
            "update",
            "pupilguardian",
            existing.id,
            field="relation",
            old=old,
            new=relation,
            pupil_id=pupil_id,
        )
        return
    first = session.exec(select(PupilGuardian.id).where(PupilGuardian.pupil_id == pupil_id).limit(1)).first() is None
    link = PupilGuardian(pupil_id=pupil_id, guardian_id=guardian_id, relation=relation, is_primary=first)
    session.add(link)
    session.flush()
    audit.record(
        session,
        principal,
        "create",
        "pupilguardian",
        link.id,
        new=f"guardian {guardian_id}: {relation}",
        pupil_id=pupil_id,
    )


def link_guardians(session, principal, links: list[tuple[int, int, str]]) -> None:
    """Many (pupil, guardian, relation) links at once, for the import: the caller checked scope.

    An existing link keeps its id (its relation is updated if it changed); a pupil's first link
    is his primary one. Audited on the pupil, written in one flush.
    """
    pupil_ids = sorted({p for p, _g, _r in links})
    existing = {}
    with_links: set[int] = set()
    for start in range(0, len(pupil_ids), 500):
        chunk = pupil_ids[start : start + 500]
        for link in session.exec(select(PupilGuardian).where(PupilGuardian.pupil_id.in_(chunk))).all():  # type: ignore[attr-defined]
            existing[(link.pupil_id, link.guardian_id)] = link
            with_links.add(link.pupil_id)
    new = []
    for pupil_id, guardian_id, relation in links:
        link = existing.get((pupil_id, guardian_id))
        if link is not None:
            if link.relation != relation:
                audit.record(
                    session,
                    principal,
                    "update",
                    "pupilguardian",
                    link.id,
                    field="relation",
                    old=link.relation,
                    new=relation,
                    pupil_id=pupil_id,
                )
                link.relation = relation
                session.add(link)
            continue
        link = PupilGuardian(
            pupil_id=pupil_id, guardian_id=guardian_id, relation=relation, is_primary=pupil_id not in with_links
        )
        with_links.add(pupil_id)
        existing[(pupil_id, guardian_id)] = link
        new.append(link)
    session.add_all(new)
    session.flush()
    for link in new:
        audit.record(
            session,
            principal,
            "create",
            "pupilguardian",
            link.id,
            new=f"guardian {link.guardian_id}: {link.relation}",
            pupil_id=link.pupil_id,
        )


def unlink_guardian(session, principal, pupil_id: int, link_id: int) -> None:
    """Remove a pupil–guardian link (the guardian record itself stays)."""
    from bbbms_app.services.engine.writes import OutOfScope, RecordNotFound, in_scope

    link = session.get(PupilGuardian, link_id)
    if link is None or link.pupil_id != pupil_id:
        raise RecordNotFound("pupilguardian")
    if principal is not None and not in_scope(session, "pupil", principal, pupil_id):
        raise OutOfScope(f"pupil {pupil_id}")
    audit.record(
        session,
        principal,
        "delete",
        "pupilguardian",
        link.id,
        old=f"guardian {link.guardian_id}: {link.relation}",
        pupil_id=pupil_id,
        reason="unlinked",
    )
    session.delete(link)
    session.flush()
