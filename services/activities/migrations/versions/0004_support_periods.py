"""The support program's periods as data (giai đoạn 2019-2023 and 2023-2028), and each pairing and
contribution's period.

The two periods are added here as well as by the seed (``support.seed``), so that the rows a database
already holds get their period at once: a contribution takes the period its date falls in, a pairing the
one its start falls in; a row dated outside both keeps none. Undoing it drops the periods and the columns.

Revision ID: 0004
Revises: 0003
Created: 2026-12-02
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIODS = (
    ("2019-2023", "Giai đoạn 2019-2023", date(2019, 9, 1), date(2023, 8, 31)),
    ("2023-2028", "Giai đoạn 2023-2028", date(2023, 9, 1), date(2028, 8, 31)),
)
DATED = (("support_pairings", "period_from"), ("support_contributions", "contributed_on"))


def upgrade() -> None:
    periods = op.create_table(
        "support_periods",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.bulk_insert(
        periods,
        [
            {"code": code, "name": name, "starts_on": starts, "ends_on": ends}
            for code, name, starts, ends in PERIODS
        ],
    )
    for table, _ in DATED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("period_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True)
            )
            batch_op.create_index(batch_op.f(f"ix_{table}_period_code"), ["period_code"], unique=False)
    for table, dated in DATED:
        rows = sa.table(table, sa.column(dated, sa.Date()), sa.column("period_code", sa.String()))
        for code, _, starts, ends in PERIODS:
            op.execute(rows.update().where(rows.c[dated].between(starts, ends)).values(period_code=code))


def downgrade() -> None:
    for table, _ in reversed(DATED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_period_code"))
            batch_op.drop_column("period_code")
    op.drop_table("support_periods")
