"""The Department's divisions that chair professional activities, as seeded on a fresh database."""

from __future__ import annotations

from sqlmodel import select

from services.activities.divisions.models import Division
from shared.db import UnitOfWork

SEED_DIVISIONS: tuple[tuple[str, str], ...] = (
    ("GDMN", "Phòng Giáo dục Mầm non"),
    ("GDPT", "Phòng Giáo dục Phổ thông"),
    ("GDTX", "Phòng Giáo dục Thường xuyên - Giáo dục Nghề nghiệp"),
    ("KTKD", "Phòng Khảo thí và Kiểm định chất lượng giáo dục"),
    ("TCCB", "Phòng Tổ chức cán bộ"),
    ("KHTC", "Phòng Kế hoạch - Tài chính"),
    ("TTRA", "Thanh tra Sở"),
    ("VP", "Văn phòng Sở"),
)


async def seed_divisions(*, uow: UnitOfWork) -> int:
    """Add the seeded divisions that are missing; an admin's edits are never overwritten."""
    existing = set((await uow.session.exec(select(Division.code))).all())
    missing = [Division(code=code, name=name) for code, name in SEED_DIVISIONS if code not in existing]
    uow.session.add_all(missing)
    await uow.commit()
    return len(missing)
