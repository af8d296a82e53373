"""SQL filters that keep each caller to the schools and staff they may see (DESIGN §4).

The predicates on ``Principal`` decide for one row; these build the same decision into list queries, so a
page and its total never include what the caller may not see.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.registry.clusters.models import ClusterMembership
from services.registry.communes.models import Commune
from services.registry.schools.models import School
from services.registry.staff.models import Staff
from shared.auth import Principal


def _visible_communes(principal: Principal) -> Any:
    conditions: list[ColumnElement[bool]] = []
    if principal.scoped_clusters:
        conditions.append(col(Commune.cluster_no).in_(principal.scoped_clusters))
    if principal.scoped_communes:
        conditions.append(col(Commune.gso_code).in_(principal.scoped_communes))
    return select(col(Commune.gso_code)).where(or_(false(), *conditions))


def visible_schools(principal: Principal) -> ColumnElement[bool] | None:
    """None when the caller sees every school."""
    if principal.sees_everything:
        return None
    return or_(
        col(School.commune_code).in_(_visible_communes(principal)),
        col(School.code).in_(principal.scoped_schools),
    )


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
        col(Staff.commune_code).in_(_visible_communes(principal)),
        col(Staff.code).in_(members),
    )
