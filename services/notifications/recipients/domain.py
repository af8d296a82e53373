"""From a rule's roles and an event's facts to the places to look people up, without I/O.

A rule says "the cluster leader" or "the principals of the eligible schools"; the event says which
cluster, commune or schools (``facts_of`` reads them out of any incident, activity or notice event). A
notice names its audience as chosen (principals by cluster, commune and level, named schools, communes'
People's Committees and Offices of Culture and Social Affairs): each part becomes a lookup.
``targets_for`` joins the two into lookups (``Target``) that the service answers from the registry
replica and the Department's addresses in settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from shared.clock import utc_now
from shared.events import EventPayload
from shared.events.activities import (
    ActivityCancelledV1,
    ActivitySummaryV1,
    ParticipantRegisteredV1,
    ParticipantWithdrawnV1,
    RegistrationClosedV1,
    RegistrationOpenedV1,
    ResultsPublishedV1,
)
from shared.events.incidents import IncidentEscalatedV1, IncidentFactsV1
from shared.events.notices import (
    AddresseeKind,
    NoticeAudienceV1,
    NoticePublishedV1,
    NoticeReminderSentV1,
    ReturnOverdueV1,
    parse_addressee_key,
)
from shared.events.registry import ClusterMembershipV1


class RecipientRole(StrEnum):
    """Roles a rule can name; each is resolved within the scope the event gives."""

    CLUSTER_LEADER = "cluster_leader"
    CLUSTER_MEMBERS = "cluster_members"
    COMMUNE_OFFICE = "commune_office"
    """The commune's Office of Culture and Social Affairs, which coordinates support at commune level."""
    SCHOOL_PRINCIPAL = "school_principal"
    DEPARTMENT_DUTY_DESK = "department_duty_desk"
    DEPARTMENT_LEADERSHIP = "department_leadership"
    ESCALATION_TARGET = "escalation_target"
    """The level an escalation event names (cluster leader, Department office, leadership, province)."""
    REPORTER = "reporter"
    """The person who reported the incident (the account the event names), so that they hear back."""
    ELIGIBLE_SCHOOL_PRINCIPALS = "eligible_school_principals"
    PARTICIPANT_SCHOOL_PRINCIPALS = "participant_school_principals"
    REGISTERED_SCHOOL_PRINCIPALS = "registered_school_principals"
    NOTICE_AUDIENCE = "notice_audience"
    """Everyone a notice's audience names, resolved from this service's replica."""
    NOTICE_ADDRESSEES = "notice_addressees"
    """The addressees an event names by key (a reminder's one addressee)."""


class TargetKind(StrEnum):
    CLUSTER_LEADER = "cluster_leader"
    CLUSTER_MEMBERS = "cluster_members"
    COMMUNE_OFFICE = "commune_office"
    SCHOOL_PRINCIPAL = "school_principal"
    DEPARTMENT = "department"
    PERSON = "person"
    """One account: a staff code, a staff member's email, or a token subject the registry does not know."""
    PEOPLE_COMMITTEE = "people_committee"
    """A commune's People's Committee (scope: the commune)."""
    PROVINCE = "province"
    """The province-level recipient the registry names (its offices of kind ``province``); without one,
    the Department's leadership, who answer to the province."""
    PRINCIPALS_MATCHING = "principals_matching"
    """The principals of the active schools a notice's principal group matches (scope: the group's JSON)."""
    COMMUNE_OFFICES_MATCHING = "commune_offices_matching"
    PEOPLE_COMMITTEES_MATCHING = "people_committees_matching"
    """A commune group's offices (scope: the group's JSON)."""


class DepartmentDesk(StrEnum):
    DUTY_DESK = "duty-desk"
    LEADERSHIP = "leadership"


@dataclass(frozen=True)
class Target:
    """One lookup: a kind of person and the scope (a cluster number, a school or commune code, a desk)."""

    kind: TargetKind
    scope: str


@dataclass(frozen=True)
class EventFacts:
    """What routing needs of any source event, whatever its type."""

    event_id: str
    event_type: str
    """The type of the event's first version (``first_type``): a v2 is routed and rendered as its v1."""
    occurred_at: datetime
    subject: str | None = None
    reference: str | None = None
    severity: str | None = None
    restricted: bool = False
    cluster_nos: tuple[int, ...] = ()
    commune_code: str | None = None
    school_code: str | None = None
    escalation_level: str | None = None
    reporter_subject: str | None = None
    school_codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Named lists of schools the event concerns: ``eligible``, ``participants``, ``registered``."""
    audience: NoticeAudienceV1 | None = None
    """A notice's audience as its sender chose it."""
    addressees: tuple[str, ...] = ()
    """Addressee keys an event names (``school:…``, ``commune-office:…``, ``people-committee:…``)."""


