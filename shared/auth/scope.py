"""What a person may act for, decided by the registry: identity from the token, scope from the registry.

A plain function over what the service's registry replica says of the person (``PersonFacts``), so the
rule is the same in every service and is tested without HTTP or a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shared.auth.identity import Identity
from shared.auth.principal import Principal
from shared.auth.roles import Role

# The order a person's roles are tried in when their token carries several: the widest first.
ROLE_PRECEDENCE = (
    Role.DEPARTMENT_ADMIN,
    Role.DEPARTMENT_OFFICER,
    Role.CLUSTER_LEADER,
    Role.CLUSTER_MEMBER,
    Role.SCHOOL_PRINCIPAL,
    Role.COMMUNE_OFFICER,
)


class NotKnownToRegistry(Exception):
    """The caller is authenticated but the registry does not back what they would act as (a 403)."""


@dataclass(frozen=True)
class Membership:
    cluster_no: int
    role: str
    """leader, member or unit_representative (the registry's ``ClusterMembershipV1.role``)."""
    valid_from: date
    valid_to: date | None = None

    def current_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class PersonFacts:
    """A person as the registry knows them, read from a service's replica."""

    staff_code: str
    full_name: str
    roles: frozenset[str]
    school_code: str | None = None
    commune_code: str | None = None
    active: bool = True
    memberships: Sequence[Membership] = ()

    def cluster_as(self, roles: frozenset[str], day: date) -> int | None:
        for membership in self.memberships:
            if membership.role in roles and membership.current_on(day):
                return membership.cluster_no
        return None


_LEADING = frozenset({"leader"})
_SERVING = frozenset({"leader", "member", "unit_representative"})


def principal_for(identity: Identity, person: PersonFacts | None, *, today: date) -> Principal:
    """The principal for a person: the first of their token's roles that the registry backs today."""
    if person is None:
        raise NotKnownToRegistry(
            f"the registry knows no person {identity.shown}: ask the Department to add them"
        )
    if not person.active:
        raise NotKnownToRegistry(
            f"{person.full_name} ({person.staff_code}) is no longer active in the registry"
        )
    for role in ROLE_PRECEDENCE:
        if role in identity.roles:
            principal = _backed(role, person, today)
            if principal is not None:
                return principal
    wanted = ", ".join(sorted(role.value for role in identity.roles)) or "no role"
    raise NotKnownToRegistry(
        f"the registry does not list {person.full_name} ({person.staff_code}) as {wanted} today"
    )


def _backed(role: Role, person: PersonFacts, today: date) -> Principal | None:
    base = {"subject": person.staff_code, "role": role, "name": person.full_name}
    match role:
        case Role.DEPARTMENT_ADMIN | Role.DEPARTMENT_OFFICER:
            return Principal(**base) if "department_official" in person.roles else None
        case Role.CLUSTER_LEADER | Role.CLUSTER_MEMBER:
            serving = _LEADING if role is Role.CLUSTER_LEADER else _SERVING
            cluster_no = person.cluster_as(serving, today)
            return Principal(**base, cluster_no=cluster_no) if cluster_no is not None else None
        case Role.SCHOOL_PRINCIPAL:
            if "principal" in person.roles and person.school_code:
                return Principal(**base, school_id=person.school_code)
            return None
        case Role.COMMUNE_OFFICER:
            if "commune_officer" in person.roles and person.commune_code:
                return Principal(**base, commune_code=person.commune_code)
            return None
        case _:
            return None
