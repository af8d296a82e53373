"""HTTP routes for a cluster's leader and members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from services.registry.clusters.api import ClusterNo
from services.registry.memberships import queries, service
from services.registry.memberships.models import MembershipCreate, MembershipEnd, MembershipPublic
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/clusters", tags=["clusters"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
MAX_ID = 2**31 - 1  # the databases' integer keys: a larger id is a 422, not an overflow


@router.get("/{cluster_no}/members", response_model=list[MembershipPublic])
async def list_members(
    cluster_no: ClusterNo,
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    history: Annotated[bool, Query(description="Include past memberships")] = False,
) -> object:
    """The cluster's leader and members, now or over time."""
    return await queries.list_members(uow=uow, cluster_no=cluster_no, current_only=not history)


@router.post("/{cluster_no}/members", response_model=MembershipPublic, status_code=status.HTTP_201_CREATED)
async def add_member(
    cluster_no: ClusterNo, data: MembershipCreate, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Add a member or appoint the leader from a date (department admin)."""
    return await service.add_member(uow=uow, cluster_no=cluster_no, data=data)


@router.post("/{cluster_no}/members/{membership_id}/end", response_model=MembershipPublic)
async def end_membership(
    cluster_no: ClusterNo,
    membership_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    data: MembershipEnd,
    uow: UnitOfWorkDep,
    _admin: DepartmentAdmin,
) -> object:
    """End a membership on its last day; the history keeps it (department admin)."""
    return await service.end_membership(
        uow=uow, cluster_no=cluster_no, membership_id=membership_id, data=data
    )
