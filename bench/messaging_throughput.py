"""The messaging spine against raw aiokafka on the same broker and database, in one run:

    .venv/bin/python -m bench.messaging_throughput [--events 20000] [--database sqlite|postgresql]
        [--repeat 3] [--e2e-events 2000] [--writers 20] [--rate 0]

1. Relay: ``--events`` outbox rows are waiting; the outbox relay publishes them (claim a batch, send,
   mark it). Baseline: a raw idempotent ``acks=all`` aiokafka producer sending the same rows (value, key,
   CloudEvents headers, read from the table beforehand). Goal: relay ≥ 0.8 x baseline.
2. Consumer: those events are on the topic; an ``EventConsumer`` group (inbox, per-event log line and
   trace context, a handler that adds a receipt to the session) applies them, logging as a service does
   (JSON lines, to a file here). Baseline: a raw aiokafka ``getmany`` loop doing the same SQL writes
   batched the same way: per fetched batch one transaction adding the same receipts (key and seq from
   the JSON body, times from the headers) and inserting the inbox rows, with no duplicate check,
   validation, logging or offset commits. Both rates are taken between the first and the last receipt's
   time, so group joins are left out on both sides. Goal: consumer ≥ 0.8 x baseline.
3. End to end (for information): ``--e2e-events`` events, each its own transaction at the producer (as
   requests make them), through outbox → Kafka → inbox, against a raw produce → consume loop.
   ``--rate`` paces both (events/s in total); 0 is a burst.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker; PostgreSQL as bench.databases
says.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import CollectorRegistry
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, col, select

from bench.broker import bench_broker
from bench.databases import KINDS, bench_databases
from bench.report import goal
from shared.db import UnitOfWork, UTCDateTime, create_engine, create_schema, session_factory
from shared.db.messaging_tables import InboxMessage
from shared.events.base import EventPayload, event_type
from shared.events.envelope import Envelope, parse_time
from shared.events.topics import TopicNaming, TopicSpec
from shared.messaging import MESSAGING_METADATA, Delivery, EventConsumer, Messaging, OutboxMessage
from shared.messaging.broker import aiokafka_client_options, create_broker
from shared.messaging.outbox_relay import OutboxRelay
from shared.messaging.topic_admin import ensure_topics
from shared.observability.logging import configure_logging
from shared.settings import Environment, ServiceSettings

BENCH_TOPIC = TopicSpec("bench.probes", "bench", "probe key", False, "Benchmark probes")
RAW_TOPIC = TopicSpec("bench.raw-probes", "bench", "probe key", False, "The baseline's copy")
PARTITIONS = 3
FETCH = 500  # records per fetch, both sides (the consumer's max_batch default)


@event_type("bench.probe.v1", topic=BENCH_TOPIC, key="key")
class BenchProbeV1(EventPayload):
    key: str
    seq: int


class BenchTable(SQLModel, registry=registry()):
    pass


class BenchReceipt(BenchTable, table=True):
    __tablename__ = "bench_receipts"
    id: int | None = Field(default=None, primary_key=True)
    key: str
    seq: int
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)


bench_consumer = EventConsumer("bench.consumer")


@bench_consumer.handles(BenchProbeV1)
async def store(event: BenchProbeV1 | None, delivery: Delivery) -> None:
    assert event is not None
    assert delivery.envelope.time is not None
    delivery.uow.session.add(
        BenchReceipt(
            key=event.key, seq=event.seq, occurred_at=delivery.envelope.time, received_at=datetime.now(UTC)
        )
    )


@dataclass
class Rate:
    events: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def settings_for(name: str, bootstrap: str, prefix: str, url: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        environment=Environment.TEST,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        kafka_topic_partitions=PARTITIONS,
        database_url=url,
    )


async def new_engine(url: str) -> AsyncEngine:
    engine = create_engine(url)
    await create_schema(engine, MESSAGING_METADATA, BenchTable.metadata)
    return engine


async def fill_outbox(engine: AsyncEngine, events: int) -> None:
    sessions = session_factory(engine)
    for start in range(0, events, 2000):
        async with UnitOfWork(sessions, source="/edu-clusters/bench") as uow:
            for seq in range(start, min(start + 2000, events)):
                uow.record(BenchProbeV1(key=f"k{seq % 50}", seq=seq))
            await uow.commit()


async def outbox_messages(engine: AsyncEngine) -> list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]:
    """The outbox rows as ready-to-send records, the way a raw producer would hold them."""
    async with session_factory(engine)() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    messages = []
    for row in rows:
        envelope = Envelope(
            id=row.event_id,
            type=row.event_type,
            source=row.source,
            time=row.occurred_at,
            subject=row.subject,
            traceparent=row.traceparent,
        )
        headers = envelope.kafka_headers()
        messages.append((row.payload.encode() if row.payload else None, row.message_key.encode(), headers))
    return messages


async def relay_bench(
    bootstrap: str, prefix: str, url: str, events: int, repeat: int, consumer_prefix: str
) -> tuple[Rate, Rate]:
    """Best of ``repeat`` alternating runs each: the raw producer, then the relay over the same rows.

    Afterwards the same events are put once on ``consumer_prefix``'s topic, for the consumer part."""
    settings = settings_for("bench-producer", bootstrap, prefix, url)
    naming = TopicNaming(prefix)
    engine = await new_engine(url)
    await fill_outbox(engine, events)
    await ensure_topics(
        aiokafka_client_options(settings),
        [BENCH_TOPIC, RAW_TOPIC],
        naming=naming,
        partitions=PARTITIONS,
        replication_factor=1,
    )
    messages = await outbox_messages(engine)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    broker = create_broker(settings, metrics_registry=CollectorRegistry())
    await producer.start()
    await broker.start()
    relay = OutboxRelay(engine=engine, broker=broker, naming=naming, batch_size=settings.outbox_batch_size)
    raw_topic = naming.physical(RAW_TOPIC.name)
    raws, systems = [], []
    try:
        for run in range(repeat):
            started = time.perf_counter()
            sent = [await producer.send(raw_topic, value, key=key, headers=h) for value, key, h in messages]
            await asyncio.gather(*sent)
            raws.append(Rate(events, time.perf_counter() - started))
            if run:  # the same rows again
                async with engine.begin() as connection:
                    await connection.execute(update(OutboxMessage).values(published_at=None))
            started = time.perf_counter()
            published = 0
            while passed := await relay.publish_pending():
                published += passed
            systems.append(Rate(published, time.perf_counter() - started))
            if published != events:
                raise RuntimeError(f"the relay published {published} of {events} rows")
        consumer_topic = TopicNaming(consumer_prefix).physical(BENCH_TOPIC.name)
        await ensure_topics(
            aiokafka_client_options(settings),
            [BENCH_TOPIC],
            naming=TopicNaming(consumer_prefix),
            partitions=PARTITIONS,
            replication_factor=1,
        )
        sent = [await producer.send(consumer_topic, value, key=key, headers=h) for value, key, h in messages]
        await asyncio.gather(*sent)
    finally:
        await broker.stop()
        await producer.stop()
        await engine.dispose()
    return best(raws), best(systems)


