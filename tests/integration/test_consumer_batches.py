"""Consumers apply a whole fetch in one transaction; one bad event must cost the others nothing.

The events are all on the topic before the consumer starts, so its first fetches return many at once.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlmodel import select

from shared.messaging import Delivery, EventConsumer, InboxMessage, PermanentError
from tests.support.harness import MessagingNode, node_settings
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.probe import PROBE_TOPIC, ProbeReceipt, ProbeV1, receipts, store_probe
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

KEYS = [f"school-{n}" for n in range(8)]
SEQS = 12

poisoned = EventConsumer("testsuite.batch-poisoned")
poison_attempts: list[str] = []


@poisoned.handles(ProbeV1)
async def fail_on_poison(event: ProbeV1 | None, delivery: Delivery) -> None:
    assert event is not None
    if event.key == "poison":
        poison_attempts.append(delivery.envelope.id)
        raise ConnectionError("the poison never applies")
    if event.key == "refused":
        raise PermanentError("refused outright")
    await store_probe(event, delivery)


clashing = EventConsumer("testsuite.batch-clashing")


@clashing.handles(ProbeV1)
async def clash_on_commit(event: ProbeV1 | None, delivery: Delivery) -> None:
    """The 'clash' event writes two receipts with one primary key: nothing fails until the commit, so no
    handler can be blamed and the batch must be bisected to find it."""
    assert event is not None
    if event.key == "clash":
        for _ in range(2):
            delivery.uow.session.add(
                ProbeReceipt(id=999_999, event_id=delivery.envelope.id, key="clash", seq=0, partition=0)
            )
        return
    await store_probe(event, delivery)


def stream(special: str, at: int) -> list[ProbeV1]:
    """SEQS events for each key, in order, with one ``special`` event in the middle of the stream."""
    events = [ProbeV1(key=key, seq=seq) for seq in range(SEQS) for key in KEYS]
    events.insert(at, ProbeV1(key=special, seq=0))
    return events


async def start(
    name: str, url: str, bootstrap: str, prefix: str, consumer: EventConsumer | None = None
) -> MessagingNode:
    settings = node_settings(name=name, bootstrap=bootstrap, prefix=prefix, database_url=url)
    return await MessagingNode.start(settings, consumers=[consumer] if consumer else [])


async def applied(node: MessagingNode) -> list[tuple[str, int]]:
    async with node.sessions() as session:
        return [(row.key, row.seq) for row in await receipts(session)]


async def inbox_count(node: MessagingNode) -> int:
    async with node.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(InboxMessage))).one())


def assert_every_key_in_order(received: list[tuple[str, int]]) -> None:
    for key in KEYS:
        assert [seq for k, seq in received if k == key] == list(range(SEQS)), f"order broken for {key}"


@pytest.mark.parametrize("special", ["poison", "refused"])
async def test_a_failing_event_in_a_batch_is_dead_lettered_alone_and_the_rest_apply_once_in_order(
    special: str,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    new_database_url: Callable[[str], str],
) -> None:
    producer = await start("producer", new_database_url("producer"), kafka_bootstrap_servers, topic_prefix)
    try:
        await producer.publish(*stream(special, at=40))
        await wait_for(
            lambda: read_topic(
                kafka_bootstrap_servers, topic_prefix + PROBE_TOPIC.name, expected=len(KEYS) * SEQS + 1
            ),
            message="every event on the topic before the consumer starts",
        )
    finally:
        await producer.stop()
    poison_attempts.clear()
    consumer = await start(
        "consumer", new_database_url("consumer"), kafka_bootstrap_servers, topic_prefix, poisoned
    )
    try:
        dead = await read_topic(kafka_bootstrap_servers, topic_prefix + "consumer.dead-letter", expected=1)
        received = await wait_for(
            lambda: applied(consumer), until=lambda r: len(r) >= len(KEYS) * SEQS, message="all good events"
        )
        assert len(received) == len(KEYS) * SEQS  # each applied once, though its batch was re-applied
        assert_every_key_in_order(received)
        assert await inbox_count(consumer) == len(KEYS) * SEQS
        assert [record.key for record in dead] == [special.encode()]
        group = topic_prefix + poisoned.group_id
        retries = consumer.metric(
            "consumer_retries_total", consumer_group=group, topic=topic_prefix + PROBE_TOPIC.name
        )
        if special == "poison":  # node_settings allow 3 attempts: the batch's, then two alone
            assert headers_of(dead[0])["dlq_reason"].startswith("handler failed after 3 attempt(s)")
            assert len(poison_attempts) == 3
            assert retries == 2
        else:
            assert headers_of(dead[0])["dlq_reason"] == "handler refused the event: refused outright"
            assert retries == 0
    finally:
        await consumer.stop()


async def test_a_batch_whose_commit_fails_is_bisected_until_the_culprit_is_alone(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    new_database_url: Callable[[str], str],
) -> None:
    producer = await start("producer", new_database_url("producer"), kafka_bootstrap_servers, topic_prefix)
    try:
        await producer.publish(*stream("clash", at=61))
        await wait_for(
            lambda: read_topic(
                kafka_bootstrap_servers, topic_prefix + PROBE_TOPIC.name, expected=len(KEYS) * SEQS + 1
            ),
            message="every event on the topic before the consumer starts",
        )
    finally:
        await producer.stop()
    consumer = await start(
        "consumer", new_database_url("consumer"), kafka_bootstrap_servers, topic_prefix, clashing
    )
    try:
        dead = await read_topic(kafka_bootstrap_servers, topic_prefix + "consumer.dead-letter", expected=1)
        received = await wait_for(
            lambda: applied(consumer), until=lambda r: len(r) >= len(KEYS) * SEQS, message="all good events"
        )
        assert len(received) == len(KEYS) * SEQS
        assert_every_key_in_order(received)
        assert [record.key for record in dead] == [b"clash"]
        assert "IntegrityError" in headers_of(dead[0])["dlq_reason"]
    finally:
        await consumer.stop()
