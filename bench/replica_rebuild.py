"""A registry replica rebuilt from the compacted topics, against a raw consumer doing the same writes:

    .venv/bin/python -m bench.replica_rebuild [--schools 20000] [--staff 20000] [--database sqlite|postgresql]

The topics are filled first (school states, and staff states with one cluster membership each, as the
registry publishes them). System: the notifications service's replica consumer group (the shared
``registry_replica``: inbox, apply-if-newer on the version, memberships rewritten with each person) on a
fresh database. Baseline: a raw aiokafka ``getmany`` loop parsing each body with its event model (as
any consumer must) and writing the same rows (school, staff and membership rows, and inbox rows) in one
transaction per fetch, with no version check, duplicate check or logging. Both are timed from their
consumer's start until every row is in. Goal: ≥ 0.5 x.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import CollectorRegistry
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bench.broker import bench_broker
from bench.databases import KINDS, bench_databases
from bench.report import goal
from services.notifications.replica.handlers import replica_consumer
from services.notifications.replica.models import MembershipReplica, SchoolReplica, StaffReplica
from services.notifications.tables import NOTIFICATIONS_METADATA
from shared.db import create_engine, create_schema, session_factory
from shared.db.messaging_tables import InboxMessage
from shared.events.envelope import Envelope
from shared.events.registry import ClusterMembershipV1, SchoolStateV1, StaffStateV1
from shared.events.topics import REGISTRY_SCHOOLS, REGISTRY_STAFF, TopicNaming
from shared.messaging import MESSAGING_METADATA, Messaging
from shared.messaging.broker import aiokafka_client_options
from shared.messaging.topic_admin import ensure_topics
from shared.observability.logging import configure_logging
from shared.settings import Environment, ServiceSettings

PARTITIONS = 3
FETCH = 500


def states(schools: int, staff: int) -> list[SchoolStateV1 | StaffStateV1]:
    now = datetime.now(UTC)
    since = date(2025, 7, 1)
    found: list[SchoolStateV1 | StaffStateV1] = [
        SchoolStateV1(
            code=f"B{n:06d}",
            name=f"Trường Tiểu học {n}",
            level="primary",
            commune_code=f"{17000 + n % 130}",
            cluster_no=1 + n % 5,
            principal_staff_code=f"S{n:06d}",
            version=1,
            updated_at=now,
        )
        for n in range(schools)
    ]
    found += [
        StaffStateV1(
            code=f"S{n:06d}",
            full_name=f"Cán bộ {n}",
            roles=["teacher"],
            school_code=f"B{n % max(schools, 1):06d}",
            email=f"s{n}@example.vn",
            memberships=[ClusterMembershipV1(cluster_no=1 + n % 5, role="member", valid_from=since)],
            version=1,
            updated_at=now,
        )
        for n in range(staff)
    ]
    return found


async def fill_topics(settings: ServiceSettings, events: list[SchoolStateV1 | StaffStateV1]) -> None:
    naming = TopicNaming(settings.kafka_topic_prefix)
    await ensure_topics(
        aiokafka_client_options(settings),
        [REGISTRY_SCHOOLS, REGISTRY_STAFF],
        naming=naming,
        partitions=PARTITIONS,
        replication_factor=1,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        sent = []
        for event in events:
            envelope = Envelope(
                id=str(uuid.uuid4()),
                type=event.event_type,
                source="/edu-clusters/registry",
                time=datetime.now(UTC),
                subject=event.subject(),
            )
            headers = envelope.kafka_headers()
            topic = naming.physical(type(event).topic.name)
            value = event.model_dump_json().encode()
            sent.append(await producer.send(topic, value, key=event.message_key().encode(), headers=headers))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def new_engine(url: str) -> AsyncEngine:
    engine = create_engine(url)
    await create_schema(engine, MESSAGING_METADATA, NOTIFICATIONS_METADATA)
    return engine


async def rows_in(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        schools = (await session.exec(select(func.count()).select_from(SchoolReplica))).one()
        staff = (await session.exec(select(func.count()).select_from(StaffReplica))).one()
    return int(schools) + int(staff)


async def until_rows(engine: AsyncEngine, expected: int, within: float = 900) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await rows_in(engine) >= expected:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"fewer than {expected} replica rows after {within:.0f} s")


async def raw_rebuild(settings: ServiceSettings, url: str, expected: int) -> float:
    engine = await new_engine(url)
    naming = TopicNaming(settings.kafka_topic_prefix)
    consumer = AIOKafkaConsumer(
        naming.physical(REGISTRY_SCHOOLS.name),
        naming.physical(REGISTRY_STAFF.name),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    inbox_table = InboxMessage.__table__  # type: ignore[attr-defined]
    sessions = session_factory(engine)
    started = time.perf_counter()
    await consumer.start()
    try:
        done = 0
        while done < expected:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=FETCH)
            records = [record for batch in fetched.values() for record in batch]
            if not records:
                continue
            rows: list[Any] = []
            inbox = []
            now = datetime.now(UTC)
            for record in records:
                headers = {name: value.decode() for name, value in record.headers}
                if record.topic.endswith(REGISTRY_SCHOOLS.name):
                    school = SchoolStateV1.model_validate_json(record.value)
                    rows.append(SchoolReplica(**school.model_dump(include=set(SchoolReplica.model_fields))))
                else:
                    person = StaffStateV1.model_validate_json(record.value)
                    rows.append(StaffReplica(**person.model_dump(include=set(StaffReplica.model_fields))))
                    for membership in person.memberships:
                        rows.append(MembershipReplica(staff_code=person.code, **membership.model_dump()))
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
                session.add_all(rows)
                connection = await session.connection()
                await connection.execute(inbox_table.insert(), inbox)
                await session.commit()
            done += len(records)
        return time.perf_counter() - started
    finally:
        await consumer.stop()
        await engine.dispose()


async def system_rebuild(settings: ServiceSettings, url: str, expected: int, log: Path) -> float:
    engine = await new_engine(url)
    configure_logging(settings.service_name)  # as the service logs: a JSON line per event, to a file
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
            handler.setStream(log.open("a", encoding="utf-8"))
    replica_consumer.group_id = f"bench.replica-{uuid.uuid4().hex[:8]}"
    messaging = Messaging(
        settings,
        engine=engine,
        sessions=session_factory(engine),
        metrics_registry=CollectorRegistry(),
        consumers=[replica_consumer],
    )
    started = time.perf_counter()
    await messaging.start()
    try:
        await until_rows(engine, expected)
        return time.perf_counter() - started
    finally:
        await messaging.stop()
        await engine.dispose()


async def run(args: argparse.Namespace, bootstrap: str, new_url: Callable[[str], str], work: Path) -> None:
    settings = ServiceSettings(
        service_name="bench-replica",
        environment=Environment.TEST,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=f"bench{uuid.uuid4().hex[:8]}.",
        kafka_topic_partitions=PARTITIONS,
    )
    await fill_topics(settings, states(args.schools, args.staff))
    expected = args.schools + args.staff
    raw_s, system_s = [], []
    for _ in range(args.repeat):
        raw_s.append(await raw_rebuild(settings, new_url("raw"), expected))
        system_s.append(await system_rebuild(settings, new_url("replica"), expected, work / "replica.log"))
    raw, system = expected / min(raw_s), expected / min(system_s)
    database = "PostgreSQL" if args.database == "postgresql" else "SQLite"
    print(
        f"replica rebuild: {args.schools} school and {args.staff} staff states from compacted topics, "
        f"{PARTITIONS} partitions, {database}, best of {args.repeat}"
    )
    print(f"  {'raw getmany loop, same rows (baseline)':46}{raw:10.0f} states/s")
    print(f"  {'registry_replica consumer (notifications)':46}{system:10.0f} states/s")
    print(goal("replica rebuild / raw consumer", system / raw, 0.5))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=20_000)
    parser.add_argument("--staff", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="edu-bench-replica-") as directory,
        bench_broker(Path(directory)) as bootstrap,
        bench_databases(args.database, Path(directory)) as new_url,
    ):
        asyncio.run(run(args, bootstrap, new_url, Path(directory)))


if __name__ == "__main__":
    main()
