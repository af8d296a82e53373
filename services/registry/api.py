"""The registry's HTTP routes: thin adapters from requests to use cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from services.registry import service
from services.registry.models import (
    ClusterCreate,
    ClusterPublic,
    ClusterUpdate,
    CommuneAssignmentPublic,
    CommuneMove,
    CommunePublic,
    OldDistrictPublic,
)
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["clusters"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
ClusterNo = Annotated[int, Path(ge=1, le=99, description="The cluster's number")]


@router.get("/clusters", response_model=list[ClusterPublic])
async def list_clusters(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List the professional clusters."""
    return await service.list_clusters(uow=uow)


@router.get("/clusters/{cluster_no}", response_model=ClusterPublic)
async def get_cluster(cluster_no: ClusterNo, uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """Read one cluster."""
    return await service.get_cluster(uow=uow, cluster_no=cluster_no)


@router.post("/clusters", response_model=ClusterPublic, status_code=status.HTTP_201_CREATED)
async def create_cluster(data: ClusterCreate, uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> object:
    """Create a cluster (department admin)."""
    return await service.create_cluster(uow=uow, data=data)


@router.patch("/clusters/{cluster_no}", response_model=ClusterPublic)
async def update_cluster(
    cluster_no: ClusterNo, data: ClusterUpdate, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Change a cluster's name, office or active flag (department admin)."""
    return await service.update_cluster(uow=uow, cluster_no=cluster_no, data=data)


@router.get("/old-districts", response_model=list[OldDistrictPublic], tags=["communes"])
async def list_old_districts(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List the district-level units abolished in July 2025, with the cluster that covers each."""
    return await service.list_old_districts(uow=uow)


@router.get("/communes", response_model=list[CommunePublic], tags=["communes"])
async def list_communes(
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    cluster_no: Annotated[int | None, Query(ge=1, le=99, description="Only this cluster's communes")] = None,
    old_district: Annotated[str | None, Query(max_length=10, description="Old district GSO code")] = None,
    unclustered: Annotated[bool, Query(description="Only communes the Department directs itself")] = False,
) -> object:
    """List communes and wards, optionally by cluster or old district."""
    return await service.list_communes(
        uow=uow, cluster_no=cluster_no, old_district_code=old_district, unclustered=unclustered
    )


@router.get("/communes/{gso_code}", response_model=CommunePublic, tags=["communes"])
async def get_commune(
    gso_code: Annotated[str, Path(max_length=10)], uow: UnitOfWorkDep, _principal: CurrentPrincipal
) -> object:
    """Read one commune or ward by its GSO code."""
    return await service.get_commune(uow=uow, gso_code=gso_code)


@router.get(
    "/communes/{gso_code}/assignments", response_model=list[CommuneAssignmentPublic], tags=["communes"]
)
async def commune_history(
    gso_code: Annotated[str, Path(max_length=10)], uow: UnitOfWorkDep, _principal: CurrentPrincipal
) -> object:
    """Which cluster the commune belonged to, and when."""
    return await service.commune_history(uow=uow, gso_code=gso_code)


@router.post("/communes/{gso_code}/move", response_model=CommunePublic, tags=["communes"])
async def move_commune(
    gso_code: Annotated[str, Path(max_length=10)],
    move: CommuneMove,
    uow: UnitOfWorkDep,
    _admin: DepartmentAdmin,
) -> object:
    """Move a commune to another cluster (or to the Department) from a date (department admin)."""
    return await service.move_commune(uow=uow, gso_code=gso_code, move=move)


@router.post("/admin/republish", status_code=status.HTTP_202_ACCEPTED)
async def republish(uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> dict[str, int]:
    """Publish every entity's current state again, for a consumer that must rebuild its replica."""
    return await service.republish_all(uow=uow)
