"""Use cases of the divisions catalog."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select

from services.activities.divisions.models import SEED_DIVISIONS, Division, DivisionCreate, DivisionUpdate
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound


async def list_divisions(*, uow: UnitOfWork) -> Sequence[Division]:
    return (await uow.session.exec(select(Division).order_by(Division.code))).all()


async def get_division(*, uow: UnitOfWork, code: str) -> Division:
    division = await uow.session.get(Division, code)
    if division is None:
        raise NotFound(f"division {code} is not in the catalog", field="division_code")
    return division


async def create_division(*, uow: UnitOfWork, data: DivisionCreate) -> Division:
    if await uow.session.get(Division, data.code) is not None:
        raise Conflict(f"division {data.code} already exists", field="code")
    division = Division.model_validate(data)
    uow.session.add(division)
    await uow.commit()
    return division


async def update_division(*, uow: UnitOfWork, code: str, data: DivisionUpdate) -> Division:
    division = await get_division(uow=uow, code=code)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(division, name, value)
    await uow.commit()
    return division


async def seed_divisions(*, uow: UnitOfWork) -> int:
    """Add the seeded divisions that are missing; an admin's edits are never overwritten."""
    existing = set((await uow.session.exec(select(Division.code))).all())
    missing = [Division(code=code, name=name) for code, name in SEED_DIVISIONS if code not in existing]
    uow.session.add_all(missing)
    await uow.commit()
    return len(missing)