def best(rates: list[Rate]) -> Rate:
    """The fastest run: on a shared machine the others measure the neighbours too."""
    return max(rates, key=lambda rate: rate.per_s)


async def receipts_rate(engine: AsyncEngine) -> Rate:
    async with session_factory(engine)() as session:
        count, first, last = (
            await session.exec(
                select(func.count(), func.min(BenchReceipt.received_at), func.max(BenchReceipt.received_at))
            )
        ).one()
    return Rate(int(count) - 1, (_utc(last) - _utc(first)).total_seconds())


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def raw_consume(bootstrap: str, topic: str, url: str, events: int) -> Rate:
    """getmany → one transaction per fetch: the receipts and the inbox rows, nothing else."""
    engine = await new_engine(url)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    inbox_table = InboxMessage.__table__  # type: ignore[attr-defined]
    sessions = session_factory(engine)
    await consumer.start()
    try:
        done = 0
        while done < events:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=FETCH)
            records = [record for batch in fetched.values() for record in batch]
            if not records:
                continue
            receipts: list[BenchReceipt] = []
            inbox: list[dict[str, Any]] = []
            for record in records:
                headers = {name: value.decode() for name, value in record.headers}
                body = json.loads(record.value)
                now = datetime.now(UTC)
                receipts.append(
                    BenchReceipt(
                        key=body["key"],
                        seq=body["seq"],
                        occurred_at=parse_time(headers["ce_time"]),
                        received_at=now,
                    )
                )
                inbox.append(
                    {
                        "consumer_group": "raw",
                        "event_id": headers["ce_id"],
                        "event_type": headers["ce_type"],
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "processed_at": now,
                    }
                )
            async with sessions() as session:
                session.add_all(receipts)
                connection = await session.connection()
                await connection.execute(inbox_table.insert(), inbox)
                await session.commit()
            done += len(records)
        return await receipts_rate(engine)
    finally:
        await consumer.stop()
        await engine.dispose()


