"""HTTP routes for staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from services.registry.staff import queries, service
from services.registry.staff.models import StaffCreate, StaffPublic, StaffRole, StaffUpdate
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep
from shared.web.pagination import Page, PageDep

router = APIRouter(prefix="/staff", tags=["staff"])

Manager = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.CLUSTER_LEADER))]
StaffCode = Annotated[str, Path(max_length=40, description="The person's staff code")]


class StaffFilters:
    """The filters of the staff list, shared by the list and the export."""

    def __init__(
        self,
        school: Annotated[str | None, Query(max_length=20, description="School MOET code")] = None,
        cluster_no: Annotated[int | None, Query(ge=1, le=99)] = None,
        commune: Annotated[str | None, Query(max_length=10, description="Commune GSO code")] = None,
        role: StaffRole | None = None,
        active: bool | None = None,
        q: Annotated[
            str | None, Query(max_length=100, description="Part of the name, diacritics optional")
        ] = None,
    ) -> None:
        self.values: dict[str, Any] = {
            "school_code": school, "cluster_no": cluster_no, "commune_code": commune, "role": role,
            "active": active, "q": q,
        }  # fmt: skip


Filters = Annotated[StaffFilters, Depends()]


@router.get("", response_model=Page[StaffPublic])
async def list_staff(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, page: PageDep, filters: Filters
) -> object:
    """List the staff you may see, filtered and searched by name."""
    items, total = await queries.list_staff(
        uow=uow, principal=principal, limit=page.limit, offset=page.offset, **filters.values
    )
    return page.page(items, total)


@router.post("", response_model=StaffPublic, status_code=status.HTTP_201_CREATED)
async def create_staff(data: StaffCreate, uow: UnitOfWorkDep, principal: Manager) -> object:
    """Add a person (department admin, or the leader of the cluster of the person's school)."""
    return await service.create_staff(uow=uow, principal=principal, data=data)


@router.get("/{code}", response_model=StaffPublic)
async def get_staff(code: StaffCode, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Read one person."""
    return await queries.get_staff(uow=uow, principal=principal, code=code)


@router.patch("/{code}", response_model=StaffPublic)
async def update_staff(code: StaffCode, data: StaffUpdate, uow: UnitOfWorkDep, principal: Manager) -> object:
    """Change a person (department admin, or the leader of the cluster of the person's school)."""
    return await service.update_staff(uow=uow, principal=principal, code=code, data=data)


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_staff(code: StaffCode, uow: UnitOfWorkDep, principal: Manager) -> Response:
    """Delete a person entered by mistake; set ``active`` false for one who left."""
    await service.delete_staff(uow=uow, principal=principal, code=code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
