"""MovementRecord: the movement book. A record is created through services/movement.py's rules
(checked as a save rule, the enrollment moved after the insert); once written only its reason and
note change, and it is never deleted (a mistake is corrected by the opposite movement)."""

from sqlalchemy import or_
from sqlmodel import select

from bbbms_app.i18n import format_date, t
from bbbms_app.models import AcademicYear, MovementRecord, Order, Pupil
from bbbms_app.models.movement import MOVEMENT_KINDS
from bbbms_app.services import places
from bbbms_app.services.access import SCHOOL_WIDE_ROLES
from bbbms_app.services.engine.profile import Profile, profile_of, rows_by_id
from bbbms_app.services.engine.spec import FieldSpec

PLACE_FIELDS = ("from_category", "from_place", "to_category", "to_place")
BOOKS = {
    "arrivals_departures": ("arrival", "departure", "graduation"),
    "inside": ("transfer_in_school", "promotion", "retention"),
}
WRITTEN_ONCE = ("kind", "pupil_id", "date", "order_id", "to_class_id", "from_school", "to_school", *PLACE_FIELDS)


class MovementProfile(Profile):
    model = MovementRecord
    name = "movement"
    route = "/movement"
    title_key = "movement.nav"
    item_key = "movement.item"
    icon = "arrow-left-right"
    read = "movement.read"
    write = "movement.write"
    columns = ("date", "pupil_id", "kind", "order", "from", "to", "reason")  # as the paper book: date, who, what
    form = (
        ("movement.section.movement", ("kind", "pupil_id", "date", "order_id", "to_class_id")),
        (
            "movement.section.where",
            ("from_category", "from_place", "from_school", "to_category", "to_place", "to_school", "reason", "note"),
        ),
    )
    # services/movement.py: once written only the reason and the note change (the places are part
    # of the record's search key, made when it is written).
    fixed_after_create = WRITTEN_ONCE
    choices = {
        "kind": ("movement.kind", MOVEMENT_KINDS),
        "from_category": ("place.category", places.CATEGORIES),
        "to_category": ("place.to", places.CATEGORIES),
        "from_place": ("place", places.CODES),
        "to_place": ("place", places.CODES),
    }
    virtual = (
        FieldSpec("order", "movement.col.order", "text", virtual=True, sort_by=("order_id",)),
        FieldSpec("from", "movement.col.from", "text", virtual=True),
        FieldSpec("to", "movement.col.to", "text", virtual=True),
        FieldSpec(
            "academic_year_id", "field.movementrecord.academic_year_id", "fk", virtual=True, fk_table="academicyear"
        ),
        FieldSpec("class_id", "field.movementrecord.class_id", "fk", virtual=True, fk_table="schoolclass"),
        FieldSpec(
            "book",
            "field.movementrecord.book",
            "choice",
            virtual=True,
            choices=tuple(BOOKS),
            choice_prefix="movement.book",
        ),
    )
    # The paper's arrivals and departures book lists who came and who left (graduates too); class
    # changes and promotions inside the school are the other view of the same records.
    filters = ("book", "kind", "academic_year_id", "class_id")
    default_filters = {"book": "arrivals_departures"}
    order = ("date",)
    hide_on_phone = ("order", "from", "to", "reason")
    personal = True
    menu = "sidebar"
    menu_order = 50
    delete_refusal_key = "movement.error.no_delete"

    def label(self, row, lang):
        return f"{t(f'movement.kind.{row.kind}', lang)}, {format_date(row.date, lang)}"

    def scope(self, session, principal, query, today):
        query = super().scope(session, principal, query, today)
        if principal.role in SCHOOL_WIDE_ROLES:
            return query
        # A role the director gave movement.read: his classes' pupils only.
        pupils = profile_of("pupil").scope(session, principal, select(Pupil.id), today)
        return query.where(MovementRecord.pupil_id.in_(pupils))  # type: ignore[union-attr]

    def computed(self, session, rows, lang, today):
        from bbbms_app.services import movement
        from bbbms_app.services.engine.listing import labels_for

        orders = rows_by_id(session, Order, (r.order_id for r in rows))
        classes = labels_for(session, "schoolclass", [c for r in rows for c in (r.from_class_id, r.to_class_id)], lang)
        return {
            r.id: {
                "order": movement.order_label(orders[r.order_id], lang) if r.order_id in orders else "",
                "from": movement.where(classes.get(r.from_class_id, ""), movement.place_text(r, "from", lang)),
                "to": movement.where(classes.get(r.to_class_id, ""), movement.place_text(r, "to", lang)),
            }
            for r in rows
        }

    def filter_options(self, session, principal, name, lang):
        if name == "class_id":
            from bbbms_app.services.engine.listing import picker_options

            return picker_options(session, principal, "schoolclass", lang)
        return None

    def apply_filter(self, name, value, query, today):
        if name == "book":
            return query.where(MovementRecord.kind.in_(BOOKS[value]))  # type: ignore[attr-defined]
        if name == "class_id":
            return query.where(
                or_(MovementRecord.from_class_id == int(value), MovementRecord.to_class_id == int(value))
            )
        if name == "academic_year_id":
            year = AcademicYear.id == int(value)
            return query.where(
                MovementRecord.date >= select(AcademicYear.starts_on).where(year).scalar_subquery(),
                MovementRecord.date <= select(AcademicYear.ends_on).where(year).scalar_subquery(),
            )
        return None

    def check_save(self, session, principal, record_id, values):
        """A new record is checked whole; an edit changes only the reason and the note."""
        from bbbms_app.services import movement

        if record_id is None:
            movement.check(session, principal, dict(values))

    def after_create(self, session, principal, created, today):
        from bbbms_app.services import movement

        for row, _values in created:
            plan = movement.check(session, principal, row.model_dump(), school_id=row.school_id)
            movement.apply(session, principal, row, plan)
