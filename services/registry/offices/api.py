"""HTTP routes for the Department's offices (their import and export are in bulk/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from services.registry.offices import queries
from services.registry.offices.models import OfficePublic
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/offices", tags=["offices"])


@router.get("", response_model=list[OfficePublic])
async def list_offices(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """The Department's offices and the province-level recipient, with their duty contacts."""
    return await queries.list_offices(uow=uow)


@router.get("/{code}", response_model=OfficePublic)
async def get_office(
    code: Annotated[str, Path(max_length=40)], uow: UnitOfWorkDep, _principal: CurrentPrincipal
) -> object:
    """One office by its code."""
    return await queries.get_office(uow=uow, code=code)
