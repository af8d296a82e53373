"""HTTP route for moving a commune to another cluster."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.registry.communes.api import GsoCode
from services.registry.communes.models import CommunePublic
from services.registry.moves import service
from services.registry.moves.models import CommuneMove
from shared.auth import Principal, Role, require_roles
from shared.clock import today_in_vietnam
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["communes"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]


@router.post("/communes/{gso_code}/move", response_model=CommunePublic)
async def move_commune(
    gso_code: GsoCode, move: CommuneMove, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Move a commune to another cluster (or to the Department) from a date (department admin)."""
    return await service.move_commune(uow=uow, gso_code=gso_code, move=move, today=today_in_vietnam())
