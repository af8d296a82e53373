"""The figures consumer (group ``registry.school-figures``): the figures a school's return reported, from
``notices.events``, become the school's figures for that school year (a thin adapter)."""

from __future__ import annotations

from services.registry.figures import service
from shared.clock import utc_now
from shared.events.notices import SchoolFiguresReportedV1
from shared.messaging import Delivery, EventConsumer, PermanentError

figures_consumer = EventConsumer("registry.school-figures")


@figures_consumer.handles(SchoolFiguresReportedV1)
async def figures_reported(event: SchoolFiguresReportedV1 | None, delivery: Delivery) -> None:
    if event is None:
        raise PermanentError("notices.events carries no tombstones")
    await service.record_figures(uow=delivery.uow, event=event, now=utc_now())
