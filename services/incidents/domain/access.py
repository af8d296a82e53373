"""Who may see, report and act on an incident (DESIGN §4), as predicates on a Principal.

A cluster's people see their cluster's incidents, a principal their school's, a commune officer their
commune's, the Department everything; a reporter always sees what they reported. A restricted
(child-safety) incident shows its details only to its cluster leader and the Department.
"""

from __future__ import annotations

from typing import Protocol

from services.incidents.domain.lifecycle import Action
from services.incidents.domain.routing import Route
from shared.auth import Principal, Role

REPORTING_ROLES = frozenset(
    {
        Role.SCHOOL_PRINCIPAL,
        Role.COMMUNE_OFFICER,
        Role.CLUSTER_MEMBER,
        Role.CLUSTER_LEADER,
        Role.DEPARTMENT_OFFICER,
        Role.DEPARTMENT_ADMIN,
    }
)

_HANDLERS = frozenset(
    {
        Role.DEPARTMENT_ADMIN,
        Role.DEPARTMENT_OFFICER,
        Role.CLUSTER_LEADER,
        Role.CLUSTER_MEMBER,
        Role.COMMUNE_OFFICER,
    }
)
_DECIDERS = frozenset({Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER, Role.CLUSTER_LEADER})

ACTION_ROLES: dict[Action, frozenset[Role]] = {
    Action.ACKNOWLEDGE: _HANDLERS,
    Action.START: _HANDLERS,
    Action.RESOLVE: _HANDLERS,
    # Closing ends the Department's follow-up and reopening overrules it: leaders decide.
    Action.CLOSE: _DECIDERS,
    Action.REOPEN: _DECIDERS,
}


class Scoped(Protocol):
    @property
    def cluster_no(self) -> int | None: ...
    @property
    def commune_code(self) -> str | None: ...
    @property
    def school_code(self) -> str | None: ...
    @property
    def reporter_subject(self) -> str: ...
    @property
    def restricted(self) -> bool: ...


def can_see(principal: Principal, incident: Scoped) -> bool:
    if principal.can_see_cluster(incident.cluster_no) or principal.subject == incident.reporter_subject:
        return True
    if incident.commune_code is not None and incident.commune_code in principal.scoped_communes:
        return True
    return incident.school_code is not None and incident.school_code in principal.scoped_schools


def can_see_details(principal: Principal, incident: Scoped) -> bool:
    if not incident.restricted or principal.is_department_staff:
        return True
    return principal.role is Role.CLUSTER_LEADER and principal.cluster_no == incident.cluster_no


def may_act(principal: Principal, action: Action) -> bool:
    return principal.role in ACTION_ROLES[action]


def report_refusal(principal: Principal, *, school_code: str | None, route: Route) -> str | None:
    """Why ``principal`` may not report there (None: they may). The route is where the report would go."""
    if principal.role not in REPORTING_ROLES:
        return f"role {principal.role} may not report incidents"
    if principal.is_department_staff:
        return None
    if principal.role is Role.SCHOOL_PRINCIPAL:
        return None if school_code == principal.school_id else "a principal reports for their own school"
    if principal.role is Role.COMMUNE_OFFICER:
        if route.commune_code == principal.commune_code:
            return None
        return "a commune officer reports for their own commune"
    # Cluster people: their cluster, or a school nobody knows yet (the duty desk sorts it out).
    if route.cluster_no is None and route.commune_code is None:
        return None
    if route.cluster_no is not None and route.cluster_no == principal.cluster_no:
        return None
    return f"cluster {principal.cluster_no} reports only for its own schools and communes"
