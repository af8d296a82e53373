"""School reads: within the caller's scope, by commune and by region, and the two questions asked of staff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from services.registry.access.queries import visible_communes
from services.registry.communes.models import Commune
from services.registry.schools.models import Boarding, School, SchoolLevel, SchoolPublic, SchoolStatus
from services.registry.tables import REGISTRY_METADATA
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import NotFound
from shared.text import fold


def visible_schools(principal: Principal) -> ColumnElement[bool] | None:
    """The schools of the caller's communes and those named in their scope; None when they see every one."""
    if principal.sees_everything:
        return None
    return or_(
        col(School.commune_code).in_(visible_communes(principal)),
        col(School.code).in_(principal.scoped_schools),
    )


def school_public(school: School, cluster_no: int | None) -> SchoolPublic:
    return SchoolPublic.model_validate({**school.model_dump(), "cluster_no": cluster_no})


async def list_schools(
    *,
    uow: UnitOfWork,
    principal: Principal,
    limit: int,
    offset: int,
    cluster_no: int | None = None,
    unclustered: bool = False,
    commune_code: str | None = None,
    old_district_code: str | None = None,
    level: SchoolLevel | None = None,
    boarding: bool | None = None,
    status: SchoolStatus | None = None,
    locomotive: bool | None = None,
    core_region_id: int | None = None,
    q: str | None = None,
) -> tuple[list[SchoolPublic], int]:
    query: Any = (
        select(School, Commune.cluster_no)
        .join(Commune, col(Commune.gso_code) == col(School.commune_code))
        .order_by(col(School.code))
    )
    if (visible := visible_schools(principal)) is not None:
        query = query.where(visible)
    filters = {
        Commune.cluster_no: cluster_no,
        School.commune_code: commune_code,
        Commune.old_district_code: old_district_code,
        School.level: level,
        School.status: status,
        School.locomotive: locomotive,
        School.core_region_id: core_region_id,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    if unclustered:
        query = query.where(col(Commune.cluster_no).is_(None))
    if boarding is not None:
        boards = col(School.boarding) != Boarding.NONE  # PTDTNT and PTDTBT alike
        query = query.where(boards if boarding else ~boards)
    if q:
        query = query.where(col(School.search_name).contains(fold(q)))
    rows, total = await fetch_page(uow.session, query, limit=limit, offset=offset)
    return [school_public(school, cluster) for school, cluster in rows], total


_SCHOOL_BY_CODE: Any = (
    select(School, Commune.cluster_no)
    .join(Commune, col(Commune.gso_code) == col(School.commune_code))
    .where(col(School.code) == bindparam("code"))
)
"""Built once: building the statement cost as much as running it (the most read route of the registry)."""


_PUBLIC_COLUMNS: list[Any] = [
    *(col(getattr(School, name)) for name in SchoolPublic.model_fields if name != "cluster_no"),
    col(Commune.cluster_no),
]
_PUBLIC_BY_CODE: Any = (
    sa_select(*_PUBLIC_COLUMNS)
    .join(Commune, col(Commune.gso_code) == col(School.commune_code))
    .where(col(School.code) == bindparam("code"))
)


async def read_school(*, uow: UnitOfWork, principal: Principal, code: str) -> SchoolPublic:
    """What ``GET /schools/{code}`` answers: the public columns only, without loading the ORM object (the
    registry's most read route; the object cost more than the query)."""
    query = _PUBLIC_BY_CODE
    if (visible := visible_schools(principal)) is not None:
        query = query.where(visible)
    row = (await uow.session.exec(query, params={"code": code})).first()
    if row is None:
        raise NotFound(f"school {code} does not exist or is outside your scope", field="code")
    return SchoolPublic.model_validate(row._mapping)


async def get_school(*, uow: UnitOfWork, principal: Principal, code: str) -> tuple[School, int | None]:
    """The school and its cluster; one outside the caller's scope is answered as if it did not exist."""
    query = _SCHOOL_BY_CODE
    if (visible := visible_schools(principal)) is not None:
        query = query.where(visible)
    row = (await uow.session.exec(query, params={"code": code})).first()
    if row is None:
        raise NotFound(f"school {code} does not exist or is outside your scope", field="code")
    return row[0], row[1]


async def schools_of_commune(uow: UnitOfWork, commune_code: str) -> Sequence[School]:
    return (await uow.session.exec(select(School).where(School.commune_code == commune_code))).all()


async def region_size(uow: UnitOfWork, region_id: int, *, excluding: str | None = None) -> int:
    query = select(func.count()).select_from(School).where(School.core_region_id == region_id)
    if excluding is not None:
        query = query.where(School.code != excluding)
    return (await uow.session.exec(query)).one()


def _staff_table() -> Table:
    # Staff sit above schools (a person works at a school: staff/ imports schools/), so schools name the
    # staff table as a foreign key does, through the registry's metadata (complete once app.py has
    # imported every concept), instead of importing the staff concept.
    return REGISTRY_METADATA.tables["staff"]


async def staff_exists(uow: UnitOfWork, code: str, principal: Principal | None = None) -> bool:
    """Whether the person exists; with ``principal``, among the people of the schools and communes they
    see (a person outside their scope is answered as unknown, as ``GET /staff/{code}`` answers)."""
    staff = _staff_table()
    query = select(staff.c.code).where(staff.c.code == code)
    if principal is not None and (schools := visible_schools(principal)) is not None:
        query = query.where(
            or_(
                staff.c.school_code.in_(select(col(School.code)).where(schools)),
                staff.c.commune_code.in_(visible_communes(principal)),
            )
        )
    return (await uow.session.exec(query)).first() is not None


async def school_seen(uow: UnitOfWork, code: str, principal: Principal) -> bool:
    """Whether the school exists within what ``principal`` sees."""
    query = select(School.code).where(School.code == code)
    if (visible := visible_schools(principal)) is not None:
        query = query.where(visible)
    return (await uow.session.exec(query)).first() is not None


async def staff_count_at(uow: UnitOfWork, school_code: str) -> int:
    staff = _staff_table()
    query = select(func.count()).select_from(staff).where(staff.c.school_code == school_code)
    return (await uow.session.exec(query)).one()
