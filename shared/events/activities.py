"""Events the activities service publishes: activities and contests, registrations, results, delegations,
the "school helps school" support program and personnel proposals.

All travel on ``activities.events``. Activity, registration, result and delegation events are keyed by the
activity id, so one activity's story stays in order; support events by pairing id, proposals by proposal id.
Each event carries what a consumer needs to route it (clusters, levels, school codes) so that the
notifications service never has to ask this service anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import EventPayload, event_type
from shared.events.topics import ACTIVITY_EVENTS


class ActivityKind(StrEnum):
    PROFESSIONAL_SESSION = "professional_session"  # sinh hoạt chuyên môn, nghiên cứu bài học
    THEMATIC_SEMINAR = "thematic_seminar"  # chuyên đề
    TEACHER_CONTEST = "teacher_contest"  # giáo viên dạy giỏi, giáo viên chủ nhiệm giỏi
    PUPIL_CONTEST = "pupil_contest"  # học sinh giỏi, sân chơi
    FORUM = "forum"  # diễn đàn
    DELEGATION = "delegation"  # đoàn công tác, đoàn kiểm tra


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SchoolLevel(StrEnum):
    """The levels the v1 activity events name (a closed enum their consumers may check)."""

    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    INTER_LEVEL = "inter_level"


class SchoolLevelV2(StrEnum):
    """Every level the registry names (``registry.school.v2``): v1's, upper-secondary schools (THPT) and
    continuing-education centres (GDTX). What the APIs accept; only ``….v2`` events carry the two new."""

    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    INTER_LEVEL = "inter_level"
    UPPER_SECONDARY = "upper_secondary"
    CONTINUING_EDUCATION = "continuing_education"


V1_LEVELS = frozenset(level.value for level in SchoolLevel)


def fits_v1(levels: Iterable[str]) -> bool:
    """Whether v1's enum names every level given, so the event may stay v1 for its consumers."""
    return all(str(level) in V1_LEVELS for level in levels)


class ParticipantKind(StrEnum):
    TEACHER = "teacher"
    PUPIL = "pupil"


