"""A test-only event type, a consumer group that stores what it receives, and the table it stores into.

They exercise the shared messaging machinery without depending on any service.
"""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.base import EventPayload, event_type
from shared.events.topics import Owner, TopicSpec
from shared.messaging import Delivery, EventConsumer, PermanentError

PROBE_TOPIC = TopicSpec("testsuite.probes", Owner.REGISTRY, "probe key", False, "Test probes")


@event_type("testsuite.probe.v1", topic=PROBE_TOPIC, key="key")
class ProbeV1(EventPayload):
    key: str
    seq: int


class ProbeTable(SQLModel, registry=registry()):
    pass


class ProbeReceipt(ProbeTable, table=True):
    """One row per event a probe consumer applied; the autoincrement id records the order of application."""

    __tablename__ = "probe_receipts"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str
    key: str
    seq: int
    partition: int


PROBE_METADATA = ProbeTable.metadata

probe_consumer = EventConsumer("testsuite.probe-consumer")


@probe_consumer.handles(ProbeV1)
async def store_probe(event: ProbeV1 | None, delivery: Delivery) -> None:
    assert event is not None
    delivery.uow.session.add(
        ProbeReceipt(
            event_id=delivery.envelope.id, key=event.key, seq=event.seq, partition=delivery.partition
        )
    )


async def receipts(session: AsyncSession) -> list[ProbeReceipt]:
    return list((await session.exec(select(ProbeReceipt).order_by(ProbeReceipt.id))).all())  # type: ignore[arg-type]


flaky_consumer = EventConsumer("testsuite.flaky-consumer")
failed_attempts: dict[str, int] = {}


@flaky_consumer.handles(ProbeV1)
async def store_after_failures(event: ProbeV1 | None, delivery: Delivery) -> None:
    """Keys drive failures: 'transient' fails twice, 'poison' always, 'refuse' is a permanent error."""
    assert event is not None
    attempts = failed_attempts.get(delivery.envelope.id, 0)
    if event.key == "poison" or (event.key == "transient" and attempts < 2):
        failed_attempts[delivery.envelope.id] = attempts + 1
        raise ConnectionError(f"attempt {attempts + 1} failed")
    if event.key == "refuse":
        raise PermanentError("this probe contradicts the replica")
    await store_probe(event, delivery)
