"""The support program's periods as the Department set them, seeded on a fresh database.

Each period runs over whole school years (1 September to 31 August), so the totals by school year add up
to the totals of their period and the two periods never share a day: 2019-2023 is the school years
2019-2020 to 2022-2023, 2023-2028 those from 2023-2024 to 2027-2028. Migration 0004 adds the same rows.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from services.activities.support.models import SupportPeriod
from shared.db import UnitOfWork

SEED_PERIODS: tuple[tuple[str, str, date, date], ...] = (
    ("2019-2023", "Giai đoạn 2019-2023", date(2019, 9, 1), date(2023, 8, 31)),
    ("2023-2028", "Giai đoạn 2023-2028", date(2023, 9, 1), date(2028, 8, 31)),
)


async def seed_periods(*, uow: UnitOfWork) -> int:
    """Add the seeded periods that are missing; a period the Department added or changed stays as it is."""
    existing = set((await uow.session.exec(select(SupportPeriod.code))).all())
    missing = [
        SupportPeriod(code=code, name=name, starts_on=starts, ends_on=ends)
        for code, name, starts, ends in SEED_PERIODS
        if code not in existing
    ]
    uow.session.add_all(missing)
    await uow.commit()
    return len(missing)
