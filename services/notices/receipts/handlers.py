"""The deliveries consumer: what the notifications service delivered of a notice becomes its receipts'
"delivered" (a thin adapter; group ``notices.deliveries``). Deliveries of other events are ignored."""

from __future__ import annotations

from services.notices.receipts import service
from shared.events.notifications import DeliveryDeliveredV1
from shared.messaging import Delivery, EventConsumer, PermanentError

deliveries_consumer = EventConsumer("notices.deliveries")


@deliveries_consumer.handles(DeliveryDeliveredV1)
async def delivered(event: DeliveryDeliveredV1 | None, delivery: Delivery) -> None:
    if event is None:
        raise PermanentError("notifications.deliveries carries no tombstones")
    await service.record_delivered(
        uow=delivery.uow,
        source_event_id=event.source_event_id,
        recipient_key=event.recipient_key,
        channel=event.channel,
        delivered_at=event.delivered_at,
    )