class Award(StrEnum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    CONSOLATION = "consolation"
    PASS = "pass"  # noqa: S105 - công nhận đạt (a recognised pass), not a password


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class Eligibility(BaseModel):
    """Who may take part; an empty list means no restriction on that axis."""

    model_config = ConfigDict(frozen=True)

    participant_kind: ParticipantKind = ParticipantKind.TEACHER
    levels: list[SchoolLevel] = Field(default_factory=list, description="School levels admitted")
    cluster_nos: list[int] = Field(default_factory=list, description="Clusters whose schools may register")
    staff_roles: list[str] = Field(
        default_factory=list, description="Registry staff roles admitted, e.g. ['core_teacher']"
    )
    subjects: list[str] = Field(default_factory=list, description="Teaching subjects admitted")


class ActivitySummaryV1(BaseModel):
    """What every activity event repeats about its activity, so a consumer can route it on its own."""

    model_config = ConfigDict(frozen=True)

    activity_id: str
    title: str
    kind: ActivityKind
    status: ActivityStatus
    division_code: str = Field(description="The organising specialized division (catalog code)")
    division_name: str
    whole_province: bool = Field(description="True: every cluster and the communes in none")
    cluster_nos: list[int] = Field(description="Clusters involved (all five when whole_province)")
    levels: list[SchoolLevel]
    starts_at: datetime
    ends_at: datetime
    venue_school_code: str | None = None
    venue_name: str | None = None
    capacity: int | None = Field(default=None, ge=0, description="None: no limit")
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    eligibility: Eligibility = Field(default_factory=Eligibility)


class EligibilityV2(Eligibility):
    """Eligibility that may name an upper-secondary school or a GDTX centre's level."""

    levels: list[SchoolLevelV2] = Field(  # type: ignore[assignment]
        default_factory=list, description="School levels admitted"
    )


class ActivitySummaryV2(ActivitySummaryV1):
    """The activity part of a ``….v2`` event: v1's fields, with levels of every level the registry names."""

    levels: list[SchoolLevelV2]  # type: ignore[assignment]
    eligibility: EligibilityV2 = Field(default_factory=EligibilityV2)

    def fits_v1(self) -> bool:
        return fits_v1([*self.levels, *self.eligibility.levels])

    def as_v1(self) -> ActivitySummaryV1:
        return ActivitySummaryV1.model_validate(self.model_dump())


@event_type("activities.activity.scheduled.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class ActivityScheduledV1(EventPayload):
    """An activity was planned and put on the calendar."""

    activity_id: str
    activity: ActivitySummaryV1
    scheduled_by: str
    occurred_at: datetime


@event_type("activities.activity.updated.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class ActivityUpdatedV1(EventPayload):
    """An activity changed: its details, or its status (started, completed)."""

    activity_id: str
    activity: ActivitySummaryV1
    changed_fields: list[str]
    updated_by: str
    occurred_at: datetime


@event_type("activities.activity.cancelled.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class ActivityCancelledV1(EventPayload):
    """An activity was called off; registered schools should hear of it."""

    activity_id: str
    activity: ActivitySummaryV1
    reason: str
    registered_school_codes: list[str] = Field(description="Schools that had people registered")
    cancelled_by: str
    occurred_at: datetime


@event_type("activities.activity.registration_opened.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class RegistrationOpenedV1(EventPayload):
    """Registration opened: the principals of the eligible schools should be told.

    ``eligible_school_codes`` is computed from this service's registry replica when registration opened;
    ``activity.eligibility`` is the filter itself, for a consumer with its own, fresher replica.
    """

    activity_id: str
    activity: ActivitySummaryV1
    eligible_school_codes: list[str]
    occurred_at: datetime


@event_type("activities.activity.registration_closed.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class RegistrationClosedV1(EventPayload):
    activity_id: str
    activity: ActivitySummaryV1
    registered_count: int = Field(ge=0)
    waitlisted_count: int = Field(ge=0)
    registered_school_codes: list[str]
    occurred_at: datetime


class ParticipantV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    registration_id: str
    participant_kind: ParticipantKind
    school_code: str
    staff_code: str | None = Field(default=None, description="For a teacher, the registry staff code")
    full_name: str
    status: RegistrationStatus
    waitlist_position: int | None = Field(default=None, ge=1)


@event_type("activities.activity.participant_registered.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class ParticipantRegisteredV1(EventPayload):
    """Someone was registered, or put on the waiting list (``participant.status``), or promoted from it."""

    activity_id: str
    title: str
    kind: ActivityKind
    cluster_nos: list[int]
    participant: ParticipantV1
    promoted_from_waitlist: bool = False
    registered_by: str
    occurred_at: datetime


@event_type("activities.activity.participant_withdrawn.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class ParticipantWithdrawnV1(EventPayload):
    """A participant withdrew; if a place freed up, the next waiting one was promoted (its own event)."""

    activity_id: str
    title: str
    kind: ActivityKind
    cluster_nos: list[int]
    participant: ParticipantV1
    promoted_registration_id: str | None = None
    withdrawn_by: str
    occurred_at: datetime


class ResultEntryV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    registration_id: str
    school_code: str
    staff_code: str | None = None
    full_name: str
    score: float | None = Field(default=None, description="Score on the contest's scale, e.g. 0-20")
    rank: int | None = Field(default=None, ge=1, description="Shared by ties (1, 2, 2, 4)")
    award: Award | None = None


@event_type("activities.activity.results_published.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class ResultsPublishedV1(EventPayload):
    """Results are final; a correction is a new version (``supersedes_version``) that keeps the old."""

    activity_id: str
    activity: ActivitySummaryV1
    version: int = Field(ge=1)
    supersedes_version: int | None = Field(default=None, ge=1)
    correction_reason: str | None = None
    decision_number: str = Field(description="The recognition decision's number, e.g. 123/QĐ-SGDĐT")
    decision_date: date
    entries: list[ResultEntryV1]
    participant_school_codes: list[str]
    published_by: str
    occurred_at: datetime


class DelegationMemberV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    staff_code: str | None = None
    full_name: str
    role: str = Field(description="head, deputy, member, secretary")
    unit: str | None = None


class DelegationVisitV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    commune_code: str
    school_code: str | None = None
    visit_date: date


@event_type("activities.delegation.scheduled.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class DelegationScheduledV1(EventPayload):
    """A working or inspection delegation was set up; the communes and schools visited should know."""

    activity_id: str
    activity: ActivitySummaryV1
    purpose: str
    members: list[DelegationMemberV1]
    visits: list[DelegationVisitV1]
    occurred_at: datetime


class RecommendationV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    addressee_school_code: str | None = None
    addressee_commune_code: str | None = None
    follow_up_due: date | None = None


@event_type("activities.delegation.report_filed.v1", topic=ACTIVITY_EVENTS, key="activity_id")
class DelegationReportFiledV1(EventPayload):
    activity_id: str
    title: str
    cluster_nos: list[int]
    findings: str
    recommendations: list[RecommendationV1]
    visited_school_codes: list[str]
    visited_commune_codes: list[str]
    filed_by: str
    occurred_at: datetime


# v2 of every event that carries its activity: the same event, for an activity that names an upper-
# secondary school's or a GDTX centre's level. As with ``registry.school.v2``, an activity of v1's levels
# stays v1, so a v1 consumer (which skips types it does not know) never meets a level it cannot name; a
# consumer of v2 reads v1 too, the same fields (each v2 is its v1 with the wider summary).


@event_type("activities.activity.scheduled.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class ActivityScheduledV2(ActivityScheduledV1):
    activity: ActivitySummaryV2


@event_type("activities.activity.updated.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class ActivityUpdatedV2(ActivityUpdatedV1):
    activity: ActivitySummaryV2


@event_type("activities.activity.cancelled.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class ActivityCancelledV2(ActivityCancelledV1):
    activity: ActivitySummaryV2


@event_type("activities.activity.registration_opened.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class RegistrationOpenedV2(RegistrationOpenedV1):
    activity: ActivitySummaryV2


@event_type("activities.activity.registration_closed.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class RegistrationClosedV2(RegistrationClosedV1):
    activity: ActivitySummaryV2


@event_type("activities.activity.results_published.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class ResultsPublishedV2(ResultsPublishedV1):
    activity: ActivitySummaryV2


@event_type("activities.delegation.scheduled.v2", topic=ACTIVITY_EVENTS, key="activity_id")
class DelegationScheduledV2(DelegationScheduledV1):
    activity: ActivitySummaryV2


_SUMMARY_V2: dict[type[EventPayload], type[EventPayload]] = {
    ActivityScheduledV1: ActivityScheduledV2,
    ActivityUpdatedV1: ActivityUpdatedV2,
    ActivityCancelledV1: ActivityCancelledV2,
    RegistrationOpenedV1: RegistrationOpenedV2,
    RegistrationClosedV1: RegistrationClosedV2,
    ResultsPublishedV1: ResultsPublishedV2,
    DelegationScheduledV1: DelegationScheduledV2,
}


def activity_event(
    v1_type: type[EventPayload], *, activity: ActivitySummaryV2, **fields: Any
) -> EventPayload:
    """The event of ``v1_type`` for this activity: v1 while its levels fit v1's enum, else its v2."""
    if activity.fits_v1():
        return v1_type(activity=activity.as_v1(), **fields)
    return _SUMMARY_V2[v1_type](activity=activity, **fields)


class SupportUnitKind(StrEnum):
    SCHOOL = "school"
    COMMUNE = "commune"
    CLUSTER = "cluster"
    DEPARTMENT = "department"
    OTHER = "other"


class SupportUnitV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: SupportUnitKind
    code: str = Field(description="School MOET code, commune GSO code, cluster number, or a free code")
    name: str
    cluster_no: int | None = None


class ContributionKind(StrEnum):
    """The kinds ``activities.pairing.support_recorded.v1`` names (a closed enum its consumers may check)."""

    MONEY = "money"
    GOODS = "goods"
    EQUIPMENT = "equipment"
    PROFESSIONAL = "professional"
    TRAINING = "training"


class ContributionKindV2(StrEnum):
    """Every kind of support the program records: v1's, and the exchanges and trade-union activities the
    Department's plan counts (giao lưu văn hóa, thể thao; hoạt động công đoàn). What the API accepts."""

    MONEY = "money"
    GOODS = "goods"
    EQUIPMENT = "equipment"
    PROFESSIONAL = "professional"
    TRAINING = "training"
    CULTURAL_EXCHANGE = "cultural_exchange"
    SPORTS_EXCHANGE = "sports_exchange"
    TRADE_UNION = "trade_union"


@event_type("activities.pairing.support_recorded.v1", topic=ACTIVITY_EVENTS, key="pairing_id")
class SupportRecordedV1(EventPayload):
    """A contribution of the support program was recorded; money and value in whole VND."""

    pairing_id: str
    contribution_id: str
    helper: SupportUnitV1
    helped: SupportUnitV1
    kind: ContributionKind
    value_vnd: int = Field(ge=0, description="Money, or the value of goods/equipment; whole VND")
    description: str
    contributed_on: date
    school_year: str = Field(description="e.g. 2025-2026")
    period_code: str | None = Field(
        default=None, description="The program's period the contribution falls in, e.g. 2023-2028"
    )
    recorded_by: str
    occurred_at: datetime


@event_type("activities.pairing.support_recorded.v2", topic=ACTIVITY_EVENTS, key="pairing_id")
class SupportRecordedV2(SupportRecordedV1):
    """A contribution of a kind v1 cannot name (a cultural or sports exchange, a trade-union activity);
    every other contribution stays v1, so a v1 consumer never meets a kind it cannot name."""

    kind: ContributionKindV2  # type: ignore[assignment]


V1_CONTRIBUTION_KINDS = frozenset(kind.value for kind in ContributionKind)


def support_recorded_type(kind: str) -> type[SupportRecordedV1]:
    return SupportRecordedV1 if kind in V1_CONTRIBUTION_KINDS else SupportRecordedV2


class ProposalDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


@event_type("activities.proposal.decided.v1", topic=ACTIVITY_EVENTS, key="proposal_id")
class ProposalDecidedV1(EventPayload):
    """The Director decided a cluster's personnel proposal."""

    proposal_id: str
    cluster_no: int
    staff_code: str | None = None
    full_name: str
    proposed_role: str
    school_code: str | None = None
    decision: ProposalDecision
    reasons: str
    decided_by: str
    occurred_at: datetime


__all__ = [
    "ActivityCancelledV1",
    "ActivityCancelledV2",
    "ActivityKind",
    "ActivityScheduledV1",
    "ActivityScheduledV2",
    "ActivityStatus",
    "ActivitySummaryV1",
    "ActivitySummaryV2",
    "ActivityUpdatedV1",
    "ActivityUpdatedV2",
    "Award",
    "ContributionKind",
    "ContributionKindV2",
    "DelegationMemberV1",
    "DelegationReportFiledV1",
    "DelegationScheduledV1",
    "DelegationScheduledV2",
    "DelegationVisitV1",
    "Eligibility",
    "EligibilityV2",
    "ParticipantKind",
    "ParticipantRegisteredV1",
    "ParticipantV1",
    "ParticipantWithdrawnV1",
    "ProposalDecidedV1",
    "ProposalDecision",
    "RecommendationV1",
    "RegistrationClosedV1",
    "RegistrationClosedV2",
    "RegistrationOpenedV1",
    "RegistrationOpenedV2",
    "RegistrationStatus",
    "ResultEntryV1",
    "ResultsPublishedV1",
    "ResultsPublishedV2",
    "SchoolLevel",
    "SchoolLevelV2",
    "SupportRecordedV1",
    "SupportRecordedV2",
    "SupportUnitKind",
    "SupportUnitV1",
    "activity_event",
    "fits_v1",
    "support_recorded_type",
]
