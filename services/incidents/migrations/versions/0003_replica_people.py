"""The people of the registry replica: staff and their cluster memberships, from which a signed-in
person's scope is read on every request.

Revision ID: 0003
Revises: 0002
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replica_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("replica_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_memberships_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_memberships_staff_code"), ["staff_code"], unique=False)

    op.create_table(
        "replica_staff",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_staff_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_staff_school_code"), ["school_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_staff_school_code"))
        batch_op.drop_index(batch_op.f("ix_replica_staff_email"))

    op.drop_table("replica_staff")
    with op.batch_alter_table("replica_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_memberships_staff_code"))
        batch_op.drop_index(batch_op.f("ix_replica_memberships_cluster_no"))

    op.drop_table("replica_memberships")
