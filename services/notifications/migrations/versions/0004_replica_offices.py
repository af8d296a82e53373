"""The registry's offices (the province-level recipient the last escalation step reaches) and the People's
Committee's chairman and phone, in the replica. Filled as the registry publishes them.

Revision ID: 0004
Revises: 0003
Created: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("people_committee_head", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("people_committee_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    op.create_table(
        "replica_offices",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("duty_contact", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_offices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_offices_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replica_offices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_offices_kind"))
    op.drop_table("replica_offices")
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.drop_column("people_committee_phone")
        batch_op.drop_column("people_committee_head")
