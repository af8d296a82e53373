"""HTTP routes for schools (their core-principal regions are in regions/)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from services.registry.schools import queries, service
from services.registry.schools.models import (
    SchoolCreate,
    SchoolLevel,
    SchoolPublic,
    SchoolStatus,
    SchoolUpdate,
)
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep
from shared.web.pagination import Page, PageDep

router = APIRouter(tags=["schools"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
Manager = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.CLUSTER_LEADER))]
SchoolCode = Annotated[str, Path(max_length=20, description="The school's MOET code")]
MAX_ID = 2**31 - 1  # the databases' integer keys: a larger id is a 422, not an overflow


class SchoolFilters:
    """The filters of the school list, shared by the list and the export."""

    def __init__(
        self,
        cluster_no: Annotated[int | None, Query(ge=1, le=99)] = None,
        unclustered: Annotated[bool, Query(description="Only schools of communes in no cluster")] = False,
        commune: Annotated[str | None, Query(max_length=10, description="Commune GSO code")] = None,
        old_district: Annotated[str | None, Query(max_length=10, description="Old district GSO code")] = None,
        level: SchoolLevel | None = None,
        boarding: Annotated[
            bool | None,
            Query(description="true: boarding and semi-boarding schools (PTDTNT, PTDTBT); false: the others"),
        ] = None,
        status: SchoolStatus | None = None,
        locomotive: bool | None = None,
        core_region: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        q: Annotated[
            str | None, Query(max_length=100, description="Part of the name, diacritics optional")
        ] = None,
    ) -> None:
        self.values: dict[str, Any] = {
            "cluster_no": cluster_no, "unclustered": unclustered, "commune_code": commune,
            "old_district_code": old_district, "level": level, "boarding": boarding, "status": status,
            "locomotive": locomotive, "core_region_id": core_region, "q": q,
        }  # fmt: skip


Filters = Annotated[SchoolFilters, Depends()]


@router.get("/schools", response_model=Page[SchoolPublic])
async def list_schools(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, page: PageDep, filters: Filters
) -> object:
    """List the schools you may see, filtered and searched by name."""
    items, total = await queries.list_schools(
        uow=uow, principal=principal, limit=page.limit, offset=page.offset, **filters.values
    )
    return page.page(items, total)


@router.post("/schools", response_model=SchoolPublic, status_code=status.HTTP_201_CREATED)
async def create_school(data: SchoolCreate, uow: UnitOfWorkDep, principal: Manager) -> object:
    """Add a school (department admin, or the leader of the commune's cluster)."""
    return await service.create_school(uow=uow, principal=principal, data=data)


@router.get("/schools/{code}", response_model=SchoolPublic)
async def get_school(code: SchoolCode, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Read one school by its MOET code."""
    return await queries.read_school(uow=uow, principal=principal, code=code)


@router.patch("/schools/{code}", response_model=SchoolPublic)
async def update_school(
    code: SchoolCode, data: SchoolUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Change a school: its cluster's leader anything, its principal the contacts."""
    return await service.update_school(uow=uow, principal=principal, code=code, data=data)


@router.delete("/schools/{code}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_school(code: SchoolCode, uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> Response:
    """Delete a school entered by mistake (department admin); close or merge a real one instead."""
    await service.delete_school(uow=uow, code=code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
