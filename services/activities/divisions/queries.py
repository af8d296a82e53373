"""Reading the divisions catalog."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select

from services.activities.divisions.models import Division
from shared.db import UnitOfWork
from shared.errors import NotFound


async def list_divisions(*, uow: UnitOfWork) -> Sequence[Division]:
    return (await uow.session.exec(select(Division).order_by(Division.code))).all()


async def get_division(*, uow: UnitOfWork, code: str) -> Division:
    division = await uow.session.get(Division, code)
    if division is None:
        raise NotFound(f"division {code} is not in the catalog", field="division_code")
    return division
