"""Who stood in: a source event keeps the roles of an incident's chain that resolved to nobody and whether
its first step reached nobody of its own scope; a delivery keeps the roles its recipient heard for.

Rows already there get empty lists and ``false``: nobody stood in for anyone before this revision.

Revision ID: 0003
Revises: 0002
Created: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY_LIST = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stands_in_for", sa.JSON(), nullable=False, server_default=EMPTY_LIST))

    with op.batch_alter_table("source_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vacancies", sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column("unreached", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("source_events", schema=None) as batch_op:
        batch_op.drop_column("unreached")
        batch_op.drop_column("vacancies")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("stands_in_for")