async def system_consume(bootstrap: str, prefix: str, url: str, events: int, log: Path) -> Rate:
    settings = settings_for("bench-consumer", bootstrap, prefix, url)
    json_logs_to(log, settings.service_name)
    bench_consumer.group_id = f"bench.consumer-{uuid.uuid4().hex[:8]}"  # each run reads from the start
    engine = await new_engine(url)
    messaging = Messaging(
        settings,
        engine=engine,
        sessions=session_factory(engine),
        metrics_registry=CollectorRegistry(),
        consumers=[bench_consumer],
    )
    await messaging.start()
    try:
        await until_count(engine, events, within=600)
        return await receipts_rate(engine)
    finally:
        await messaging.stop()
        await engine.dispose()


def json_logs_to(path: Path, service: str) -> None:
    """Log as a service does (JSON lines, INFO), into a file rather than over the bench's output."""
    configure_logging(service)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
            handler.setStream(path.open("a", encoding="utf-8"))


async def until_count(engine: AsyncEngine, events: int, *, within: float) -> None:
    deadline = time.monotonic() + within
    sessions = session_factory(engine)
    while time.monotonic() < deadline:
        async with sessions() as session:
            count = (await session.exec(select(func.count()).select_from(BenchReceipt))).one()
        if count >= events:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"fewer than {events} receipts after {within:.0f} s")


@dataclass
class Figures:
    events: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def paced(index: int, rate: float, started: float) -> None:
    """Sleep until event ``index`` is due at ``rate`` events/s (no pacing when rate is 0)."""
    if rate > 0:
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))


async def raw_loop(bootstrap: str, events: int, rate: float = 0) -> Figures:
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await producer.start()
    await consumer.start()
    latencies: list[float] = []
    try:
        started = time.perf_counter()

        async def produce() -> None:
            deliveries = []
            for n in range(events):
                await paced(n, rate, started)
                deliveries.append(
                    await producer.send(topic, str(time.time()).encode(), key=f"k{n % 50}".encode())
                )
            await asyncio.gather(*deliveries)

        async def consume() -> None:
            while len(latencies) < events:
                for batch in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.time()
                    latencies.extend((now - float(record.value)) * 1000 for record in batch)

        await asyncio.gather(produce(), consume())
        return Figures(events, time.perf_counter() - started, latencies)
    finally:
        await consumer.stop()
        await producer.stop()


