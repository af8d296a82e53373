"""The replica's communes keep the contacts of their Office of Culture and Social Affairs, so that routing
knows whether the commune's office can be reached (a vacancy passes to the Department office).

The communes already in the replica keep their rows as they are (empty contacts) until the registry
publishes a newer version of them: a state of the same version is refused, so a commune whose contacts were
set before this revision reads as without an office here (notifications, which resolves the office itself,
still reaches it) until its next change in the registry.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01
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
            sa.Column("culture_office_email", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("culture_office_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.drop_column("culture_office_phone")
        batch_op.drop_column("culture_office_email")
