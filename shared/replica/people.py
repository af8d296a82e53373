"""The people part of a registry replica: staff with their cluster memberships, and finding a person.

Every service that acts for people keeps these two tables (declared on its own table base, with the
columns below) so that what a signed-in person may act for comes from the registry on every request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import JSON, Field, SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth.authenticator import PersonLookup
from shared.auth.identity import Identity
from shared.auth.people_cache import PEOPLE_CHANGED
from shared.auth.scope import Membership, PersonFacts
from shared.events import StaffStateV1
from shared.messaging import Delivery
from shared.replica.consumer import ReplicaHook
from shared.replica.tables import VersionedRow


class StaffColumns(VersionedRow):
    """Mix into ``replica_staff``; add ``code: str = Field(primary_key=True, max_length=40)``."""

    full_name: str
    roles: list[str] = Field(default_factory=list, sa_type=JSON)
    school_code: str | None = Field(default=None, index=True)
    commune_code: str | None = None
    email: str | None = Field(default=None, index=True)
    phone: str | None = None
    active: bool = True


class MembershipColumns(SQLModel):
    """Mix into ``replica_memberships``; add ``id: int | None = Field(default=None, primary_key=True)``."""

    staff_code: str = Field(index=True, max_length=40)
    cluster_no: int = Field(index=True)
    role: str
    valid_from: date
    valid_to: date | None = None


def replace_memberships(memberships: type[SQLModel]) -> ReplicaHook:
    """The staff table's hook: a person's membership rows are rewritten with every state (or removed)."""

    async def replace(delivery: Delivery, state: StaffStateV1 | None) -> None:
        delivery.uow.wake_after_commit(PEOPLE_CHANGED)  # what signed-in people act for may have changed
        session = delivery.uow.session
        staff_code = state.code if state is not None else delivery.tombstone_key
        await session.exec(delete(memberships).where(col(_column(memberships, "staff_code")) == staff_code))
        for membership in state.memberships if state is not None else []:
            session.add(memberships(staff_code=staff_code, **membership.model_dump()))

    return replace


def person_lookup(
    staff: type[SQLModel], memberships: type[SQLModel]
) -> (
    Any
):  # Callable[[async_sessionmaker[AsyncSession]], PersonLookup]; Any keeps mypy off SQLModel's generics
    """Finds a token's person by staff code, else by email, in the service's replica."""

    def for_sessions(sessions: async_sessionmaker[AsyncSession]) -> PersonLookup:
        async def find(identity: Identity) -> PersonFacts | None:
            async with sessions() as session:
                row = await _person_row(session, staff, identity)
                return None if row is None else await _facts(session, row, memberships)

        return find

    return for_sessions


async def person_facts(
    session: AsyncSession, staff: type[SQLModel], memberships: type[SQLModel], staff_code: str
) -> PersonFacts | None:
    """A person by staff code, read in the caller's own session (a use case's unit of work)."""
    row = await session.get(staff, staff_code)
    return None if row is None else await _facts(session, row, memberships)


async def _facts(session: AsyncSession, row: Any, memberships: type[SQLModel]) -> PersonFacts:
    periods = (
        await session.exec(select(memberships).where(col(_column(memberships, "staff_code")) == row.code))
    ).all()
    return PersonFacts(
        staff_code=row.code,
        full_name=row.full_name,
        roles=frozenset(row.roles),
        school_code=row.school_code,
        commune_code=row.commune_code,
        active=row.active,
        memberships=tuple(
            Membership(p.cluster_no, p.role, p.valid_from, p.valid_to)  # type: ignore[attr-defined]
            for p in periods
        ),
    )


async def _person_row(session: AsyncSession, staff: type[SQLModel], identity: Identity) -> Any:
    if identity.staff_code:
        return await session.get(staff, identity.staff_code)
    if identity.email:
        email = func.lower(col(_column(staff, "email")))
        found = (await session.exec(select(staff).where(email == identity.email.lower()).limit(2))).all()
        return found[0] if len(found) == 1 else None  # an email two people share names nobody
    return None


def _column(table: type[SQLModel], name: str) -> Any:
    return getattr(table, name)
