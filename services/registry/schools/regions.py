"""Core-principal regions: 5 to 10 schools led by a core principal, with "locomotive" schools among them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.registry.schools.models import (
    CoreRegion,
    CoreRegionCreate,
    CoreRegionPublic,
    CoreRegionUpdate,
    School,
    SchoolBrief,
)
from services.registry.schools.service import MAX_REGION_SIZE
from services.registry.staff.models import Staff
from shared.db import UnitOfWork
from shared.errors import NotFound, Unprocessable

MIN_REGION_SIZE = 5


async def list_regions(*, uow: UnitOfWork, cluster_no: int | None = None) -> list[CoreRegionPublic]:
    query = select(CoreRegion).order_by(col(CoreRegion.id))
    if cluster_no is not None:
        query = query.where(CoreRegion.cluster_no == cluster_no)
    return [await _public(uow, region) for region in (await uow.session.exec(query)).all()]


async def get_region(*, uow: UnitOfWork, region_id: int) -> CoreRegionPublic:
    return await _public(uow, await _load(uow, region_id))


async def create_region(*, uow: UnitOfWork, data: CoreRegionCreate) -> CoreRegionPublic:
    await _check_core_principal(uow, data.core_principal_staff_code)
    region = CoreRegion.model_validate(data)
    uow.session.add(region)
    await uow.commit()
    return await _public(uow, region)


async def update_region(*, uow: UnitOfWork, region_id: int, data: CoreRegionUpdate) -> CoreRegionPublic:
    region = await _load(uow, region_id)
    changes = data.model_dump(exclude_unset=True)
    await _check_core_principal(uow, changes.get("core_principal_staff_code"))
    for name, value in changes.items():
        setattr(region, name, value)
    uow.session.add(region)
    await uow.commit()
    return await _public(uow, region)


async def _load(uow: UnitOfWork, region_id: int) -> CoreRegion:
    region = await uow.session.get(CoreRegion, region_id)
    if region is None:
        raise NotFound(f"core region {region_id} does not exist", field="region_id")
    return region


async def _check_core_principal(uow: UnitOfWork, staff_code: str | None) -> None:
    if staff_code is not None and await uow.session.get(Staff, staff_code) is None:
        raise Unprocessable(f"staff {staff_code} does not exist", field="core_principal_staff_code")


async def _public(uow: UnitOfWork, region: CoreRegion) -> CoreRegionPublic:
    query = select(School).where(School.core_region_id == region.id).order_by(col(School.code))
    schools: Sequence[School] = (await uow.session.exec(query)).all()
    return CoreRegionPublic.model_validate(
        {
            **region.model_dump(),
            "schools": [SchoolBrief.model_validate(school, from_attributes=True) for school in schools],
            "within_target_size": MIN_REGION_SIZE <= len(schools) <= MAX_REGION_SIZE,
        }
    )
