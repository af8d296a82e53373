"""Events the incidents service publishes on ``incidents.events``, keyed by incident id.

Every event carries the incident's routing facts (school, commune, cluster, category, severity, restricted)
and the catalog's names of its category and severity, so a consumer such as notifications can decide who
must hear of it, and tell them in words, without keeping incident state. Events carry no free text and no
personal details: descriptions, places, names and notes stay in the incidents service, behind its access
rules (a restricted child-safety case shows them only to the cluster leader and the Department). The one
identifier of a person is the reporter's account (``reporter_subject``, on acknowledged and resolved) so
that the reporter hears back; notifications never passes it on to webhooks.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import EventPayload, event_type
from shared.events.topics import INCIDENT_EVENTS


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class RouteKind(StrEnum):
    """Who handles an incident: its cluster, the Department (commune in no cluster), or the duty desk."""

    CLUSTER = "cluster"
    DEPARTMENT = "department"
    DEPARTMENT_DUTY_DESK = "department_duty_desk"
    """The school or commune is not known yet: the Department's duty desk holds it until it is."""


class EscalationLevel(StrEnum):
    """The escalation chain, lowest first (DESIGN §2)."""

    CLUSTER_LEADER = "cluster_leader"
    DEPARTMENT_OFFICE = "department_office"
    DEPARTMENT_LEADERSHIP = "department_leadership"
    PROVINCE = "province"


class DeadlineKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    RESOLUTION = "resolution"


class ScopeRole(StrEnum):
    """The people of an incident's own scope who hear of it first; any of them may be vacant."""

    CLUSTER_LEADER = "cluster_leader"
    CLUSTER_MEMBERS = "cluster_members"
    COMMUNE_OFFICE = "commune_office"
    """The commune's Office of Culture and Social Affairs: a contact address, or a commune officer."""


class IncidentLabelsV1(BaseModel):
    """The catalog's names of an incident's category and severity, as they stood when the event was made."""

    model_config = ConfigDict(frozen=True)

    category_vi: str = Field(description="e.g. Ngộ độc thực phẩm")
    category_en: str = Field(description="e.g. Food poisoning")
    severity_vi: str = Field(description="e.g. Đặc biệt nghiêm trọng")
    severity_en: str = Field(description="e.g. Critical")


class IncidentFactsV1(EventPayload):
    """What every incident event says about the incident it concerns, as it stands after the event."""

    incident_id: str = Field(description="The incident's id (a UUID), the message key")
    reference: str = Field(description="Human-readable reference, e.g. SC-2026-000123")
    school_code: str | None = Field(default=None, description="MOET code; None for a commune-level report")
    commune_code: str | None = Field(default=None, description="GSO code; None while the school is unknown")
    cluster_no: int | None = Field(default=None, ge=1, description="None: handled by the Department")
    route: RouteKind
    category: str = Field(description="Category code from the incidents service's catalog")
    severity: str = Field(description="critical, high, medium or low (catalog codes)")
    restricted: bool = Field(description="Child-safety case: details only for cluster leader and Department")
    status: IncidentStatus
    occurred_at: datetime
    labels: IncidentLabelsV1 | None = Field(
        default=None, description="Names of the category and severity for people (absent in older events)"
    )


@event_type("incidents.incident.reported.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentReportedV1(IncidentFactsV1):
    """A new incident was reported; counts of people affected, never who they are."""

    reported_at: datetime
    reporter_role: str
    injured: int = Field(ge=0)
    dead: int = Field(ge=0)
    missing: int = Field(ge=0)
    out_of_school: int = Field(ge=0, description="Pupils kept out of school by the incident")
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    vacant_roles: list[ScopeRole] = Field(
        default_factory=list,
        description="Who of the incident's own scope nobody holds (the registry replica at report): the "
        "Department office stands in for them",
    )


@event_type("incidents.incident.routed.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentRoutedV1(IncidentFactsV1):
    """The incident was routed (on report) or re-routed (its school appeared, or a correction)."""

    rerouted: bool
    previous_route: RouteKind | None = None
    previous_cluster_no: int | None = None
    previous_commune_code: str | None = None
    routed_at: datetime


@event_type("incidents.incident.acknowledged.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentAcknowledgedV1(IncidentFactsV1):
    acknowledged_at: datetime
    actor_role: str
    within_target: bool = Field(description="Acknowledged before its acknowledgement deadline")
    reporter_subject: str | None = Field(
        default=None, description="The reporter's account (token subject), so that they hear back"
    )


@event_type("incidents.incident.escalated.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentEscalatedV1(IncidentFactsV1):
    """A deadline passed: notify ``notify_role`` at ``level`` (of the incident's cluster, if it has one)."""

    deadline: DeadlineKind
    due_at: datetime = Field(description="The deadline that passed")
    level: EscalationLevel
    level_rank: int = Field(ge=1, description="1 = cluster leader ... 4 = province")
    notify_role: str = Field(description="The role to notify, e.g. cluster_leader, department_officer")
    step: int = Field(ge=1, description="Which step of the severity's chain fired, 1 first")
    escalated_at: datetime
    vacant_roles: list[ScopeRole] = Field(
        default_factory=list,
        description="The step's own role, vacant in the incident's scope: it passed at once to ``level``, "
        "the next step of the chain that has a person",
    )


@event_type("incidents.incident.status-changed.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentStatusChangedV1(IncidentFactsV1):
    """Any transition; acknowledged/resolved/closed/reopened also have their own event with more facts."""

    from_status: IncidentStatus
    changed_at: datetime
    actor_role: str


@event_type("incidents.incident.note-added.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentNoteAddedV1(IncidentFactsV1):
    """A note was added; its text stays in the service."""

    note_id: int
    added_at: datetime
    author_role: str


@event_type("incidents.incident.resolved.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentResolvedV1(IncidentFactsV1):
    resolved_at: datetime
    actor_role: str
    within_target: bool = Field(description="Resolved before its resolution deadline")
    reporter_subject: str | None = Field(
        default=None, description="The reporter's account (token subject), so that they hear back"
    )


@event_type("incidents.incident.closed.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentClosedV1(IncidentFactsV1):
    closed_at: datetime
    actor_role: str


@event_type("incidents.incident.reopened.v1", topic=INCIDENT_EVENTS, key="incident_id")
class IncidentReopenedV1(IncidentFactsV1):
    """A resolved or closed incident was reopened; its deadlines start again from now."""

    reopened_at: datetime
    actor_role: str
    from_status: IncidentStatus
    acknowledge_due_at: datetime
    resolve_due_at: datetime
