"""The registry's HTTP routes: thin adapters from requests to use cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from services.registry import service
from services.registry.models import ClusterCreate, ClusterPublic, ClusterUpdate
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


@router.post("/admin/republish", status_code=status.HTTP_202_ACCEPTED)
async def republish(uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> dict[str, int]:
    """Publish every entity's current state again, for a consumer that must rebuild its replica."""
    return {"clusters": await service.republish_clusters(uow=uow)}
