"""The fan-out consumer: every incident, activity and notice event becomes its deliveries (a thin adapter).

It is a consumer group of its own, built per app (it carries the app's department contacts, channels
and clock), so a slow registry backlog never delays an incident.
"""

from __future__ import annotations

from services.notifications.deliveries.service import DispatchConfig, dispatch
from services.notifications.metrics import DeliveryMetrics
from services.notifications.rules.service import NOTIFIABLE_TOPICS
from shared.clock import Clock
from shared.events import EventPayload
from shared.events.catalog import all_event_specs
from shared.messaging import Delivery, EventConsumer, PermanentError


def fan_out_consumer(
    config: DispatchConfig, clock: Clock, metrics: DeliveryMetrics | None = None
) -> EventConsumer:
    """Every incident, activity and notice event type: rules are data, so any of them may come to matter.

    An incident whose first step reached nobody of its scope is counted as its fan-out is planned (a
    fan-out whose commit fails and is retried counts again: rare, and the alert asks for any at all).
    """
    consumer = EventConsumer("notifications.fan-out")

    async def fan_out(event: EventPayload | None, delivery: Delivery) -> None:
        if event is None:
            raise PermanentError("incident, activity and notice topics carry no tombstones")
        outcome = await dispatch(
            uow=delivery.uow,
            event=event,
            event_id=delivery.envelope.id,
            subject=delivery.envelope.subject,
            event_time=delivery.envelope.time,
            config=config,
            now=clock(),
        )
        if outcome.unreached and metrics is not None:
            metrics.incidents_unreached.labels(outcome.cluster).inc()

    for spec in all_event_specs():
        if spec.topic.name in NOTIFIABLE_TOPICS:
            consumer.handles(spec.model)(fan_out)
    return consumer
