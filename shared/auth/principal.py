"""Who is calling and which data they may see (DESIGN §4), as plain predicates services use without HTTP.

Scoping follows the organisation: the Department sees everything, a cluster's people their cluster, a
principal their school, a commune officer their commune, an integration client what its grants name.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.auth.roles import CLUSTER_ROLES, DEPARTMENT_ROLES, Role

ALL_CLUSTERS_GRANT = "cluster:*"
"""Grants an integration client everything the Department sees, including communes in no cluster."""

_CLUSTER_GRANT = "cluster"
_COMMUNE_GRANT = "commune"
_SCHOOL_GRANT = "school"

# The field each role's scope hangs on: a token without it would be scoped to nothing, or worse, be read
# as unscoped by a careless check, so it is refused outright.
_SCOPE_FIELD_OF_ROLE: dict[Role, str] = {
    Role.CLUSTER_LEADER: "cluster_no",
    Role.CLUSTER_MEMBER: "cluster_no",
    Role.SCHOOL_PRINCIPAL: "school_id",
    Role.COMMUNE_OFFICER: "commune_code",
}


class Principal(BaseModel):
    """An authenticated caller; immutable so a request cannot widen its own scope halfway through."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=1)
    role: Role
    name: str | None = None
    cluster_no: int | None = Field(default=None, ge=1)
    school_id: str | None = Field(default=None, min_length=1)
    commune_code: str | None = Field(default=None, min_length=1)
    grants: frozenset[str] = frozenset()

    @field_validator("grants")
    @classmethod
    def _data_grants_are_well_formed(cls, grants: frozenset[str]) -> frozenset[str]:
        for grant in grants:
            kind, _, value = grant.partition(":")
            if kind == _CLUSTER_GRANT and not (value == "*" or (value.isdigit() and int(value) >= 1)):
                raise PydanticCustomError(
                    "grant", "grant {grant} must name a cluster number or '*'", {"grant": grant}
                )
            if kind in (_COMMUNE_GRANT, _SCHOOL_GRANT) and not value:
                raise PydanticCustomError(
                    "grant", "grant {grant} must name a {kind}", {"grant": grant, "kind": kind}
                )
        return grants

    @model_validator(mode="after")
    def _role_has_its_scope(self) -> Self:
        field = _SCOPE_FIELD_OF_ROLE.get(self.role)
        if field is not None and getattr(self, field) is None:
            raise PydanticCustomError(
                "scope", "role {role} requires {field}", {"role": self.role.value, "field": field}
            )
        return self

    @property
    def is_department_staff(self) -> bool:
        return self.role in DEPARTMENT_ROLES

    @property
    def sees_everything(self) -> bool:
        """True when no scope filter applies, so list queries can skip their WHERE clause."""
        if self.is_department_staff:
            return True
        return self.role is Role.INTEGRATION_CLIENT and ALL_CLUSTERS_GRANT in self.grants

    @property
    def scoped_clusters(self) -> frozenset[int]:
        """Clusters whose data is visible in full; with the two below it builds SQL filters."""
        if self.role in CLUSTER_ROLES and self.cluster_no is not None:
            return frozenset({self.cluster_no})
        return frozenset(int(value) for value in self._granted(_CLUSTER_GRANT) if value != "*")

    @property
    def scoped_communes(self) -> frozenset[str]:
        if self.role is Role.COMMUNE_OFFICER and self.commune_code is not None:
            return frozenset({self.commune_code})
        return self._granted(_COMMUNE_GRANT)

    @property
    def scoped_schools(self) -> frozenset[str]:
        if self.role is Role.SCHOOL_PRINCIPAL and self.school_id is not None:
            return frozenset({self.school_id})
        return self._granted(_SCHOOL_GRANT)

    def can_see_cluster(self, cluster_no: int | None) -> bool:
        """``None`` stands for data in no cluster (Vinh, Nghi Loc, ...): only the all-seeing see it."""
        if self.sees_everything:
            return True
        return cluster_no is not None and cluster_no in self.scoped_clusters

    def can_see_commune(self, commune_code: str, *, cluster_no: int | None) -> bool:
        """``cluster_no`` is the commune's cluster now: communes move, and access moves with them."""
        return self.can_see_cluster(cluster_no) or commune_code in self.scoped_communes

    def can_see_school(self, school_id: str, *, cluster_no: int | None, commune_code: str) -> bool:
        """A school is visible to whoever sees its commune, and to its own principal."""
        return self.can_see_commune(commune_code, cluster_no=cluster_no) or school_id in self.scoped_schools

    def _granted(self, kind: str) -> frozenset[str]:
        # Only integration clients are scoped by grants; a stray grant in a staff token widens nothing.
        if self.role is not Role.INTEGRATION_CLIENT:
            return frozenset()
        prefix = f"{kind}:"
        return frozenset(grant.removeprefix(prefix) for grant in self.grants if grant.startswith(prefix))
