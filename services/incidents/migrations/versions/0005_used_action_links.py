"""The one-click links used: each link's id once, so that a link acknowledges one time only.

Revision ID: 0005
Revises: 0004
Created: 2026-12-02
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
    op.create_table(
        "used_action_links",
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("used_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("jti"),
    )
    with op.batch_alter_table("used_action_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_action_links_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("used_action_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_action_links_incident_id"))
    op.drop_table("used_action_links")
