"""The school-year figures that schools' returns report (from notices.events), with their history.

Revision ID: 0003
Revises: 0002
Created: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import shared.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "school_year_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("school_year", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=True),
        sa.Column("classes", sa.Integer(), nullable=True),
        sa.Column("teachers", sa.Integer(), nullable=True),
        sa.Column("notice_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("form_code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reported_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_code"],
            ["schools.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("school_code", "notice_id", "version", name="uq_school_year_figures_report"),
    )
    with op.batch_alter_table("school_year_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_year_figures_school_code"), ["school_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_school_year_figures_school_year"), ["school_year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("school_year_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_year_figures_school_year"))
        batch_op.drop_index(batch_op.f("ix_school_year_figures_school_code"))

    op.drop_table("school_year_figures")
