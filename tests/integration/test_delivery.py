"""The messaging spine on the real broker: outbox → Kafka → inbox, exactly once in effect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging import EventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from tests.support.harness import MessagingNode, node_settings
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.probe import PROBE_TOPIC, ProbeV1, flaky_consumer, probe_consumer, receipts
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]


class Nodes:
    """Starts 'service instances' in one test's namespace and stops every one of them at the end."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.bootstrap, self.prefix = bootstrap, prefix
        self.running: list[MessagingNode] = []

    async def start(self, name: str, url: str, *, consumer: EventConsumer | None = None) -> MessagingNode:
        settings = node_settings(name=name, bootstrap=self.bootstrap, prefix=self.prefix, database_url=url)
        node = await MessagingNode.start(settings, consumers=[consumer] if consumer else [])
        self.running.append(node)
        return node

    async def stop(self, node: MessagingNode, *, within: float = 30) -> None:
        """Stop a node; if it hangs, fail with every task's stack rather than hang the suite."""
        self.running.remove(node)
        try:
            await asyncio.wait_for(node.stop(), within)
        except TimeoutError:
            stacks = [f"{task.get_name()}: {task.get_stack(limit=8)}" for task in asyncio.all_tasks()]
            pytest.fail(f"{node.settings.service_name} did not stop within {within}s:\n" + "\n".join(stacks))


@pytest.fixture
async def nodes(kafka_bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Nodes]:
    started = Nodes(kafka_bootstrap_servers, topic_prefix)
    yield started
    for node in reversed(started.running):
        await started.stop(node)


