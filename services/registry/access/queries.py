"""The communes each caller may see (DESIGN §4), as SQL: the base of the school and staff scopes.

The predicates on ``Principal`` decide for one row; the list queries build the same decision into SQL, so a
page and its total never include what the caller may not see. Schools (``schools.queries.visible_schools``)
and staff (``staff.queries.visible_staff``) extend this one with their own rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from services.registry.communes.models import Commune
from shared.auth import Principal


def visible_communes(principal: Principal) -> Any:
    """The GSO codes of the communes in the caller's clusters or named in their scope (a subquery)."""
    conditions: list[ColumnElement[bool]] = []
    if principal.scoped_clusters:
        conditions.append(col(Commune.cluster_no).in_(principal.scoped_clusters))
    if principal.scoped_communes:
        conditions.append(col(Commune.gso_code).in_(principal.scoped_communes))
    return select(col(Commune.gso_code)).where(or_(false(), *conditions))
