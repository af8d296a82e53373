"""Who hears of an event, without I/O: the rules' roles, the people they resolved to, and the roles of an
incident's chain that resolved to nobody, for whom the Department's duty desk stands in.

The first step of an incident (the report) goes to its own scope: the cluster's leader and members and
the commune's Office of Culture and Social Affairs; an escalation names one level of the chain. A role of
either that resolves to nobody falls through to the duty desk, which is told whom it stands in for; the
incidents service, reading the same registry facts, says the same on the incident's timeline
(services/incidents/README.md). An incident whose first step reached nobody of its own scope is counted
(``notification_incidents_unreached_total``): the registry lacks the people to route it to. For a commune
the Department directs itself, the duty desk is that scope's own (the cluster roles name it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.notifications.recipients.domain import EventFacts, Recipient, RecipientRole, Target, TargetKind
from shared.events.incidents import IncidentEscalatedV1, IncidentReportedV1
from shared.events.notifications import DeliveryChannel

CHAIN_EVENT_TYPES = frozenset({IncidentReportedV1.event_type, IncidentEscalatedV1.event_type})
"""The steps of an incident's chain: its report (the first step) and each escalation."""

FALLS_THROUGH = frozenset(
    {
        RecipientRole.CLUSTER_LEADER,
        RecipientRole.CLUSTER_MEMBERS,
        RecipientRole.COMMUNE_OFFICE,
        RecipientRole.ESCALATION_TARGET,
    }
)
"""Roles a step may not lose: nobody there means the duty desk hears instead. A principal, a reporter or
the schools of an activity are told for their own sake: nobody stands in for them."""

LOCAL_KINDS = frozenset({TargetKind.CLUSTER_LEADER, TargetKind.CLUSTER_MEMBERS, TargetKind.COMMUNE_OFFICE})
"""The people of an incident's own scope (its cluster's, its commune's)."""

CLUSTER_ROLES = frozenset({RecipientRole.CLUSTER_LEADER, RecipientRole.CLUSTER_MEMBERS})
"""For a commune in no cluster these name the duty desk: the Department directs it, it is its own scope."""


def falls_through(role: RecipientRole, facts: EventFacts) -> bool:
    return facts.event_type in CHAIN_EVENT_TYPES and role in FALLS_THROUGH


@dataclass(frozen=True)
class Vacancy:
    """A role of the chain that resolved to nobody in the event's scope."""

    role: RecipientRole
    scope: str
    """The cluster number, the commune code, or the escalation's level."""


def vacancy_scope(role: RecipientRole, facts: EventFacts) -> str:
    if role is RecipientRole.COMMUNE_OFFICE:
        return facts.commune_code or ""
    if role is RecipientRole.ESCALATION_TARGET:
        return facts.escalation_level or ""
    return ",".join(str(n) for n in facts.cluster_nos)


@dataclass
class Heard:
    """One person who hears, on which channels, for which roles, and whom they stand in for."""

    recipient: Recipient
    channels: frozenset[DeliveryChannel] = frozenset()
    roles: list[RecipientRole] = field(default_factory=list)
    stands_in_for: list[RecipientRole] = field(default_factory=list)


@dataclass
class Audience:
    """Everyone an event reaches, and what the rules asked for that nobody holds."""

    heard: dict[str, Heard] = field(default_factory=dict)
    vacancies: list[Vacancy] = field(default_factory=list)
    local_named: bool = False
    """The rules name someone of the incident's own scope."""
    local_reached: bool = False
    """Someone of the incident's own scope was found."""

    def add(
        self,
        people: list[Recipient],
        *,
        role: RecipientRole,
        channels: tuple[DeliveryChannel, ...],
        standing_in: bool = False,
    ) -> None:
        for person in people:
            heard = self.heard.setdefault(person.key, Heard(person))
            heard.channels |= frozenset(channels)
            if standing_in:
                if role not in heard.stands_in_for:
                    heard.stands_in_for.append(role)
            elif role not in heard.roles:
                heard.roles.append(role)

    def note(self, role: RecipientRole, targets: list[Target], people: list[Recipient]) -> None:
        """What a role's lookups say of the incident's own scope: named, and reached."""
        own = [
            target
            for target in targets
            if target.kind in LOCAL_KINDS or (role in CLUSTER_ROLES and target.kind is TargetKind.DEPARTMENT)
        ]
        if own:
            self.local_named = True
            if people:
                self.local_reached = True

    @property
    def unreached(self) -> bool:
        """The rules named people of the incident's scope and none of them could be found."""
        return self.local_named and not self.local_reached