async def committed_offsets(bootstrap: str, group: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sorted(meta.offset for meta in offsets.values() if meta.offset > 0)


async def receipts_of(node: MessagingNode) -> list[tuple[str, int]]:
    async with node.sessions() as session:
        return [(row.key, row.seq) for row in await receipts(session)]


async def test_committed_event_arrives_once_and_rolled_back_one_never(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    new_database_url: Callable[[str], str],
    nodes: Nodes,
) -> None:
    producer = await nodes.start("producer", new_database_url("producer"))
    consumer = await nodes.start("consumer", new_database_url("consumer"), consumer=probe_consumer)

    await producer.publish(ProbeV1(key="a", seq=1))
    async with producer.messaging.unit_of_work() as uow:
        uow.record(ProbeV1(key="a", seq=2))
        await uow.rollback()
    async with producer.messaging.unit_of_work() as uow:
        uow.record(ProbeV1(key="a", seq=3))  # never committed: leaving the block rolls it back
    await producer.publish(ProbeV1(key="a", seq=4))

    received = await wait_for(lambda: receipts_of(consumer), until=lambda r: ("a", 4) in r, message="seq 4")
    assert received == [("a", 1), ("a", 4)]
    on_topic = await read_topic(kafka_bootstrap_servers, topic_prefix + PROBE_TOPIC.name, expected=2)
    assert [headers_of(record)["ce_type"] for record in on_topic] == [ProbeV1.event_type] * 2
    # Once the events are applied, the group's committed offsets reach the end: lag 0 for any Kafka tool.
    group = topic_prefix + probe_consumer.group_id
    await wait_for(
        lambda: committed_offsets(kafka_bootstrap_servers, group), until=lambda o: o == [2], message="commit"
    )


async def test_relay_crash_between_publish_and_mark_resends_and_inbox_drops_duplicate(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    sqlite_url: Callable[[str], str],
    nodes: Nodes,
) -> None:
    producer = await nodes.start("producer", sqlite_url("producer"))
    await producer.messaging.relay.stop()  # this test drives the relay by hand

    class CrashBeforeMarking(Exception):
        pass

    class CrashingRelay(OutboxRelay):
        async def _mark(self, *args: object, **kwargs: object) -> None:
            raise CrashBeforeMarking

    crashing = CrashingRelay(
        engine=producer.engine, broker=producer.messaging.broker, naming=producer.messaging.naming
    )
    [event_id] = await producer.publish(ProbeV1(key="k", seq=1))
    with pytest.raises(CrashBeforeMarking):
        await crashing.publish_pending()
    assert await producer.messaging.relay.publish_pending() == 1  # the restarted relay sends it again

    topic = topic_prefix + PROBE_TOPIC.name
    on_topic = await read_topic(kafka_bootstrap_servers, topic, expected=2)
    assert [headers_of(record)["ce_id"] for record in on_topic] == [event_id, event_id]

    consumer = await nodes.start("consumer", sqlite_url("consumer"), consumer=probe_consumer)
    group = topic_prefix + probe_consumer.group_id
    await wait_for(
        lambda: asyncio.sleep(
            0,
            consumer.metric(
                "consumer_events_total",
                consumer_group=group,
                topic=topic,
                event_type=ProbeV1.event_type,
                outcome="duplicate",
            ),
        ),
        until=lambda value: value == 1,
        message="the duplicate to be dropped",
    )
    assert await receipts_of(consumer) == [("k", 1)]


async def test_consumer_restarted_mid_stream_resumes_and_loses_nothing(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    sqlite_url: Callable[[str], str],
    nodes: Nodes,
) -> None:
    producer = await nodes.start("producer", sqlite_url("producer"))
    consumer_url = sqlite_url("consumer")
    first = await nodes.start("consumer", consumer_url, consumer=probe_consumer)
    await producer.publish(*(ProbeV1(key=f"k{n % 7}", seq=n) for n in range(200)))
    await wait_for(lambda: receipts_of(first), until=lambda r: len(r) >= 20, message="20 receipts")
    await nodes.stop(first)
    stopped_at = len(await receipts_of(first))

    await producer.publish(*(ProbeV1(key=f"k{n % 7}", seq=n) for n in range(200, 300)))
    second = await nodes.start("consumer", consumer_url, consumer=probe_consumer)
    received = await wait_for(
        lambda: receipts_of(second), until=lambda r: len(r) >= 300, message="all 300 receipts"
    )
    assert sorted(seq for _key, seq in received) == list(range(300))
    assert stopped_at < 300  # the restart really happened mid-stream


async def test_malformed_messages_are_dead_lettered_and_the_next_good_one_is_processed(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    sqlite_url: Callable[[str], str],
    nodes: Nodes,
) -> None:
    consumer = await nodes.start("consumer", sqlite_url("consumer"), consumer=probe_consumer)
    topic = topic_prefix + PROBE_TOPIC.name
    good_headers = {
        "ce_specversion": "1.0",
        "ce_source": "/tests",
        "ce_type": ProbeV1.event_type,
        "content-type": "application/json",
    }
    bad_messages = [
        ({**good_headers, "ce_id": "not-json"}, b"{this is not json"),
        ({**good_headers, "ce_id": "invalid"}, b'{"key": "x", "seq": "not a number"}'),
        ({**good_headers, "ce_id": "unknown", "ce_type": "vn.gov.nghean.edu.nobody.thing.v1"}, b"{}"),
        ({"content-type": "application/json"}, b'{"key": "x", "seq": 1}'),
    ]
    raw = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
    await raw.start()
    try:
        for headers, body in bad_messages:
            await raw.send_and_wait(
                topic, body, key=b"x", headers=[(name, value.encode()) for name, value in headers.items()]
            )
        await raw.send_and_wait(topic, b"{}", key=b"x", headers=[("ce_id", b"\xff\xfe")])
    finally:
        await raw.stop()
    producer = await nodes.start("producer", sqlite_url("producer"))
    await producer.publish(ProbeV1(key="x", seq=42))

    await wait_for(lambda: receipts_of(consumer), until=lambda r: r == [("x", 42)], message="the good one")
    dead = await read_topic(kafka_bootstrap_servers, topic_prefix + "consumer.dead-letter", expected=5)
    reasons = [headers_of(record)["dlq_reason"] for record in dead]
    assert reasons[0].startswith("body is not valid JSON")
    assert reasons[1].startswith(f"body does not match {ProbeV1.event_type}: seq:")
    assert reasons[2] == "unknown event type 'vn.gov.nghean.edu.nobody.thing.v1'"
    assert reasons[3].startswith("missing CloudEvents header(s): ce_id, ce_type, ce_source, ce_specversion")
    assert reasons[4] == "header 'ce_id' is not valid UTF-8"
    first = headers_of(dead[0])
    assert first["dlq_original_topic"] == topic
    assert first["dlq_original_partition"].isdigit()
    assert first["dlq_original_offset"].isdigit()
    assert dead[0].value == b"{this is not json"  # the original body is kept for replay


async def test_two_consumers_in_one_group_share_partitions_and_keep_per_key_order(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    new_database_url: Callable[[str], str],
    nodes: Nodes,
) -> None:
    producer = await nodes.start("producer", new_database_url("producer"))
    shared_db = new_database_url("consumers")  # two instances of one service share its database
    first = await nodes.start("consumer", shared_db, consumer=probe_consumer)
    second = await nodes.start("consumer", shared_db, consumer=probe_consumer)
    assignments = await wait_for(
        lambda: asyncio.sleep(0, [_assigned_partitions(node) for node in (first, second)]),
        # During a rebalance one member may still report its old assignment: wait for the settled split.
        until=lambda found: all(found) and not found[0] & found[1] and len(found[0] | found[1]) == 3,
        message="both consumers to get disjoint partitions",
    )
    assert sorted(map(len, assignments)) == [1, 2]

    keys = [f"school-{n}" for n in range(12)]
    for seq in range(25):
        await producer.publish(*(ProbeV1(key=key, seq=seq) for key in keys))

    received = await wait_for(
        lambda: receipts_of(first), until=lambda r: len(r) >= 300, message="300 receipts", within=60
    )
    assert len(received) == 300
    for key in keys:
        assert [seq for k, seq in received if k == key] == list(range(25)), f"order broken for {key}"
    group, topic = topic_prefix + probe_consumer.group_id, topic_prefix + PROBE_TOPIC.name
    processed = [
        node.metric(
            "consumer_events_total",
            consumer_group=group,
            topic=topic,
            event_type=ProbeV1.event_type,
            outcome="processed",
        )
        for node in (first, second)
    ]
    assert all(processed), processed
    assert sum(processed) == 300


def _assigned_partitions(node: MessagingNode) -> set[int]:
    partitions: set[int] = set()
    for subscriber in node.messaging.broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is not None:
            partitions |= {tp.partition for tp in consumer.assignment()}
    return partitions


async def test_transient_failures_are_retried_and_persistent_ones_dead_lettered(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    sqlite_url: Callable[[str], str],
    nodes: Nodes,
) -> None:
    producer = await nodes.start("producer", sqlite_url("p"))
    consumer = await nodes.start("consumer", sqlite_url("c"), consumer=flaky_consumer)
    keys = ["transient", "poison", "refuse", "fine"]
    await producer.publish(*(ProbeV1(key=key, seq=n) for n, key in enumerate(keys)))

    received = await wait_for(
        lambda: receipts_of(consumer), until=lambda r: len(r) == 2, message="transient and fine"
    )
    assert sorted(received) == [("fine", 3), ("transient", 0)]
    dead = await read_topic(kafka_bootstrap_servers, topic_prefix + "consumer.dead-letter", expected=2)
    reasons = {record.key: headers_of(record)["dlq_reason"] for record in dead}
    assert reasons == {
        b"poison": "handler failed after 3 attempt(s): ConnectionError: attempt 3 failed",
        b"refuse": "handler refused the event: this probe contradicts the replica",
    }
    group = topic_prefix + flaky_consumer.group_id
    retries = consumer.metric(
        "consumer_retries_total", consumer_group=group, topic=topic_prefix + PROBE_TOPIC.name
    )
    assert retries == 4  # two for 'transient', two before 'poison' gave up on its third attempt
