"""Core-region use cases: create a region and change it, within the clusters one manages."""

from __future__ import annotations

from services.registry.access.domain import manages_cluster
from services.registry.clusters.models import Cluster
from services.registry.regions.models import CoreRegionCreate, CoreRegionPublic, CoreRegionUpdate
from services.registry.regions.queries import load_region, region_public, visible_region
from services.registry.schools.models import CoreRegion
from services.registry.staff.models import Staff
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound, Unprocessable


async def create_region(*, uow: UnitOfWork, principal: Principal, data: CoreRegionCreate) -> CoreRegionPublic:
    if not manages_cluster(principal, data.cluster_no):
        raise Forbidden(f"you may not create regions in cluster {data.cluster_no}", field="cluster_no")
    if data.cluster_no is not None and await uow.session.get(Cluster, data.cluster_no) is None:
        raise Unprocessable(f"cluster {data.cluster_no} does not exist", field="cluster_no")
    await _check_core_principal(uow, data.core_principal_staff_code)
    region = CoreRegion.model_validate(data)
    uow.session.add(region)
    await uow.commit()
    return await region_public(uow, region)


async def update_region(
    *, uow: UnitOfWork, principal: Principal, region_id: int, data: CoreRegionUpdate
) -> CoreRegionPublic:
    region = await load_region(uow, region_id)
    if await visible_region(uow, region, principal) is None:
        raise NotFound(f"core region {region_id} does not exist", field="region_id")
    if not manages_cluster(principal, region.cluster_no):
        raise Forbidden(f"you may not change regions of cluster {region.cluster_no}", field="region_id")
    changes = data.model_dump(exclude_unset=True)
    await _check_core_principal(uow, changes.get("core_principal_staff_code"))
    for name, value in changes.items():
        setattr(region, name, value)
    uow.session.add(region)
    await uow.commit()
    return await region_public(uow, region)


async def _check_core_principal(uow: UnitOfWork, staff_code: str | None) -> None:
    if staff_code is not None and await uow.session.get(Staff, staff_code) is None:
        raise Unprocessable(f"staff {staff_code} does not exist", field="core_principal_staff_code")
