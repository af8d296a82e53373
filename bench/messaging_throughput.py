"""Outbox → Kafka → inbox against a raw aiokafka produce→consume loop, on the same broker in one run.

    .venv/bin/python -m bench.messaging_throughput [--events 3000] [--writers 20] [--rate 0]

``--rate`` paces the producers (events/s in total) on both paths, to read latency below saturation; 0 is
a burst, which measures throughput (and then latency is mostly time spent queued).

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker. The baseline is the floor the
broker allows on this machine: the same number of messages, produced with the same idempotent ``acks=all``
producer and read by one consumer, with no database on either side. The system path pays for a SQLite
transaction per event on each side and an offset commit per message; the ratio says what that costs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import CollectorRegistry
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, select

from bench.broker import bench_broker
from shared.db import UTCDateTime, create_engine, create_schema, session_factory
from shared.events.base import EventPayload, event_type
from shared.events.topics import TopicSpec
from shared.messaging import MESSAGING_METADATA, Delivery, EventConsumer, Messaging
from shared.settings import Environment, ServiceSettings

BENCH_TOPIC = TopicSpec("bench.probes", "bench", "probe key", False, "Benchmark probes")


@event_type("bench.probe.v1", topic=BENCH_TOPIC, key="key")
class BenchProbeV1(EventPayload):
    key: str
    seq: int


class BenchTable(SQLModel, registry=registry()):
    pass


class BenchReceipt(BenchTable, table=True):
    __tablename__ = "bench_receipts"
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)


bench_consumer = EventConsumer("bench.consumer")


@bench_consumer.handles(BenchProbeV1)
async def store(event: BenchProbeV1 | None, delivery: Delivery) -> None:
    assert delivery.envelope.time is not None
    delivery.uow.session.add(BenchReceipt(occurred_at=delivery.envelope.time, received_at=datetime.now(UTC)))


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


async def outbox_loop(bootstrap: str, events: int, writers: int, work_dir: Path, rate: float = 0) -> Figures:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    nodes = []
    for name, consumers in (("bench-producer", []), ("bench-consumer", [bench_consumer])):
        settings = ServiceSettings(
            service_name=name,
            environment=Environment.TEST,
            kafka_bootstrap_servers=bootstrap,
            kafka_topic_prefix=prefix,
            database_url=f"sqlite+aiosqlite:///{work_dir / name}.db",
        )
        engine = create_engine(settings.resolved_database_url)
        await create_schema(engine, MESSAGING_METADATA, BenchTable.metadata)
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
        sessions = session_factory(consumer_engine)
        while True:
            async with sessions() as session:
                rows = (await session.exec(select(BenchReceipt))).all()
            if len(rows) >= events:
                break
            await asyncio.sleep(0.05)
        finished = max(row.received_at for row in rows)
        first_event = min(row.occurred_at for row in rows)
        latencies = [(row.received_at - row.occurred_at).total_seconds() * 1000 for row in rows]
        elapsed = max((finished - first_event).total_seconds(), time.perf_counter() - started - 0.05)
        return Figures(events, elapsed, latencies)
    finally:
        for engine, messaging in nodes:
            await messaging.stop()
            await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--writers", type=int, default=20, help="concurrent request-like transactions")
    parser.add_argument(
        "--rate", type=float, default=0, help="total events/s to pace both paths at; 0: burst"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edu-bench-") as work, bench_broker(Path(work)) as bootstrap:
        await raw_loop(bootstrap, 200)  # warm the broker and the JIT before measuring
        raw = await raw_loop(bootstrap, args.events, args.rate)
        system = await outbox_loop(bootstrap, args.events, args.writers, Path(work), args.rate)
    pacing = f"paced at {args.rate:.0f} events/s" if args.rate else "burst"
    print(f"{args.events} events, {args.writers} concurrent writers, {pacing}, broker {bootstrap}")
    print(f"{'':28}{'events/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for label, figures in (("raw aiokafka (baseline)", raw), ("outbox → Kafka → inbox", system)):
        print(
            f"{label:28}{figures.rate:10.0f}{figures.percentile(0.5):10.1f}{figures.percentile(0.99):10.1f}"
        )
    p50_ratio = system.percentile(0.5) / raw.percentile(0.5)
    p99_ratio = system.percentile(0.99) / raw.percentile(0.99)
    print(f"{'ratio system/baseline':28}{system.rate / raw.rate:10.2f}{p50_ratio:10.1f}{p99_ratio:10.1f}")
    print(f"mean end-to-end latency: {statistics.fmean(system.latencies_ms):.1f} ms (system)")


if __name__ == "__main__":
    asyncio.run(main())
