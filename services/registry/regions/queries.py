"""Core-region reads: each region with its schools and whether it has the 5 to 10 it should."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.registry.regions.models import CoreRegionPublic, SchoolBrief
from services.registry.schools.domain import within_target_size
from services.registry.schools.models import CoreRegion, School
from services.registry.schools.queries import visible_schools
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound


async def list_regions(
    *, uow: UnitOfWork, principal: Principal, cluster_no: int | None = None
) -> list[CoreRegionPublic]:
    """The regions the caller sees, each with the schools the caller sees in it."""
    query = select(CoreRegion).order_by(col(CoreRegion.id))
    if cluster_no is not None:
        query = query.where(CoreRegion.cluster_no == cluster_no)
    shown = [await visible_region(uow, region, principal) for region in (await uow.session.exec(query)).all()]
    return [region for region in shown if region is not None]


async def get_region(*, uow: UnitOfWork, principal: Principal, region_id: int) -> CoreRegionPublic:
    shown = await visible_region(uow, await load_region(uow, region_id), principal)
    if shown is None:  # outside the caller's scope answers as absent
        raise NotFound(f"core region {region_id} does not exist", field="region_id")
    return shown


async def visible_region(
    uow: UnitOfWork, region: CoreRegion, principal: Principal
) -> CoreRegionPublic | None:
    """A region is seen by whoever sees its cluster, or one of its schools (a principal, a commune
    officer); it lists only the schools the caller sees, as ``GET /schools`` would."""
    everything = await region_public(uow, region)
    if principal.can_see_cluster(region.cluster_no):
        return everything
    query = select(School.code).where(School.core_region_id == region.id)
    if (visible := visible_schools(principal)) is not None:
        query = query.where(visible)
    seen = set((await uow.session.exec(query)).all())
    if not seen:
        return None
    return everything.model_copy(update={"schools": [s for s in everything.schools if s.code in seen]})


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
