"""Staff reads: within the caller's scope, filtered by school, cluster, commune, role and name; and the
person a signed-in caller is, with what they act for (``person_lookup``), read on every request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.registry.access.queries import visible_communes
from services.registry.clusters.models import ClusterMembership
from services.registry.communes.models import Commune
from services.registry.schools.models import School
from services.registry.schools.queries import visible_schools
from services.registry.staff.models import Staff, StaffRole
from shared.auth import Principal
from shared.auth.authenticator import PersonLookup
from shared.auth.identity import Identity
from shared.auth.scope import Membership, PersonFacts
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import NotFound
from shared.text import fold


def visible_staff(principal: Principal) -> ColumnElement[bool] | None:
    """Staff of visible schools and communes, and the current members of the caller's clusters."""
    schools = visible_schools(principal)
    if schools is None:
        return None
    members = select(col(ClusterMembership.staff_code)).where(
        col(ClusterMembership.cluster_no).in_(principal.scoped_clusters),
        col(ClusterMembership.valid_to).is_(None),
    )
    return or_(
        col(Staff.school_code).in_(select(col(School.code)).where(schools)),
        col(Staff.commune_code).in_(visible_communes(principal)),
        col(Staff.code).in_(members),
    )


async def list_staff(
    *,
    uow: UnitOfWork,
    principal: Principal,
    limit: int,
    offset: int,
    school_code: str | None = None,
    cluster_no: int | None = None,
    commune_code: str | None = None,
    role: StaffRole | None = None,
    active: bool | None = None,
    q: str | None = None,
) -> tuple[Sequence[Staff], int]:
    query: Any = select(Staff).order_by(col(Staff.code))
    if (visible := visible_staff(principal)) is not None:
        query = query.where(visible)
    if school_code is not None:
        query = query.where(Staff.school_code == school_code)
    if commune_code is not None:
        query = query.where(Staff.commune_code == commune_code)
    if cluster_no is not None:
        communes = select(Commune.gso_code).where(Commune.cluster_no == cluster_no)
        schools = select(School.code).where(col(School.commune_code).in_(communes))
        query = query.where(col(Staff.school_code).in_(schools) | col(Staff.commune_code).in_(communes))
    if role is not None:
        # roles is a JSON list: its text holds "role" with the quotes, on SQLite and PostgreSQL alike
        query = query.where(cast(Staff.roles, String).like(f'%"{role.value}"%'))
    if active is not None:
        query = query.where(Staff.active == active)
    if q:
        query = query.where(col(Staff.search_name).contains(fold(q)))
    rows, total = await fetch_page(uow.session, query, limit=limit, offset=offset)
    return rows, total


async def get_staff(*, uow: UnitOfWork, principal: Principal, code: str) -> Staff:
    query: Any = select(Staff).where(Staff.code == code)
    if (visible := visible_staff(principal)) is not None:
        query = query.where(visible)
    person: Staff | None = (await uow.session.exec(query)).first()
    if person is None:
        raise NotFound(f"staff {code} does not exist or is outside your scope", field="code")
    return person


def person_lookup(sessions: async_sessionmaker[AsyncSession]) -> PersonLookup:
    """Finds a token's person in the registry's own tables: the other services read their replicas."""

    async def find(identity: Identity) -> PersonFacts | None:
        async with sessions() as session:
            return await person_facts(session=session, identity=identity)

    return find


async def person_facts(*, session: AsyncSession, identity: Identity) -> PersonFacts | None:
    """The person by staff code, else by email (when exactly one person has it), with every membership."""
    person = await _person_named_by(session, identity)
    if person is None:
        return None
    query = select(ClusterMembership).where(ClusterMembership.staff_code == person.code)
    periods = (await session.exec(query.order_by(col(ClusterMembership.valid_from)))).all()
    return PersonFacts(
        staff_code=person.code,
        full_name=person.full_name,
        roles=frozenset(str(role) for role in person.roles),
        school_code=person.school_code,
        commune_code=person.commune_code,
        active=person.active,
        memberships=tuple(
            Membership(period.cluster_no, str(period.role), period.valid_from, period.valid_to)
            for period in periods
        ),
    )


async def _person_named_by(session: AsyncSession, identity: Identity) -> Staff | None:
    if identity.staff_code:
        return await session.get(Staff, identity.staff_code)
    if identity.email:
        same_email = func.lower(col(Staff.email)) == identity.email.lower()
        found = (await session.exec(select(Staff).where(same_email).limit(2))).all()
        return found[0] if len(found) == 1 else None  # an email two people share names nobody
    return None
