"""The outbox relay on the real broker and database: ordering, wake-up and a single publisher."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.db.messaging_tables import InboxMessage
from shared.events.topics import TopicNaming
from shared.messaging import MESSAGING_METADATA, OutboxMessage
from shared.messaging.broker import create_broker
from shared.messaging.outbox_relay import OutboxRelay
from tests.support.harness import node_settings
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.probe import PROBE_TOPIC, ProbeV1

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]


async def test_two_relays_on_one_postgresql_database_never_publish_a_row_twice(
    kafka_bootstrap_servers: str, topic_prefix: str, postgres_database_url: str
) -> None:
    url = postgres_database_url
    settings = node_settings(
        name="producer", bootstrap=kafka_bootstrap_servers, prefix=topic_prefix, database_url=url
    )
    engine = create_engine(url)
    await create_schema(engine, MESSAGING_METADATA)
    sessions = session_factory(engine)
    async with UnitOfWork(sessions, source="/tests") as uow:
        for seq in range(2000):
            uow.record(ProbeV1(key=f"k{seq % 10}", seq=seq))
        await uow.commit()

    brokers = [create_broker(settings, metrics_registry=CollectorRegistry()) for _ in range(2)]
    relays = [
        OutboxRelay(engine=engine, broker=broker, naming=TopicNaming(topic_prefix), batch_size=100)
        for broker in brokers
    ]
    for broker in brokers:
        await broker.start()
    try:

        async def drain(relay: OutboxRelay) -> int:
            published = 0
            while await _unpublished(sessions) > 0:
                published += await relay.publish_pending()
                await asyncio.sleep(0)  # let the other relay try between passes
            return published

        shares = await asyncio.gather(*(drain(relay) for relay in relays))
    finally:
        for broker in brokers:
            await broker.stop()
        await engine.dispose()

    assert sum(shares) == 2000
    records = await read_topic(kafka_bootstrap_servers, topic_prefix + PROBE_TOPIC.name, expected=2000)
    ids = Counter(headers_of(record)["ce_id"] for record in records)
    assert len(ids) == 2000
    assert set(ids.values()) == {1}


async def _unpublished(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        unpublished = select(func.count()).where(OutboxMessage.published_at.is_(None))  # type: ignore[union-attr]
        return int((await session.exec(unpublished)).one())


async def test_housekeeping_purges_outbox_and_inbox_rows_past_retention_and_keeps_the_rest(
    kafka_bootstrap_servers: str, topic_prefix: str, sqlite_url: Callable[[str], str]
) -> None:
    url = sqlite_url("housekeeping")
    engine = create_engine(url)
    await create_schema(engine, MESSAGING_METADATA)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=8)
    async with UnitOfWork(sessions, source="/tests") as uow:
        for name in ("old", "recent", "pending"):
            uow.record(ProbeV1(key=name, seq=0))
        for event_id, processed_at in (("applied-long-ago", long_ago), ("applied-today", now)):
            uow.session.add(
                InboxMessage(
                    consumer_group="g", event_id=event_id, event_type="t", topic="t", partition=0, offset=0,
                    processed_at=processed_at,
                )
            )  # fmt: skip
        await uow.commit()
    async with sessions() as session:  # the outbox rows exist once the unit of work committed
        for name, published_at in (("old", long_ago), ("recent", now)):
            await session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.message_key) == name)
                .values(published_at=published_at)
            )
        await session.commit()
    settings = node_settings(
        name="housekeeper", bootstrap=kafka_bootstrap_servers, prefix=topic_prefix, database_url=url
    )
    relay = OutboxRelay(engine=engine, broker=create_broker(settings, metrics_registry=CollectorRegistry()))
    try:
        await relay._housekeeping()
        async with sessions() as session:
            outbox = sorted((await session.exec(select(OutboxMessage.message_key))).all())
            inbox = (await session.exec(select(InboxMessage.event_id))).all()
    finally:
        await engine.dispose()
    assert outbox == ["pending", "recent"]  # never an unpublished row, whatever its age
    assert inbox == ["applied-today"]
