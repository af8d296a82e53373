"""HTTP routes for old districts, communes and wards (a move to another cluster is in moves/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from services.registry.communes import queries, service
from services.registry.communes.models import (
    CommuneAssignmentPublic,
    CommuneCreate,
    CommunePublic,
    CommuneUpdate,
    OldDistrictPublic,
)
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep
from shared.web.pagination import Page, PageDep

router = APIRouter(tags=["communes"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
GsoCode = Annotated[str, Path(max_length=10, description="The commune's GSO code")]


@router.get("/old-districts", response_model=list[OldDistrictPublic])
async def list_old_districts(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List the district-level units abolished in July 2025, with the cluster that covers each."""
    return await queries.list_old_districts(uow=uow)


@router.get("/communes", response_model=Page[CommunePublic])
async def list_communes(
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    page: PageDep,
    cluster_no: Annotated[int | None, Query(ge=1, le=99, description="Only this cluster's communes")] = None,
    old_district: Annotated[str | None, Query(max_length=10, description="Old district GSO code")] = None,
    unclustered: Annotated[bool, Query(description="Only communes the Department directs itself")] = False,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of the name, diacritics optional")
    ] = None,
) -> object:
    """List communes and wards, by cluster, old district or name."""
    items, total = await queries.list_communes(
        uow=uow, limit=page.limit, offset=page.offset, cluster_no=cluster_no,
        old_district_code=old_district, unclustered=unclustered, q=q,
    )  # fmt: skip
    return page.page(items, total)


@router.post("/communes", response_model=CommunePublic, status_code=status.HTTP_201_CREATED)
async def create_commune(data: CommuneCreate, uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> object:
    """Add a commune-level unit formed by a later merger or split (department admin)."""
    return await service.create_commune(uow=uow, data=data)


@router.get("/communes/{gso_code}", response_model=CommunePublic)
async def get_commune(gso_code: GsoCode, uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """Read one commune or ward by its GSO code."""
    return await queries.get_commune(uow=uow, gso_code=gso_code)


@router.patch("/communes/{gso_code}", response_model=CommunePublic)
async def update_commune(
    gso_code: GsoCode, data: CommuneUpdate, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Change a commune's name, figures or office contacts (department admin)."""
    return await service.update_commune(uow=uow, gso_code=gso_code, data=data)


@router.get("/communes/{gso_code}/assignments", response_model=list[CommuneAssignmentPublic])
async def commune_history(gso_code: GsoCode, uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """Which cluster the commune belonged to, and when (a move dated ahead shows as the last period)."""
    return await queries.commune_history(uow=uow, gso_code=gso_code)
