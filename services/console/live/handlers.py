"""The incidents event topic, read by the console's own consumer group: each event nudges the pages
open on this instance whose person it concerns."""

from __future__ import annotations

from services.console.live.domain import Change
from services.console.live.service import LiveHub
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentClosedV1,
    IncidentEscalatedV1,
    IncidentFactsV1,
    IncidentNoteAddedV1,
    IncidentReopenedV1,
    IncidentReportedV1,
    IncidentResolvedV1,
    IncidentRoutedV1,
    IncidentStatusChangedV1,
)
from shared.messaging import Delivery, EventConsumer

EVENTS: tuple[type[IncidentFactsV1], ...] = (
    IncidentReportedV1,
    IncidentRoutedV1,
    IncidentAcknowledgedV1,
    IncidentEscalatedV1,
    IncidentStatusChangedV1,
    IncidentNoteAddedV1,
    IncidentResolvedV1,
    IncidentClosedV1,
    IncidentReopenedV1,
)


def live_consumer(group_id: str, hub: LiveHub) -> EventConsumer:
    # Pages are nudged about what changes from now: a new instance's group skips the backlog.
    consumer = EventConsumer(group_id, from_latest=True)

    async def nudge(event: IncidentFactsV1 | None, _delivery: Delivery) -> None:
        if event is not None:
            hub.publish(Change(event.cluster_no, event.school_code, event.commune_code))

    for event_class in EVENTS:
        consumer.handles(event_class)(nudge)
    return consumer
