"""Office reads."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.registry.offices.models import Office
from shared.db import UnitOfWork
from shared.errors import NotFound


async def list_offices(*, uow: UnitOfWork) -> Sequence[Office]:
    return (await uow.session.exec(select(Office).order_by(col(Office.kind), col(Office.code)))).all()


async def get_office(*, uow: UnitOfWork, code: str) -> Office:
    office = await uow.session.get(Office, code)
    if office is None:
        raise NotFound(f"office {code} does not exist", field="code")
    return office
