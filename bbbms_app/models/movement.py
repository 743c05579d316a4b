"""The pupil movement book: the director's Order and the MovementRecord tied to it.

Every arrival, departure, class change, promotion and graduation is a MovementRecord that names
the director's order (number, date) and where the pupil came from or went to. Recording one also
starts or ends the pupil's Enrollment (services.movement), so the class lists and the journal follow
the book.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field

from bbbms_app.models._base import SoftDelete

ORDER_KINDS = ("enrollment", "departure", "transfer", "graduation", "other")
# retention: kept in the same grade — an enrollment in a class of the same grade in the next year
# under the year-end order (services/promotion.py).
MOVEMENT_KINDS = ("arrival", "departure", "transfer_in_school", "promotion", "graduation", "retention")


class Order(SoftDelete, table=True):
    """A director's order («приказ № 45 от 12.09.2025»): the legal ground of a movement."""

    __tablename__ = "order"  # type: ignore[assignment]
    __table_args__ = (
        # Numbers restart every year, so a number is unique together with its date.
        UniqueConstraint("school_id", "number", "date"),
        CheckConstraint("kind IN ('enrollment','departure','transfer','graduation','other')", name="order_kind"),
        Index("ix_order_school_date", "school_id", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    number: str = Field(max_length=20)
    date: date
    kind: str = Field(default="enrollment", max_length=20)
    summary: str = Field(default="", max_length=300)  # «О зачислении …»
    signed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    note: str = Field(default="", max_length=1000)
    search_key: str = Field(default="", max_length=400)


class MovementRecord(SoftDelete, table=True):
    """One line of the movement book: a pupil arrived, left, changed class, was promoted or graduated."""

    __table_args__ = (
        CheckConstraint(
            "kind IN ('arrival','departure','transfer_in_school','promotion','graduation','retention')",
            name="movement_kind",
        ),
        Index("ix_movementrecord_school_date", "school_id", "date"),
        Index("ix_movementrecord_pupil", "pupil_id", "date"),
        Index("ix_movementrecord_order", "order_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    pupil_id: int = Field(foreign_key="pupil.id")
    kind: str = Field(max_length=20)
    date: date
    order_id: int = Field(foreign_key="order.id")
    from_class_id: int | None = Field(default=None, foreign_key="schoolclass.id")
    to_class_id: int | None = Field(default=None, foreign_key="schoolclass.id")
    from_school: str = Field(default="", max_length=300)  # where from: school, rayon, region or country
    to_school: str = Field(default="", max_length=300)  # where to
    # Where from / where to as the statistics count it (services/places.py): a category and, for
    # another rayon, region or country, which one (a code of bbbms_app/data/kg_places.csv). Empty:
    # not specified (records written before the categories keep only their text).
    from_category: str = Field(default="", max_length=12, sa_column_kwargs={"server_default": ""})
    from_place: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    to_category: str = Field(default="", max_length=12, sa_column_kwargs={"server_default": ""})
    to_place: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    reason: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=1000)
    search_key: str = Field(default="", max_length=400)  # the pupil's name, PIN and the order's number
