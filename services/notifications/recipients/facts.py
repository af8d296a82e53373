"""Reads the routing facts out of any incident or activity event, without I/O.

Incident events all carry the incident's facts (school, commune, cluster, severity, restricted); activity
events carry their clusters and the lists of schools concerned. Anything else routes on its type alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.notifications.recipients.domain import EventFacts
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


def facts_of(
    event: EventPayload, *, event_id: str, subject: str | None, event_time: datetime | None
) -> EventFacts:
    occurred_at = event_time or getattr(event, "occurred_at", None) or datetime.now(UTC)
    if isinstance(event, IncidentFactsV1):
        return EventFacts(
            event_id=event_id,
            event_type=event.event_type,
            occurred_at=occurred_at,
            subject=subject,
            reference=event.reference,
            severity=event.severity,
            restricted=event.restricted,
            cluster_nos=(event.cluster_no,) if event.cluster_no is not None else (),
            commune_code=event.commune_code,
            school_code=event.school_code,
            escalation_level=event.level if isinstance(event, IncidentEscalatedV1) else None,
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
        event_type=event.event_type,
        occurred_at=occurred_at,
        subject=subject,
        reference=activity.title if activity else getattr(event, "title", None),
        cluster_nos=cluster_nos,
        school_code=school_code,
        school_codes=lists,
    )
