"""Order: the director's order, the legal ground of each line of the movement book."""

from sqlalchemy import func
from sqlmodel import select

from bbbms_app.models import MovementRecord, Order
from bbbms_app.models.movement import ORDER_KINDS
from bbbms_app.services.engine.profile import Profile
from bbbms_app.services.engine.spec import RelatedSpec


class OrderProfile(Profile):
    model = Order
    name = "order"
    route = "/orders"
    title_key = "movement.orders"
    item_key = "movement.order"
    icon = "stamp"
    read = "movement.read"
    write = "movement.write"
    columns = ("number", "date", "kind", "summary", "signed_by_id")
    form = (("movement.section.order", ("number", "date", "kind", "summary", "signed_by_id", "note")),)
    choices = {"kind": ("movement.order_kind", ORDER_KINDS)}
    import_columns = ("number", "date", "kind", "summary", "signed_by_id")
    natural_key = ("number", "date")
    filters = ("kind",)
    order = ("date", "number")
    related_tables = (
        RelatedSpec(
            "records",
            "movement.related.order_records",
            (
                ("name", "col.name"),
                ("kind", "movement.col.kind"),
                ("date", "movement.col.date"),
                ("from", "movement.col.from"),
                ("to", "movement.col.to"),
            ),
        ),
    )
    hide_on_phone = ("kind", "signed_by_id")
    menu = "sidebar"
    menu_order = 60
    search_parts = ("number", "summary")
    picker_newest_first = True  # orders pile up over the years

    def label(self, row, lang):
        from bbbms_app.services.movement import order_label

        return order_label(row, lang) + (f" {row.summary}" if row.summary else "")

    def delete_refusal(self, session, principal, row, today):
        n = session.exec(
            select(func.count())
            .select_from(MovementRecord)
            .where(MovementRecord.order_id == row.id, MovementRecord.deleted_at.is_(None))  # type: ignore[union-attr]
        ).one()
        return ("movement.error.order_in_use", {"count": n}) if n else None

    def related(self, session, row, lang, today):
        from bbbms_app.services import movement

        return {"records": movement.order_movements(session, row.id, lang)}

    def reference_names(self, row):
        return [f"{row.number} {row.date:%d.%m.%Y}", row.number]
