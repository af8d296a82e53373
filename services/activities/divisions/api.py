"""HTTP routes of the divisions catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.activities.divisions import queries, service
from services.activities.divisions.models import DivisionCreate, DivisionPublic, DivisionUpdate
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/divisions", tags=["divisions"])
Admin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]


@router.get("", response_model=list[DivisionPublic])
async def list_divisions(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """The Department's specialized divisions that can organise activities."""
    return await queries.list_divisions(uow=uow)


@router.post("", response_model=DivisionPublic, status_code=201)
async def create_division(data: DivisionCreate, uow: UnitOfWorkDep, _admin: Admin) -> object:
    """Add a division to the catalog (department admins)."""
    return await service.create_division(uow=uow, data=data)


@router.patch("/{code}", response_model=DivisionPublic)
async def update_division(code: str, data: DivisionUpdate, uow: UnitOfWorkDep, _admin: Admin) -> object:
    """Rename or retire a division (department admins)."""
    return await service.update_division(uow=uow, code=code, data=data)
