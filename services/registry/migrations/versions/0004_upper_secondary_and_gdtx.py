"""Two more school levels: upper-secondary schools (THPT) and continuing-education centres (GDTX).

The level is stored by its name. On SQLite the column is a VARCHAR as long as the longest name, which
the new names do not pass, so nothing changes there; PostgreSQL's enum type gains the two labels. Undoing
it is refused while a school of a new level exists: dropping its level would lose what the school is.

Revision ID: 0004
Revises: 0003
Created: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LEVELS = ("PRESCHOOL", "PRIMARY", "LOWER_SECONDARY", "INTER_LEVEL")
NEW_LEVELS = ("UPPER_SECONDARY", "CONTINUING_EDU")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for label in NEW_LEVELS:
            op.execute(sa.text(f"ALTER TYPE schoollevel ADD VALUE IF NOT EXISTS '{label}'"))


def downgrade() -> None:
    bind = op.get_bind()
    levels = sa.table("schools", sa.column("level", sa.String()))
    in_use = bind.execute(
        sa.select(sa.func.count())
        .select_from(levels)
        .where(sa.cast(levels.c.level, sa.String).in_(NEW_LEVELS))
    ).scalar_one()
    if in_use:
        raise RuntimeError(f"{in_use} schools are upper-secondary or GDTX: change their level first")
    if bind.dialect.name == "postgresql":
        op.execute(sa.text("ALTER TYPE schoollevel RENAME TO schoollevel_0004"))
        labels = ", ".join(f"'{label}'" for label in OLD_LEVELS)
        op.execute(sa.text(f"CREATE TYPE schoollevel AS ENUM ({labels})"))
        op.execute(
            sa.text("ALTER TABLE schools ALTER COLUMN level TYPE schoollevel USING level::text::schoollevel")
        )
        op.execute(sa.text("DROP TYPE schoollevel_0004"))
