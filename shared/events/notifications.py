"""Events the notifications service publishes on ``notifications.deliveries``, keyed by the source event id.

One event per delivery that reached its end: delivered, or failed for good (dead-lettered). A consumer can
follow every delivery an incident's event caused by reading one key. No message text travels here: the
rendered text may hold what only its recipient should read.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from shared.events.base import EventPayload, event_type
from shared.events.topics import NOTIFICATION_EVENTS


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    IN_APP = "in_app"


class DeliveryOutcomeV1(EventPayload):
    """What every delivery event says: which event reached whom, on which channel, after how many tries."""

    source_event_id: str = Field(description="The CloudEvents id of the event that was delivered")
    source_event_type: str
    delivery_id: str = Field(description="The delivery's id; also the webhook-id and the email Message-ID")
    recipient_key: str = Field(
        description="staff:<code>, school:<code>, commune-office:<gso>, department:<desk>, webhook:<id>"
    )
    channel: DeliveryChannel
    attempts: int = Field(ge=0)
    used_fallback_text: bool = Field(description="The template failed and a plain fallback text went out")


@event_type("notifications.delivery.delivered.v1", topic=NOTIFICATION_EVENTS, key="source_event_id")
class DeliveryDeliveredV1(DeliveryOutcomeV1):
    delivered_at: datetime
    latency_s: float = Field(ge=0, description="From the source event's time to delivery")


@event_type("notifications.delivery.failed.v1", topic=NOTIFICATION_EVENTS, key="source_event_id")
class DeliveryFailedV1(DeliveryOutcomeV1):
    """A permanent failure, or transient ones until the attempts ran out: the delivery is dead-lettered."""

    failed_at: datetime
    reason: str


__all__ = ["DeliveryChannel", "DeliveryDeliveredV1", "DeliveryFailedV1", "DeliveryOutcomeV1"]