@dataclass(frozen=True)
class Recipient:
    """A person (or office) with their addresses; ``key`` names them everywhere in this service."""

    key: str
    name: str
    email: str | None = None
    phone: str | None = None
    addressee: str | None = None
    """For a school's principal or a commune's office: the addressee key a notice names them by."""


@dataclass(frozen=True)
class DepartmentContacts:
    """The Department's own addresses, from settings: they are not people in the registry."""

    duty_desk: Recipient
    leadership: Recipient

    def of(self, desk: DepartmentDesk) -> Recipient:
        return self.duty_desk if desk is DepartmentDesk.DUTY_DESK else self.leadership


def membership_is_current(membership: ClusterMembershipV1, today: date) -> bool:
    """A membership counts from its first day to its last (``valid_to`` inclusive, None: open)."""
    return membership.valid_from <= today and (membership.valid_to is None or today <= membership.valid_to)


def staff_key(code: str) -> str:
    return f"staff:{code}"


def school_key(code: str) -> str:
    return f"school:{code}"


def commune_office_key(gso_code: str) -> str:
    return f"commune-office:{gso_code}"


def people_committee_key(gso_code: str) -> str:
    return f"people-committee:{gso_code}"


def department_key(desk: DepartmentDesk) -> str:
    return f"department:{desk}"


def office_key(code: str) -> str:
    return f"office:{code}"


_DUTY_DESK = Target(TargetKind.DEPARTMENT, DepartmentDesk.DUTY_DESK)
_LEADERSHIP = Target(TargetKind.DEPARTMENT, DepartmentDesk.LEADERSHIP)

_SCHOOL_LISTS = {
    RecipientRole.ELIGIBLE_SCHOOL_PRINCIPALS: "eligible",
    RecipientRole.PARTICIPANT_SCHOOL_PRINCIPALS: "participants",
    RecipientRole.REGISTERED_SCHOOL_PRINCIPALS: "registered",
}


def targets_for(role: RecipientRole, facts: EventFacts) -> list[Target]:
    """Where to find the people ``role`` means for this event.

    A cluster role for something in no cluster (Vinh, Nghi Loc, Nam Dan, Hung Nguyen, or a report still
    without a school) falls to the Department's duty desk: the Department directs those communes itself.
    """
    if role is RecipientRole.CLUSTER_LEADER or role is RecipientRole.CLUSTER_MEMBERS:
        kind = TargetKind(role.value)
        return [Target(kind, str(n)) for n in facts.cluster_nos] or [_DUTY_DESK]
    if role is RecipientRole.COMMUNE_OFFICE:
        return [Target(TargetKind.COMMUNE_OFFICE, facts.commune_code)] if facts.commune_code else []
    if role is RecipientRole.SCHOOL_PRINCIPAL:
        return [Target(TargetKind.SCHOOL_PRINCIPAL, facts.school_code)] if facts.school_code else []
    if role is RecipientRole.DEPARTMENT_DUTY_DESK:
        return [_DUTY_DESK]
    if role is RecipientRole.DEPARTMENT_LEADERSHIP:
        return [_LEADERSHIP]
    if role is RecipientRole.ESCALATION_TARGET:
        return escalation_targets(facts)
    if role is RecipientRole.REPORTER:
        return [Target(TargetKind.PERSON, facts.reporter_subject)] if facts.reporter_subject else []
    if role is RecipientRole.NOTICE_AUDIENCE:
        return audience_targets(facts.audience) if facts.audience is not None else []
    if role is RecipientRole.NOTICE_ADDRESSEES:
        return addressee_targets(facts.addressees)
    codes = facts.school_codes.get(_SCHOOL_LISTS[role], ())
    return [Target(TargetKind.SCHOOL_PRINCIPAL, code) for code in dict.fromkeys(codes)]


