"""Sample events for previews: real event objects (so they validate), rendered through the same context."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.notifications.recipients.facts import facts_of
from services.notifications.templates.context import event_context
from shared.events import EventPayload
from shared.events.activities import (
    ActivityCancelledV1,
    ActivityKind,
    ActivityStatus,
    ActivitySummaryV1,
    RegistrationOpenedV1,
    ResultsPublishedV1,
)
from shared.events.incidents import (
    DeadlineKind,
    EscalationLevel,
    IncidentEscalatedV1,
    IncidentReportedV1,
    IncidentStatus,
    RouteKind,
)

_AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
_INCIDENT: dict[str, Any] = {
    "incident_id": "00000000-0000-0000-0000-000000000001",
    "reference": "SC-2026-000123",
    "school_code": "29000101",
    "commune_code": "17011",
    "cluster_no": 3,
    "route": RouteKind.CLUSTER,
    "category": "storm_flood",
    "severity": "high",
    "restricted": False,
    "status": IncidentStatus.REPORTED,
    "occurred_at": _AT,
}
_ACTIVITY = ActivitySummaryV1(
    activity_id="00000000-0000-0000-0000-000000000002",
    title="Hội thi giáo viên dạy giỏi cấp cụm",
    kind=ActivityKind.TEACHER_CONTEST,
    status=ActivityStatus.REGISTRATION_OPEN,
    division_code="GDTH",
    division_name="Phòng Giáo dục Tiểu học",
    whole_province=False,
    cluster_nos=[3],
    levels=[],
    starts_at=_AT + timedelta(days=30),
    ends_at=_AT + timedelta(days=31),
    registration_opens_at=_AT,
    registration_closes_at=_AT + timedelta(days=14),
)


def _samples() -> list[EventPayload]:
    activity_id = _ACTIVITY.activity_id
    return [
        IncidentReportedV1(
            **_INCIDENT,
            reported_at=_AT,
            reporter_role="school_principal",
            injured=2,
            dead=0,
            missing=0,
            out_of_school=40,
            acknowledge_due_at=_AT + timedelta(hours=2),
            resolve_due_at=_AT + timedelta(days=1),
        ),
        IncidentEscalatedV1(
            **_INCIDENT,
            deadline=DeadlineKind.ACKNOWLEDGEMENT,
            due_at=_AT + timedelta(hours=2),
            level=EscalationLevel.DEPARTMENT_OFFICE,
            level_rank=2,
            notify_role="department_officer",
            step=1,
            escalated_at=_AT + timedelta(hours=2),
        ),
        RegistrationOpenedV1(
            activity_id=activity_id, activity=_ACTIVITY, eligible_school_codes=["29000101"], occurred_at=_AT
        ),
        ResultsPublishedV1(
            activity_id=activity_id,
            activity=_ACTIVITY,
            version=1,
            decision_number="123/QĐ-SGDĐT",
            decision_date=date(2026, 4, 20),
            entries=[],
            participant_school_codes=["29000101"],
            published_by="department_officer",
            occurred_at=_AT,
        ),
        ActivityCancelledV1(
            activity_id=activity_id,
            activity=_ACTIVITY,
            reason="Mưa bão",
            registered_school_codes=["29000101"],
            cancelled_by="department_officer",
            occurred_at=_AT,
        ),
    ]


def sample_context(event_type: str) -> dict[str, Any] | None:
    """A context like the dispatcher builds, for an event type that has a sample; else None."""
    for event in _samples():
        if event.event_type == event_type:
            facts = facts_of(event, event_id="sample", subject=event.subject(), event_time=_AT)
            return event_context(
                facts,
                event.model_dump(mode="json"),
                school_name="Trường Tiểu học Châu Hạnh 1",
                commune_name="Xã Châu Tiến",
            )
    return None
