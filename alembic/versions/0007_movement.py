"""movement: the alphabetic book's numbers unique per school; where from / where to as categories

Revision ID: 0007_movement
Revises: 0006_guard
Create Date: 2026-12-02

movementrecord gains from_category / from_place / to_category / to_place (services/places.py, which checks
the values: same rayon, another rayon, another region, another country, and which one); the records written
before keep their free text and an empty category («not specified»). Every pupil without an
alphabetic-book number gets the next one of his surname's first letter, in the order he joined the
school (his first enrollment), and a number two pupils of one school shared is given anew to the
later one; then a partial unique index (school, number) where the number is not empty.
"""

import re
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007_movement"
down_revision: str | None = "0006_guard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER = re.compile(r"^\s*(\w)\s*/\s*(\d{1,5})\s*$")


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _number_pupils(conn) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT p.id, p.school_id, p.last_name, p.alpha_book_no,"
            " (SELECT min(e.starts_on) FROM enrollment e WHERE e.pupil_id = p.id) AS joined"
            " FROM pupil p"
        )
    ).all()
    # joined may be NULL (never on a list): those come last; then the Kyrgyz sort is not needed,
    # the id (the order they were written in) is the order of the book.
    rows = sorted(rows, key=lambda r: (r.school_id, r.joined is None, str(r.joined or ""), r.id))
    highest: dict[tuple[int, str], int] = defaultdict(int)
    taken: set[tuple[int, str]] = set()
    renumber = []
    for r in sorted(rows, key=lambda r: r.id):
        if not r.alpha_book_no:
            continue
        if (r.school_id, r.alpha_book_no) in taken:
            renumber.append(r)  # a number another pupil of the school already has
            continue
        taken.add((r.school_id, r.alpha_book_no))
        m = NUMBER.match(r.alpha_book_no)
        if m:
            key = (r.school_id, m.group(1).upper())
            highest[key] = max(highest[key], int(m.group(2)))
    wanted = {r.id for r in renumber} | {r.id for r in rows if not r.alpha_book_no}
    for r in rows:
        if r.id not in wanted:
            continue
        letter = (r.last_name or "").strip()[:1].upper() or "?"
        highest[(r.school_id, letter)] += 1
        number = f"{letter}/{highest[(r.school_id, letter)]}"
        while (r.school_id, number) in taken:
            highest[(r.school_id, letter)] += 1
            number = f"{letter}/{highest[(r.school_id, letter)]}"
        taken.add((r.school_id, number))
        conn.execute(sa.text("UPDATE pupil SET alpha_book_no = :n WHERE id = :id"), {"n": number, "id": r.id})


def upgrade() -> None:
    for column, length in (("from_category", 12), ("from_place", 40), ("to_category", 12), ("to_place", 40)):
        op.add_column("movementrecord", sa.Column(column, _text(length), server_default="", nullable=False))
    _number_pupils(op.get_bind())
    op.create_index(
        "uq_pupil_alpha_book",
        "pupil",
        ["school_id", "alpha_book_no"],
        unique=True,
        postgresql_where=sa.text("alpha_book_no <> ''"),
        sqlite_where=sa.text("alpha_book_no <> ''"),
    )


def downgrade() -> None:
    op.drop_index("uq_pupil_alpha_book", table_name="pupil")
    with op.batch_alter_table("movementrecord") as batch:
        for column in ("to_place", "to_category", "from_place", "from_category"):
            batch.drop_column(column)
