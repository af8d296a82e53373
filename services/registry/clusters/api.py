"""HTTP routes for clusters (their members are in memberships/, their summary in summaries/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from services.registry.clusters import queries, service
from services.registry.clusters.models import ClusterCreate, ClusterPublic, ClusterUpdate
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/clusters", tags=["clusters"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
ClusterNo = Annotated[int, Path(ge=1, le=99, description="The cluster's number")]


@router.get("", response_model=list[ClusterPublic])
async def list_clusters(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List the professional clusters."""
    return await queries.list_clusters(uow=uow)


@router.get("/{cluster_no}", response_model=ClusterPublic)
async def get_cluster(cluster_no: ClusterNo, uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """Read one cluster."""
    return await queries.get_cluster(uow=uow, cluster_no=cluster_no)


@router.post("", response_model=ClusterPublic, status_code=status.HTTP_201_CREATED)
async def create_cluster(data: ClusterCreate, uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> object:
    """Create a cluster (department admin)."""
    return await service.create_cluster(uow=uow, data=data)


@router.patch("/{cluster_no}", response_model=ClusterPublic)
async def update_cluster(
    cluster_no: ClusterNo, data: ClusterUpdate, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Change a cluster's name, office or active flag (department admin)."""
    return await service.update_cluster(uow=uow, cluster_no=cluster_no, data=data)
