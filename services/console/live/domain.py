"""Which live changes concern whom: a change names the incident's cluster, school and commune; a page is
told only "something changed where you look" and fetches what changed with its person's own token."""

from __future__ import annotations

from dataclasses import dataclass

from services.console.signin.domain import Scope
from shared.auth import Role


@dataclass(frozen=True)
class Change:
    cluster_no: int | None
    school_code: str | None
    commune_code: str | None


def concerns(change: Change, role: Role, scope: Scope) -> bool:
    if role in (Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER):
        return True
    if role in (Role.CLUSTER_LEADER, Role.CLUSTER_MEMBER):
        return scope.cluster_no is not None and change.cluster_no == scope.cluster_no
    if role is Role.SCHOOL_PRINCIPAL:
        return scope.school_code is not None and change.school_code == scope.school_code
    if role is Role.COMMUNE_OFFICER:
        return scope.commune_code is not None and change.commune_code == scope.commune_code
    return False


def message(change: Change) -> str:
    """The server-sent event: its name and the cluster it concerns (no detail leaves the APIs' scope)."""
    where = "" if change.cluster_no is None else str(change.cluster_no)
    return f"event: incidents\ndata: {where}\n\n"
