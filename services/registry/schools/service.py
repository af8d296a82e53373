"""School use cases: create and change schools within one's rights, delete a mistaken one, publish state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.registry.access.domain import fields_beyond_right, manages_cluster, school_edit_right
from services.registry.communes.models import Commune
from services.registry.schools.domain import MAX_REGION_SIZE
from services.registry.schools.models import (
    CoreRegion,
    School,
    SchoolCreate,
    SchoolPublic,
    SchoolStatus,
    SchoolUpdate,
)
from services.registry.schools.queries import (
    get_school,
    region_size,
    school_public,
    school_seen,
    staff_count_at,
    staff_exists,
)
from services.registry.tables import apply_changes, full_state
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, NotFound, Unprocessable
from shared.events import SchoolStateV1, SchoolStateV2
from shared.events.registry import V1_SCHOOL_LEVELS
from shared.text import fold


def record_school(uow: UnitOfWork, school: School, cluster_no: int | None) -> None:
    """v1 for a school of the levels v1 names; v2 for an upper-secondary school or a GDTX centre."""
    state_type = SchoolStateV1 if school.level in V1_SCHOOL_LEVELS else SchoolStateV2
    uow.record(full_state(state_type, school, cluster_no=cluster_no))


async def create_school(*, uow: UnitOfWork, principal: Principal, data: SchoolCreate) -> SchoolPublic:
    commune = await commune_of(uow, data.commune_code)
    if not manages_cluster(principal, commune.cluster_no):
        raise Forbidden(f"you may not add schools to commune {commune.gso_code}", field="commune_code")
    if await uow.session.get(School, data.code) is not None:
        raise Conflict(f"a school with MOET code {data.code} already exists", field="code")
    await check_references(uow, principal, data.model_dump(exclude_unset=True), school_code=data.code)
    school = School.model_validate(data, update={"search_name": fold(data.name)})
    uow.session.add(school)
    record_school(uow, school, commune.cluster_no)
    await uow.commit()
    return school_public(school, commune.cluster_no)


async def update_school(
    *, uow: UnitOfWork, principal: Principal, code: str, data: SchoolUpdate
) -> SchoolPublic:
    school, cluster_no = await get_school(uow=uow, principal=principal, code=code)
    changes = data.model_dump(exclude_unset=True)
    changed = {name for name, value in changes.items() if getattr(school, name) != value}
    right = school_edit_right(principal, school_code=code, cluster_no=cluster_no)
    if refused := fields_beyond_right(right, changed):
        names = ", ".join(sorted(refused))
        raise Forbidden(
            f"you may not change these fields of school {code}: {names}", field=sorted(refused)[0]
        )
    if "commune_code" in changed:
        commune = await commune_of(uow, changes["commune_code"])
        if not manages_cluster(principal, commune.cluster_no):
            raise Forbidden(f"you may not move a school to commune {commune.gso_code}", field="commune_code")
        cluster_no = commune.cluster_no
    status = changes.get("status", school.status)
    if status is SchoolStatus.MERGED and not changes.get("merged_into", school.merged_into):
        raise Unprocessable(
            "a merged school needs merged_into, the code of the school it joined", field="merged_into"
        )
    if status is not SchoolStatus.MERGED and "status" in changes:
        changes["merged_into"] = None
    await check_references(uow, principal, changes, school_code=code)
    if "name" in changes:
        changes["search_name"] = fold(changes["name"])
    if apply_changes(school, changes, datetime.now(UTC)):
        record_school(uow, school, cluster_no)
        await uow.commit()
    return school_public(school, cluster_no)


async def delete_school(*, uow: UnitOfWork, code: str) -> None:
    """Remove a school entered by mistake (a real one is closed or merged instead): a tombstone follows."""
    school = await uow.session.get(School, code)
    if school is None:
        raise NotFound(f"school {code} does not exist", field="code")
    staff = await staff_count_at(uow, code)
    if staff:
        raise Conflict(f"school {code} still has {staff} staff; move or delete them first", field="code")
    await uow.session.delete(school)
    uow.record_deletion(SchoolStateV1, code)
    await uow.commit()


async def commune_of(uow: UnitOfWork, commune_code: str) -> Commune:
    commune = await uow.session.get(Commune, commune_code)
    if commune is None:
        raise Unprocessable(f"commune {commune_code} does not exist", field="commune_code")
    return commune


async def check_references(
    uow: UnitOfWork, principal: Principal, fields: dict[str, Any], *, school_code: str
) -> None:
    """The codes a school points at must exist; a region may not grow past its limit."""
    for message in await reference_problems(uow, principal, fields, school_code=school_code):
        raise Unprocessable(message[1], field=message[0])


async def reference_problems(
    uow: UnitOfWork, principal: Principal, fields: dict[str, Any], *, school_code: str
) -> list[tuple[str, str]]:
    """(field, message) for each reference of a school that does not hold.

    What the caller may not see is answered as unknown, with the same words: a reference is not a way
    to learn that a school, a person or a region exists outside one's scope.
    """
    problems = []
    merged_into = fields.get("merged_into")
    if merged_into is not None:
        if merged_into == school_code:
            problems.append(("merged_into", "a school cannot be merged into itself"))
        elif not await school_seen(uow, merged_into, principal):
            problems.append(("merged_into", f"school {merged_into} does not exist"))
    principal_code = fields.get("principal_staff_code")
    if principal_code is not None and not await staff_exists(uow, principal_code, principal):
        problems.append(("principal_staff_code", f"staff {principal_code} does not exist"))
    region_id = fields.get("core_region_id")
    if region_id is not None:
        region = await uow.session.get(CoreRegion, region_id)
        if region is None or not principal.can_see_cluster(region.cluster_no):
            problems.append(("core_region_id", f"core region {region_id} does not exist"))
        else:
            size = await region_size(uow, region_id, excluding=school_code)
            if size >= MAX_REGION_SIZE:
                problems.append(("core_region_id", f"core region {region_id} already has {size} schools"))
    return problems
