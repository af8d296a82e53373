"""HTTP routes for core-principal regions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.registry.regions import queries, service
from services.registry.regions.models import CoreRegionCreate, CoreRegionPublic, CoreRegionUpdate
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

# The school routes' tag as well as their own, as when regions were part of the school API.
router = APIRouter(tags=["schools"])

Manager = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.CLUSTER_LEADER))]
MAX_ID = 2**31 - 1  # the databases' integer keys: a larger id is a 422, not an overflow
RegionId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/core-regions", response_model=list[CoreRegionPublic], tags=["core regions"])
async def list_regions(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    cluster_no: Annotated[int | None, Query(ge=1, le=99)] = None,
) -> object:
    """The core-principal regions you may see, with their schools."""
    return await queries.list_regions(uow=uow, principal=principal, cluster_no=cluster_no)


@router.post("/core-regions", response_model=CoreRegionPublic, status_code=201, tags=["core regions"])
async def create_region(data: CoreRegionCreate, uow: UnitOfWorkDep, principal: Manager) -> object:
    """Create a core-principal region (department admin, or the leader of its cluster)."""
    return await service.create_region(uow=uow, principal=principal, data=data)


@router.get("/core-regions/{region_id}", response_model=CoreRegionPublic, tags=["core regions"])
async def get_region(region_id: RegionId, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """One core-principal region with its schools and whether it has 5 to 10 of them."""
    return await queries.get_region(uow=uow, principal=principal, region_id=region_id)


@router.patch("/core-regions/{region_id}", response_model=CoreRegionPublic, tags=["core regions"])
async def update_region(
    region_id: RegionId, data: CoreRegionUpdate, uow: UnitOfWorkDep, principal: Manager
) -> object:
    """Rename a region or change its core principal (department admin, or the leader of its cluster)."""
    return await service.update_region(uow=uow, principal=principal, region_id=region_id, data=data)
