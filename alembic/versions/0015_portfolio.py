"""portfolio: the pupil's e-portfolio (achievements, public links) and project work (issue 18)

Revision ID: 0015_portfolio
Revises: 0014_courses
Create Date: 2026-12-02

achievement holds a pupil's achievement with its evidence and verification; portfoliolink the
SHA-256 of a family's public portfolio address; project, projectmember, projecttask and
projectpost a project, its members, tasks and milestones, and its append-only thread.
New tables only: nothing to rebuild on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0015_portfolio"
down_revision: str | None = "0014_courses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("goal", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_project_dates")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_project_school_id_school")),
        sa.ForeignKeyConstraint(["subject_id"], ["subject.id"], name=op.f("fk_project_subject_id_subject")),
        sa.ForeignKeyConstraint(["supervisor_id"], ["staff.id"], name=op.f("fk_project_supervisor_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_supervisor_id"), ["supervisor_id"], unique=False)

    op.create_table(
        "achievement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("evidence_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("evidence_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("evidence_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("evidence_link", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("review_comment", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('olympiad','contest','certificate','sport','art','club','volunteering','project')",
            name=op.f("ck_achievement_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('school','rayon','oblast','republic','international')", name=op.f("ck_achievement_level")
        ),
        sa.CheckConstraint("status IN ('draft','submitted','verified','rejected')", name=op.f("ck_achievement_status")),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], name=op.f("fk_achievement_created_by_user")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_achievement_project_id_project")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_achievement_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["user.id"], name=op.f("fk_achievement_reviewed_by_user")),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"], name=op.f("fk_achievement_school_id_school")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievement")),
    )
    with op.batch_alter_table("achievement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_achievement_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievement_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_achievement_school_id"), ["school_id"], unique=False)
        batch_op.create_index("ix_achievement_school_status", ["school_id", "status", "achieved_on"], unique=False)

    op.create_table(
        "portfoliolink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], name=op.f("fk_portfoliolink_created_by_user")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_portfoliolink_pupil_id_pupil")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfoliolink")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portfoliolink_token_hash")),
    )
    with op.batch_alter_table("portfoliolink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfoliolink_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "projectmember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_projectmember_project_id_project")),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupil.id"], name=op.f("fk_projectmember_pupil_id_pupil")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projectmember")),
        sa.UniqueConstraint("project_id", "pupil_id", name=op.f("uq_projectmember_project_id_pupil_id")),
    )
    with op.batch_alter_table("projectmember", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projectmember_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projectmember_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "projectpost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("file_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("file_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_projectpost_author_id_user")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_projectpost_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projectpost")),
    )
    with op.batch_alter_table("projectpost", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projectpost_project_id"), ["project_id"], unique=False)

    op.create_table(
        "projecttask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("owner_pupil_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("milestone", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_pupil_id"], ["pupil.id"], name=op.f("fk_projecttask_owner_pupil_id_pupil")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_projecttask_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projecttask")),
    )
    with op.batch_alter_table("projecttask", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projecttask_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("projecttask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projecttask_project_id"))

    op.drop_table("projecttask")
    with op.batch_alter_table("projectpost", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projectpost_project_id"))

    op.drop_table("projectpost")
    with op.batch_alter_table("projectmember", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projectmember_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_projectmember_project_id"))

    op.drop_table("projectmember")
    with op.batch_alter_table("portfoliolink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfoliolink_pupil_id"))

    op.drop_table("portfoliolink")
    with op.batch_alter_table("achievement", schema=None) as batch_op:
        batch_op.drop_index("ix_achievement_school_status")
        batch_op.drop_index(batch_op.f("ix_achievement_school_id"))
        batch_op.drop_index(batch_op.f("ix_achievement_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_achievement_project_id"))

    op.drop_table("achievement")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_project_school_id"))

    op.drop_table("project")
