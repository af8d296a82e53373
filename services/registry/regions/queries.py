"""Core-region reads: each region with its schools and whether it has the 5 to 10 it should."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.registry.regions.models import CoreRegionPublic, SchoolBrief
from services.registry.schools.domain import within_target_size
from services.registry.schools.models import CoreRegion, School
from shared.db import UnitOfWork
from shared.errors import NotFound


async def list_regions(*, uow: UnitOfWork, cluster_no: int | None = None) -> list[CoreRegionPublic]:
    query = select(CoreRegion).order_by(col(CoreRegion.id))
    if cluster_no is not None:
        query = query.where(CoreRegion.cluster_no == cluster_no)
    return [await region_public(uow, region) for region in (await uow.session.exec(query)).all()]


async def get_region(*, uow: UnitOfWork, region_id: int) -> CoreRegionPublic:
    return await region_public(uow, await load_region(uow, region_id))


async def load_region(uow: UnitOfWork, region_id: int) -> CoreRegion:
    region = await uow.session.get(CoreRegion, region_id)
    if region is None:
        raise NotFound(f"core region {region_id} does not exist", field="region_id")
    return region


async def region_public(uow: UnitOfWork, region: CoreRegion) -> CoreRegionPublic:
    query = select(School).where(School.core_region_id == region.id).order_by(col(School.code))
    schools: Sequence[School] = (await uow.session.exec(query)).all()
    return CoreRegionPublic.model_validate(
        {
            **region.model_dump(),
            "schools": [SchoolBrief.model_validate(school, from_attributes=True) for school in schools],
            "within_target_size": within_target_size(len(schools)),
        }
    )
