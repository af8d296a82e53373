"""The rules of a one-click link, without I/O: what state it is in, as whom its person acts, what the
timeline says of its use, and what a person reads about it.

The link proves who it was sent to; the registry (this service's replica) says whether that person may
still act on the incident now. A link acts only in the scope it was sent for (a cluster's people, a
commune's officer): a person who is also a Department official does not widen it to the Department.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from services.incidents.incidents.domain import Action, Scoped, can_see
from shared.auth.action_links import ActionClaims
from shared.auth.identity import Identity
from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.auth.scope import NotKnownToRegistry, PersonFacts, principal_for
from shared.clock import VIETNAM
from shared.errors import Forbidden, Gone, rule_broken
from shared.events.incidents import IncidentStatus

LINK_ACTIONS = {Action.ACKNOWLEDGE.value: Action.ACKNOWLEDGE}
"""What a link may do: acknowledge, and nothing else."""
LINK_ROLES = (Role.CLUSTER_LEADER, Role.CLUSTER_MEMBER, Role.COMMUNE_OFFICER)
"""The roles a report's link reaches people in (notifications' first step: the cluster and commune)."""


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def state_of(claims: ActionClaims, *, used: bool, now: datetime) -> LinkState:
    """Used first: a link used before its expiry says so, not that it expired since."""
    if used:
        return LinkState.USED
    if claims.is_expired(now):
        return LinkState.EXPIRED
    return LinkState.VALID


GONE_MESSAGES = {
    LinkState.USED: (
        "link_used",
        "liên kết này đã được dùng và chỉ dùng được một lần; xin đăng nhập để xem sự cố",
    ),
    LinkState.EXPIRED: (
        "link_expired",
        "liên kết đã hết hạn (hạn tiếp nhận đã qua); xin đăng nhập để tiếp nhận sự cố",
    ),
}


def refuse_unless_valid(state: LinkState) -> None:
    """A used or expired link is 410 Gone, saying which, and offering to sign in."""
    if state is not LinkState.VALID:
        rule, message = GONE_MESSAGES[state]
        raise Gone(message, field="token", rule=rule)


def link_principal(
    person: PersonFacts | None, incident: Scoped, *, staff_code: str, today: date
) -> Principal:
    """As whom the link's person acts on ``incident`` today: the first of the link's roles the registry
    backs whose scope holds the incident; anyone else is refused (403), saying why."""
    if person is None or not person.active:
        raise Forbidden(
            f"{staff_code} is no longer known as active in the registry: this link can no longer be used",
            field="token",
            rule="link_person_unknown",
        )
    for role in LINK_ROLES:
        identity = Identity(subject=person.staff_code, roles=frozenset({role}), staff_code=person.staff_code)
        try:
            principal = principal_for(identity, person, today=today)
        except NotKnownToRegistry:
            continue
        if can_see(principal, incident):
            return principal
    raise Forbidden(
        f"{person.full_name} ({person.staff_code}) no longer acts for this incident's cluster or commune "
        "in the registry: sign in to see what you may do",
        field="token",
        rule="link_person_out_of_scope",
    )


def awaiting_acknowledgement(incident: Acknowledgeable) -> None:
    """A link acknowledges a report that still waits for it; otherwise 409, saying where it stands."""
    if incident.status is not IncidentStatus.REPORTED:
        when = (
            f", đã được tiếp nhận lúc {local_time(incident.acknowledged_at)}"
            if incident.acknowledged_at
            else ""
        )
        raise rule_broken(
            "not_awaiting_acknowledgement",
            f"sự cố {incident.reference} không còn chờ tiếp nhận{when} "
            f"(trạng thái: {STATUS_WORDS.get(incident.status, incident.status)})",
            field="status",
        )


class Acknowledgeable(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def status(self) -> IncidentStatus: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...


STATUS_WORDS = {
    IncidentStatus.ACKNOWLEDGED: "đã tiếp nhận",
    IncidentStatus.IN_PROGRESS: "đang xử lý",
    IncidentStatus.RESOLVED: "đã giải quyết",
    IncidentStatus.CLOSED: "đã đóng",
}


def local_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


_VIA = {"email": "email", "sms": "tin nhắn SMS"}


def timeline_detail(person: Principal, *, via: str) -> str:
    """What the timeline says of the acknowledgement, in Vietnamese: the source and the person."""
    source = _VIA.get(via, via)
    return f"Đã xác nhận từ liên kết trong {source}: {person.name or person.subject} ({person.subject})"


ACTION_LABELS = {Action.ACKNOWLEDGE.value: "Tiếp nhận sự cố"}

STATE_TEXTS = {
    LinkState.VALID: "Bấm nút để tiếp nhận sự cố; liên kết chỉ dùng được một lần.",
    LinkState.USED: GONE_MESSAGES[LinkState.USED][1].capitalize() + ".",
    LinkState.EXPIRED: GONE_MESSAGES[LinkState.EXPIRED][1].capitalize() + ".",
}