def audience_targets(audience: NoticeAudienceV1) -> list[Target]:
    """Each part of a notice's audience as a lookup; the replica answers them (``recipients.queries``)."""
    targets: list[Target] = []
    if audience.all_principals:
        targets.append(Target(TargetKind.PRINCIPALS_MATCHING, "{}"))
    for group in audience.principal_groups:
        if not group.is_empty():
            targets.append(Target(TargetKind.PRINCIPALS_MATCHING, group.model_dump_json()))
    targets += [Target(TargetKind.SCHOOL_PRINCIPAL, code) for code in dict.fromkeys(audience.school_codes)]
    if audience.people_committees is not None and not audience.people_committees.is_empty():
        targets.append(
            Target(TargetKind.PEOPLE_COMMITTEES_MATCHING, audience.people_committees.model_dump_json())
        )
    if audience.culture_offices is not None and not audience.culture_offices.is_empty():
        targets.append(
            Target(TargetKind.COMMUNE_OFFICES_MATCHING, audience.culture_offices.model_dump_json())
        )
    return targets


_ADDRESSEE_TARGETS = {
    AddresseeKind.SCHOOL_PRINCIPAL: TargetKind.SCHOOL_PRINCIPAL,
    AddresseeKind.CULTURE_OFFICE: TargetKind.COMMUNE_OFFICE,
    AddresseeKind.PEOPLE_COMMITTEE: TargetKind.PEOPLE_COMMITTEE,
}


def addressee_targets(keys: tuple[str, ...]) -> list[Target]:
    targets = []
    for key in dict.fromkeys(keys):
        parsed = parse_addressee_key(key)
        if parsed is not None:
            kind, code = parsed
            targets.append(Target(_ADDRESSEE_TARGETS[kind], code))
    return targets


def escalation_targets(facts: EventFacts) -> list[Target]:
    """The next level of the chain principal → cluster leader → Department office → leadership → province.

    The province is the recipient the registry's offices name (kind ``province``); until one is imported,
    the Department's leadership, who answer to it.
    """
    level = facts.escalation_level
    if level == "cluster_leader":
        return targets_for(RecipientRole.CLUSTER_LEADER, facts)
    if level == "department_office":
        return [_DUTY_DESK]
    if level == "department_leadership":
        return [_LEADERSHIP]
    if level == "province":
        return [Target(TargetKind.PROVINCE, "province")]
    return [_DUTY_DESK]  # an unknown level still reaches someone who can act


# Reading the routing facts out of any source event: incident events all carry the incident's facts
# (school, commune, cluster, severity, restricted); activity events carry their clusters and the lists of
# schools concerned; notice events their audience, addressees and clusters. Anything else routes on its
# type alone.


def facts_of(
    event: EventPayload, *, event_id: str, subject: str | None, event_time: datetime | None
) -> EventFacts:
    occurred_at = event_time or getattr(event, "occurred_at", None) or utc_now()
    if isinstance(event, IncidentFactsV1):
        return EventFacts(
            event_id=event_id,
            event_type=event.first_type,
            occurred_at=occurred_at,
            subject=subject,
            reference=event.reference,
            severity=event.severity,
            restricted=event.restricted,
            cluster_nos=(event.cluster_no,) if event.cluster_no is not None else (),
            commune_code=event.commune_code,
            school_code=event.school_code,
            escalation_level=event.level if isinstance(event, IncidentEscalatedV1) else None,
            reporter_subject=getattr(event, "reporter_subject", None),
        )
    if isinstance(event, NoticePublishedV1 | NoticeReminderSentV1 | ReturnOverdueV1):
        return EventFacts(
            event_id=event_id,
            event_type=event.first_type,
            occurred_at=occurred_at,
            subject=subject,
            reference=event.number,
            cluster_nos=tuple(event.cluster_nos),
            audience=event.audience if isinstance(event, NoticePublishedV1) else None,
            addressees=(event.addressee.key,) if isinstance(event, NoticeReminderSentV1) else (),
        )
    activity: ActivitySummaryV1 | None = getattr(event, "activity", None)
    cluster_nos = tuple(activity.cluster_nos if activity else getattr(event, "cluster_nos", ()) or ())
    lists: dict[str, tuple[str, ...]] = {}
    school_code = None
    if isinstance(event, RegistrationOpenedV1):
        lists["eligible"] = tuple(event.eligible_school_codes)
    if isinstance(event, ResultsPublishedV1):
        lists["participants"] = tuple(event.participant_school_codes)
    if isinstance(event, ActivityCancelledV1 | RegistrationClosedV1):
        lists["registered"] = tuple(event.registered_school_codes)
    if isinstance(event, ParticipantRegisteredV1 | ParticipantWithdrawnV1):
        school_code = event.participant.school_code
    return EventFacts(
        event_id=event_id,
        event_type=event.first_type,
        occurred_at=occurred_at,
        subject=subject,
        reference=activity.title if activity else getattr(event, "title", None),
        cluster_nos=cluster_nos,
        school_code=school_code,
        school_codes=lists,
    )
