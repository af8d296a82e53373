"""Reads of a school's figures per school year, within the caller's scope."""

from __future__ import annotations

from sqlmodel import col, select

from services.registry.figures.models import SchoolYearFigures, SchoolYearFiguresPublic
from services.registry.schools.queries import get_school
from shared.auth import Principal
from shared.db import UnitOfWork


async def history(*, uow: UnitOfWork, principal: Principal, code: str) -> list[SchoolYearFiguresPublic]:
    """Every report, newest year first; in each year the newest report is the current one."""
    await get_school(uow=uow, principal=principal, code=code)
    rows = (
        await uow.session.exec(
            select(SchoolYearFigures)
            .where(col(SchoolYearFigures.school_code) == code)
            .order_by(
                col(SchoolYearFigures.school_year).desc(),
                col(SchoolYearFigures.reported_at).desc(),
                col(SchoolYearFigures.version).desc(),
            )
        )
    ).all()
    seen: set[str] = set()
    found = []
    for row in rows:
        found.append(
            SchoolYearFiguresPublic.model_validate(
                {**row.model_dump(), "current": row.school_year not in seen}
            )
        )
        seen.add(row.school_year)
    return found
