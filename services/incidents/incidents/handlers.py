"""What the incidents do when the registry replica changes (hooks of its consumer, thin): a report that
waited at the duty desk for its school or commune is routed once the replica knows the place.

Re-routing happens when the replica learns of the place, which is now, not when the registry changed it.
A tombstone re-routes nothing: incidents keep the route they had.
"""

from __future__ import annotations

from services.incidents.incidents import service
from shared.clock import utc_now
from shared.events import CommuneStateV1, SchoolStateV1
from shared.messaging import Delivery


async def route_waiting_for_commune(delivery: Delivery, state: CommuneStateV1 | None) -> None:
    if state is not None:
        await service.route_waiting_for_commune(uow=delivery.uow, commune_code=state.gso_code, now=utc_now())


async def route_waiting_for_school(delivery: Delivery, state: SchoolStateV1 | None) -> None:
    if state is not None:
        await service.route_waiting_for_school(uow=delivery.uow, school_code=state.code, now=utc_now())