async def outbox_loop(
    bootstrap: str, events: int, writers: int, new_url: Callable[[str], str], rate: float = 0
) -> Figures:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    nodes = []
    for name, consumers in (("bench-producer", []), ("bench-consumer", [bench_consumer])):
        settings = settings_for(name, bootstrap, prefix, new_url(name))
        engine = await new_engine(settings.resolved_database_url)
        messaging = Messaging(
            settings,
            engine=engine,
            sessions=session_factory(engine),
            metrics_registry=CollectorRegistry(),
            publishes=[BENCH_TOPIC],
            consumers=consumers,
        )
        await messaging.start()
        nodes.append((engine, messaging))
    (_, producer), (consumer_engine, _) = nodes
    try:
        started = time.perf_counter()

        async def writer(first: int) -> None:
            for seq in range(first, events, writers):  # one transaction per event, as one request makes
                await paced(seq, rate, started)
                async with producer.unit_of_work() as uow:
                    uow.record(BenchProbeV1(key=f"k{seq % 50}", seq=seq))
                    await uow.commit()

        await asyncio.gather(*(writer(first) for first in range(writers)))
        await until_count(consumer_engine, events, within=600)
        async with session_factory(consumer_engine)() as session:
            rows = (await session.exec(select(BenchReceipt))).all()
        finished = max(_utc(row.received_at) for row in rows)
        first_event = min(_utc(row.occurred_at) for row in rows)
        latencies = [(_utc(row.received_at) - _utc(row.occurred_at)).total_seconds() * 1000 for row in rows]
        elapsed = max((finished - first_event).total_seconds(), time.perf_counter() - started - 0.05)
        return Figures(events, elapsed, latencies)
    finally:
        for engine, messaging in nodes:
            await messaging.stop()
            await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000, help="rows for the relay and consumer parts")
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each side; best taken")
    parser.add_argument("--e2e-events", type=int, default=2000, help="0 skips the end-to-end part")
    parser.add_argument("--writers", type=int, default=20, help="concurrent request-like transactions")
    parser.add_argument(
        "--rate", type=float, default=0, help="end to end: total events/s to pace both paths at; 0: burst"
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="edu-bench-") as work,
        bench_broker(Path(work)) as bootstrap,
        bench_databases(args.database, Path(work)) as new_url,
    ):
        prefix = f"bench{uuid.uuid4().hex[:8]}."
        relay_prefix = f"bench{uuid.uuid4().hex[:8]}."
        raw_relay, relay = await relay_bench(
            bootstrap, relay_prefix, new_url("producer"), args.events, args.repeat, prefix
        )
        naming = TopicNaming(prefix)
        raw_runs, system_runs = [], []
        for _ in range(args.repeat):
            raw_runs.append(
                await raw_consume(
                    bootstrap, naming.physical(BENCH_TOPIC.name), new_url("raw-consumer"), args.events
                )
            )
            system_runs.append(
                await system_consume(
                    bootstrap, prefix, new_url("consumer"), args.events, Path(work) / "consumer.log"
                )
            )
        raw_consumer, consumer = best(raw_runs), best(system_runs)
        e2e = None
        if args.e2e_events:
            await raw_loop(bootstrap, 200)  # warm the broker before measuring
            raw_e2e = await raw_loop(bootstrap, args.e2e_events, args.rate)
            e2e = raw_e2e, await outbox_loop(bootstrap, args.e2e_events, args.writers, new_url, args.rate)

    database = "PostgreSQL" if args.database == "postgresql" else "SQLite"
    print(
        f"messaging: {args.events} events, {PARTITIONS} partitions, {database}, broker {bootstrap}, "
        f"best of {args.repeat} alternating runs"
    )
    print(f"  {'':50}{'events/s':>10}")
    print(f"  {'raw idempotent producer, the same rows (baseline)':50}{raw_relay.per_s:10.0f}")
    print(f"  {'outbox relay: claim, send, mark':50}{relay.per_s:10.0f}")
    print(goal("relay / raw producer", relay.per_s / raw_relay.per_s, 0.8))
    print(f"  {'raw getmany loop, same SQL writes (baseline)':50}{raw_consumer.per_s:10.0f}")
    print(f"  {'EventConsumer: inbox, batch transaction':50}{consumer.per_s:10.0f}")
    print(goal("consumer / raw getmany loop", consumer.per_s / raw_consumer.per_s, 0.8))
    if e2e is not None:
        raw_e2e, system = e2e
        pacing = f"paced at {args.rate:.0f} events/s" if args.rate else "burst"
        print(
            f"end to end, for information: {args.e2e_events} events, one transaction each, "
            f"{args.writers} concurrent writers, {pacing}"
        )
        print(f"  {'':28}{'events/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
        for label, figures in (("raw aiokafka (baseline)", raw_e2e), ("outbox → Kafka → inbox", system)):
            print(
                f"  {label:28}{figures.rate:10.0f}{figures.percentile(0.5):10.1f}"
                f"{figures.percentile(0.99):10.1f}"
            )
        print(
            f"  {'ratio system/baseline':28}{system.rate / raw_e2e.rate:10.2f}"
            f"{system.percentile(0.5) / raw_e2e.percentile(0.5):10.1f}"
            f"{system.percentile(0.99) / raw_e2e.percentile(0.99):10.1f}"
        )
        print(f"  mean end-to-end latency: {statistics.fmean(system.latencies_ms):.1f} ms (system)")


if __name__ == "__main__":
    asyncio.run(main())
