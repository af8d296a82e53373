"""The incident lifecycle: reported → acknowledged → in progress → resolved → closed, and reopen.

Callers ask for an action; the rules say which status it leads to, or which actions the current status
allows instead (the API answers 409 naming them).
"""

from __future__ import annotations

from enum import StrEnum

from shared.events.incidents import IncidentStatus


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
