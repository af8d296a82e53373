"""The rules of one incident, free of I/O: its lifecycle, where it is routed, who may see and act on it,
and what the world is told about it. The use cases load, apply these and save.

Lifecycle: reported → acknowledged → in progress → resolved → closed, and reopen. Callers ask for an
action; the rules say which status it leads to, or which actions the current status allows instead (the
API answers 409 naming them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from shared.auth import Principal, Role
from shared.events.incidents import DeadlineKind, IncidentStatus, RouteKind

SUPPORTED_YEARS = range(2000, 2100)
"""The years incidents and reports speak of: anything else is a typo, and the calendar's first and last
years cannot even be turned into UTC (a 500 where a 422 belongs)."""

# Lifecycle


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


TARGET_STATUS: dict[Action, IncidentStatus] = {
    Action.ACKNOWLEDGE: IncidentStatus.ACKNOWLEDGED,
    Action.START: IncidentStatus.IN_PROGRESS,
    Action.RESOLVE: IncidentStatus.RESOLVED,
    Action.CLOSE: IncidentStatus.CLOSED,
    # A reopened incident must be acknowledged again, against fresh deadlines.
    Action.REOPEN: IncidentStatus.REPORTED,
}

ALLOWED_ACTIONS: dict[IncidentStatus, tuple[Action, ...]] = {
    IncidentStatus.REPORTED: (Action.ACKNOWLEDGE,),
    IncidentStatus.ACKNOWLEDGED: (Action.START, Action.RESOLVE),
    IncidentStatus.IN_PROGRESS: (Action.RESOLVE,),
    IncidentStatus.RESOLVED: (Action.CLOSE, Action.REOPEN),
    IncidentStatus.CLOSED: (Action.REOPEN,),
}

OPEN_STATUSES = frozenset({IncidentStatus.REPORTED, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS})

REASON_REQUIRED = frozenset({Action.REOPEN})
"""Reopening undoes someone's resolution: the timeline must say why."""


class InvalidTransition(Exception):
    def __init__(self, status: IncidentStatus, action: Action) -> None:
        self.status = status
        self.action = action
        self.allowed = ALLOWED_ACTIONS[status]
        allowed = ", ".join(self.allowed) or "none"
        super().__init__(f"cannot {action} an incident that is {status}; allowed: {allowed}")


def next_status(status: IncidentStatus, action: Action) -> IncidentStatus:
    if action not in ALLOWED_ACTIONS[status]:
        raise InvalidTransition(status, action)
    return TARGET_STATUS[action]


def is_open(status: IncidentStatus) -> bool:
    return status in OPEN_STATUSES


def cancelled_by(new_status: IncidentStatus) -> tuple[DeadlineKind, ...]:
    """Which pending escalations a transition makes moot."""
    if new_status is IncidentStatus.ACKNOWLEDGED:
        return (DeadlineKind.ACKNOWLEDGEMENT,)
    if new_status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return (DeadlineKind.ACKNOWLEDGEMENT, DeadlineKind.RESOLUTION)
    return ()


# Routing: the school's cluster and commune, the Department where the commune is in no cluster, or the
# Department's duty desk while the replica does not know the school (or commune) yet.


@dataclass(frozen=True)
class KnownSchool:
    commune_code: str
    cluster_no: int | None


@dataclass(frozen=True)
class KnownCommune:
    cluster_no: int | None


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    commune_code: str | None
    cluster_no: int | None

    def describe(self) -> str:
        """The route as the timeline records it."""
        return f"{self.kind}: cluster {self.cluster_no}, commune {self.commune_code}"


def route_for(
    *,
    school_code: str | None,
    commune_code: str | None,
    school: KnownSchool | None,
    commune: KnownCommune | None,
) -> Route:
    """Route by what the replica knows now: a commune moved to another cluster routes new incidents there.

    ``commune`` is the replica's commune of the school when the school is known, else of ``commune_code``.
    The commune's own assignment wins over the one the school's state carried, being the fresher fact.
    """
    if school_code is not None:
        if school is None:
            # Keep the commune the reporter gave so its officer sees the report; it is not routed by it.
            return Route(RouteKind.DEPARTMENT_DUTY_DESK, commune_code, None)
        cluster_no = commune.cluster_no if commune is not None else school.cluster_no
        return _to(school.commune_code, cluster_no)
    if commune_code is None or commune is None:
        return Route(RouteKind.DEPARTMENT_DUTY_DESK, commune_code, None)
    return _to(commune_code, commune.cluster_no)


def _to(commune_code: str, cluster_no: int | None) -> Route:
    kind = RouteKind.CLUSTER if cluster_no is not None else RouteKind.DEPARTMENT
    return Route(kind, commune_code, cluster_no)


# Access (DESIGN §4): a cluster's people see their cluster's incidents, a principal their school's, a
# commune officer their commune's, the Department everything; a reporter always sees what they reported. A
# restricted (child-safety) incident shows its details only to its cluster leader and the Department.

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


# What the world is told: event payloads built from an incident's state, with no free text and no personal
# details (descriptions, places, names and notes never leave the service).


class Publishable(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def school_code(self) -> str | None: ...
    @property
    def commune_code(self) -> str | None: ...
    @property
    def cluster_no(self) -> int | None: ...
    @property
    def route(self) -> RouteKind: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def restricted(self) -> bool: ...
    @property
    def status(self) -> IncidentStatus: ...
    @property
    def occurred_at(self) -> datetime: ...


def facts(incident: Publishable) -> dict[str, Any]:
    """The fields every incident event carries (``IncidentFactsV1``)."""
    return {
        "incident_id": incident.id,
        "reference": incident.reference,
        "school_code": incident.school_code,
        "commune_code": incident.commune_code,
        "cluster_no": incident.cluster_no,
        "route": incident.route,
        "category": incident.category,
        "severity": incident.severity,
        "restricted": incident.restricted,
        "status": incident.status,
        "occurred_at": incident.occurred_at,
    }
