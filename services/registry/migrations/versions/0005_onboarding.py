"""Onboarding: the People's Committee's chairman and phone beside its email, and the Department's offices
(with the province-level recipient) and their duty contacts.

Revision ID: 0005
Revises: 0004
Created: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import shared.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("people_committee_head", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column("people_committee_phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True)
        )
    op.create_table(
        "offices",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "DEPARTMENT_OFFICE",
                "DEPARTMENT_DIVISION",
                "DEPARTMENT_LEADERSHIP",
                "PROVINCE",
                name="officekind",
            ),
            nullable=False,
        ),
        sa.Column("duty_contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("offices")
    sa.Enum(name="officekind").drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.drop_column("people_committee_phone")
        batch_op.drop_column("people_committee_head")
