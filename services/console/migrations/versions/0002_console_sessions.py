"""The console's sessions (tokens kept server-side) and the sign-ins under way.

Revision ID: 0002
Revises: 0001
Created: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import shared.db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("school_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("access_expires_at", shared.db.types.UTCDateTime(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("refresh_expires_at", shared.db.types.UTCDateTime(), nullable=True),
        sa.Column("id_token", sa.Text(), nullable=True),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", shared.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_sessions_last_seen_at"), ["last_seen_at"], unique=False)
    op.create_table(
        "console_sign_ins",
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("code_verifier", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("return_to", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    with op.batch_alter_table("console_sign_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_sign_ins_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_sign_ins_created_at"))
    op.drop_table("console_sign_ins")
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_sessions_last_seen_at"))
    op.drop_table("console_sessions")
