"""HTTP route of a school's figures per school year."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.figures import queries
from services.registry.figures.models import SchoolYearFiguresPublic
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["schools"])


@router.get("/schools/{code}/figures", response_model=list[SchoolYearFiguresPublic])
async def school_figures(code: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """The school's pupils, classes and teachers per school year, as its returns reported them."""
    return await queries.history(uow=uow, principal=principal, code=code)
