"""Commune use cases: create communes and wards, change their names, figures and contacts, publish state.

Moving a commune to another cluster republishes its schools, so moves sit above schools, in moves/.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.registry.clusters.queries import get_cluster
from services.registry.communes.models import (
    Commune,
    CommuneAssignment,
    CommuneCreate,
    CommuneUpdate,
    OldDistrict,
)
from services.registry.communes.queries import get_commune
from services.registry.tables import apply_changes, full_state
from shared.db import UnitOfWork
from shared.errors import Conflict, Unprocessable
from shared.events import CommuneStateV1
from shared.text import fold


async def record_commune(uow: UnitOfWork, commune: Commune) -> None:
    district = await uow.session.get(OldDistrict, commune.old_district_code)
    assert district is not None  # a foreign key
    uow.record(full_state(CommuneStateV1, commune, old_district_name=district.name))


async def create_commune(*, uow: UnitOfWork, data: CommuneCreate) -> Commune:
    """A commune-level unit formed later (a merger or split), with its first cluster assignment."""
    if await uow.session.get(Commune, data.gso_code) is not None:
        raise Conflict(f"commune {data.gso_code} already exists", field="gso_code")
    if await uow.session.get(OldDistrict, data.old_district_code) is None:
        raise Unprocessable(
            f"old district {data.old_district_code} does not exist", field="old_district_code"
        )
    if data.cluster_no is not None:
        await get_cluster(uow=uow, cluster_no=data.cluster_no)
    commune = Commune.model_validate(data, update={"search_name": fold(data.name)})
    uow.session.add(commune)
    uow.session.add(
        CommuneAssignment(
            commune_code=data.gso_code, cluster_no=data.cluster_no, valid_from=data.assigned_from
        )
    )
    await record_commune(uow, commune)
    await uow.commit()
    return commune


async def update_commune(*, uow: UnitOfWork, gso_code: str, data: CommuneUpdate) -> Commune:
    commune = await get_commune(uow=uow, gso_code=gso_code)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        changes["search_name"] = fold(changes["name"])
    if apply_changes(commune, changes, datetime.now(UTC)):
        await record_commune(uow, commune)
        await uow.commit()
    return commune
