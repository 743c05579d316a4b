"""register: the register of internal documents (issue 17 #5)

Revision ID: 0013_register
Revises: 0012_movement2
Create Date: 2026-12-02

Four new tables (models/documents.py): `document` (kind, number per school × kind × year given at
approval, date, title, description and its search key, author, status, reader roles, retention),
`documentversion` (each file kept), `documentreader` (named readers) and `documentack` (read and
acknowledged). Announcements (issue 17 #1's remainder): `announcementrecipient` (the named people
of the new audience «people») and `announcementattachment` (private files); the check of
`announcement.audience` admits 'people'. PostgreSQL changes the check in place; SQLite rebuilds the
table (batch mode, foreign keys off as alembic/env.py runs it) and puts back any index the rebuild
changed, then refuses to commit if a row points at nothing (`PRAGMA foreign_key_check`), as
0008_house does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0013_register"
down_revision: str | None = "0012_movement2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_AUDIENCE = "audience IN ('school','grade','class','role')"
NEW_AUDIENCE = "audience IN ('school','grade','class','role','people')"


def _audience_check(sql: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_announcement_audience"), "announcement", type_="check")
        op.create_check_constraint(op.f("ck_announcement_audience"), "announcement", sql)
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    saved = bind.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'announcement' "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    ).all()
    with op.batch_alter_table("announcement", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_announcement_audience"), type_="check")
        batch.create_check_constraint(op.f("ck_announcement_audience"), sa.text(sql))
    now = dict(
        bind.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'announcement' AND type IN ('index', 'trigger')"
        ).all()
    )
    for type_, name, index_sql in saved:
        if now.get(name) == index_sql:
            continue
        if name in now:
            bind.exec_driver_sql(f'DROP {type_.upper()} "{name}"')
        bind.exec_driver_sql(index_sql)
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rebuilding announcement left rows pointing at nothing: {broken[:5]}")


def upgrade() -> None:
    _audience_check(NEW_AUDIENCE)
    op.create_table(
        "announcementattachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcementattachment_announcement_id_announcement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcementattachment")),
    )
    with op.batch_alter_table("announcementattachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_announcementattachment_announcement_id"), ["announcement_id"], unique=False
        )
    op.create_table(
        "announcementrecipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcementrecipient_announcement_id_announcement"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_announcementrecipient_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcementrecipient")),
        sa.UniqueConstraint(
            "announcement_id", "user_id", name=op.f("uq_announcementrecipient_announcement_id_user_id")
        ),
    )
    with op.batch_alter_table("announcementrecipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcementrecipient_announcement_id"), ["announcement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcementrecipient_user_id"), ["user_id"], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("search_key", sqlmodel.sql.sqltypes.AutoString(length=2400), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reader_roles", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('order','plan','minutes','local_act','report','other')", name=op.f("ck_document_kind")
        ),
        sa.CheckConstraint("status = 'draft' OR number IS NOT NULL", name=op.f("ck_document_numbered")),
        sa.CheckConstraint("status IN ('draft','approved','cancelled')", name=op.f("ck_document_status")),
        sa.CheckConstraint("retention_years BETWEEN 1 AND 100", name=op.f("ck_document_retention")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_document_author_id_user")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_document_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("school_id", "kind", "year", "number", name=op.f("uq_document_school_id_kind_year_number")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_document_list", ["school_id", "doc_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_school_id"), ["school_id"], unique=False)

    op.create_table(
        "documentack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_documentack_document_id_document")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_documentack_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentack")),
        sa.UniqueConstraint("document_id", "user_id", name=op.f("uq_documentack_document_id_user_id")),
    )
    with op.batch_alter_table("documentack", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documentack_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documentack_user_id"), ["user_id"], unique=False)

    op.create_table(
        "documentreader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_documentreader_document_id_document")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_documentreader_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentreader")),
        sa.UniqueConstraint("document_id", "user_id", name=op.f("uq_documentreader_document_id_user_id")),
    )
    with op.batch_alter_table("documentreader", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documentreader_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documentreader_user_id"), ["user_id"], unique=False)

    op.create_table(
        "documentversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_documentversion_document_id_document")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentversion")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_documentversion_document_id_number")),
    )
    with op.batch_alter_table("documentversion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documentversion_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    op.execute(
        "DELETE FROM announcementread WHERE announcement_id IN (SELECT id FROM announcement WHERE audience = 'people')"
    )
    op.execute("DELETE FROM announcementrecipient")
    op.execute("DELETE FROM announcementattachment")
    op.execute("DELETE FROM announcement WHERE audience = 'people'")
    with op.batch_alter_table("announcementrecipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcementrecipient_user_id"))
        batch_op.drop_index(batch_op.f("ix_announcementrecipient_announcement_id"))
    op.drop_table("announcementrecipient")
    with op.batch_alter_table("announcementattachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcementattachment_announcement_id"))
    op.drop_table("announcementattachment")
    _audience_check(OLD_AUDIENCE)
    with op.batch_alter_table("documentversion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentversion_document_id"))

    op.drop_table("documentversion")
    with op.batch_alter_table("documentreader", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentreader_user_id"))
        batch_op.drop_index(batch_op.f("ix_documentreader_document_id"))

    op.drop_table("documentreader")
    with op.batch_alter_table("documentack", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentack_user_id"))
        batch_op.drop_index(batch_op.f("ix_documentack_document_id"))

    op.drop_table("documentack")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_school_id"))
        batch_op.drop_index("ix_document_list")
        batch_op.drop_index(batch_op.f("ix_document_author_id"))

    op.drop_table("document")
