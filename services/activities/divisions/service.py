"""Commands of the divisions catalog: an admin adds, renames or retires a division."""

from __future__ import annotations

from services.activities.divisions import queries
from services.activities.divisions.models import Division, DivisionCreate, DivisionUpdate
from shared.db import UnitOfWork
from shared.errors import Conflict


async def create_division(*, uow: UnitOfWork, data: DivisionCreate) -> Division:
    if await uow.session.get(Division, data.code) is not None:
        raise Conflict(f"division {data.code} already exists", field="code")
    division = Division.model_validate(data)
    uow.session.add(division)
    await uow.commit()
    return division


async def update_division(*, uow: UnitOfWork, code: str, data: DivisionUpdate) -> Division:
    division = await queries.get_division(uow=uow, code=code)
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(division, name, value)
    await uow.commit()
    return division
