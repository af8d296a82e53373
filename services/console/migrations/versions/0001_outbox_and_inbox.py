"""The outbox and inbox, which every service keeps beside its own tables.

Revision ID: 0001
Revises:
Created: 2026-12-02
"""

from collections.abc import Sequence

from shared.db.migration_steps import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
