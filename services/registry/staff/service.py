"""Staff use cases: create, change and delete people within one's clusters, and publish their full state."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from services.registry.access.domain import manages_cluster
from services.registry.clusters.models import ClusterMembership
from services.registry.communes.models import Commune
from services.registry.schools.models import School
from services.registry.staff.models import Staff, StaffCreate, StaffUpdate
from services.registry.staff.queries import get_staff
from services.registry.tables import apply_changes, full_state, touch
from shared.auth import Principal
from shared.auth.people_cache import PEOPLE_CHANGED
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, Unprocessable
from shared.events import StaffStateV1
from shared.text import fold


async def staff_state(uow: UnitOfWork, person: Staff) -> StaffStateV1:
    query = select(ClusterMembership).where(ClusterMembership.staff_code == person.code)
    memberships = (await uow.session.exec(query.order_by(col(ClusterMembership.valid_from)))).all()
    return full_state(StaffStateV1, person, memberships=[member.model_dump() for member in memberships])


async def record(uow: UnitOfWork, person: Staff) -> None:
    uow.record(await staff_state(uow, person))
    uow.wake_after_commit(PEOPLE_CHANGED)  # signed-in people's scope is read from these rows


async def record_changed(uow: UnitOfWork, person: Staff, *, now: datetime) -> None:
    """A change outside the staff row (a membership) is still a new version of the person's state."""
    touch(person, now)
    await record(uow, person)


async def create_staff(*, uow: UnitOfWork, principal: Principal, data: StaffCreate) -> Staff:
    if await uow.session.get(Staff, data.code) is not None:
        raise Conflict(f"staff {data.code} already exists", field="code")
    if not data.roles:  # the field defaults to none so an import row may leave it out to keep the roles
        raise Unprocessable("a person needs at least one role", field="roles")
    await _check_may_manage(uow, principal, data.school_code, data.commune_code)
    person = Staff.model_validate(data, update={"search_name": fold(data.full_name)})
    uow.session.add(person)
    await uow.session.flush()
    await record(uow, person)
    await uow.commit()
    return person


async def update_staff(*, uow: UnitOfWork, principal: Principal, code: str, data: StaffUpdate) -> Staff:
    person = await get_staff(uow=uow, principal=principal, code=code)
    await _check_may_manage(uow, principal, person.school_code, person.commune_code)
    changes = data.model_dump(exclude_unset=True)
    if "school_code" in changes or "commune_code" in changes:
        await _check_may_manage(
            uow,
            principal,
            changes.get("school_code", person.school_code),
            changes.get("commune_code", person.commune_code),
        )
    if "full_name" in changes:
        changes["search_name"] = fold(changes["full_name"])
    if apply_changes(person, changes, datetime.now(UTC)):
        await record(uow, person)
        await uow.commit()
    return person


async def delete_staff(*, uow: UnitOfWork, principal: Principal, code: str) -> None:
    """Remove a person entered by mistake; a tombstone tells every replica they are gone."""
    person = await get_staff(uow=uow, principal=principal, code=code)
    await _check_may_manage(uow, principal, person.school_code, person.commune_code)
    memberships = (
        await uow.session.exec(select(ClusterMembership).where(ClusterMembership.staff_code == code))
    ).all()
    if memberships:
        raise Conflict(f"staff {code} has cluster memberships; end them instead of deleting", field="code")
    await uow.session.delete(person)
    uow.record_deletion(StaffStateV1, code)
    uow.wake_after_commit(PEOPLE_CHANGED)
    await uow.commit()


async def cluster_of_unit(uow: UnitOfWork, school_code: str | None, commune_code: str | None) -> int | None:
    """The cluster a person belongs to through their school, else their commune; None: the Department's."""
    if school_code is not None:
        school = await uow.session.get(School, school_code)
        if school is None:
            raise Unprocessable(f"school {school_code} does not exist", field="school_code")
        commune_code = school.commune_code
    if commune_code is None:
        return None
    commune = await uow.session.get(Commune, commune_code)
    if commune is None:
        raise Unprocessable(f"commune {commune_code} does not exist", field="commune_code")
    return commune.cluster_no


async def _check_may_manage(
    uow: UnitOfWork, principal: Principal, school_code: str | None, commune_code: str | None
) -> None:
    cluster_no = await cluster_of_unit(uow, school_code, commune_code)
    if not manages_cluster(principal, cluster_no):
        where = f"cluster {cluster_no}" if cluster_no is not None else "no cluster (the Department's)"
        raise Forbidden(f"you may not manage staff of {where}", field="school_code")
