"""The notifications service's fan-out: incidents reported in a burst, each to about ten people by email
and inbox, with a local SMTP sink; deliveries/s and p99 from the event's time to the mail's arrival, next
to a baseline measured in the same run: the same number of emails sent raw with aiosmtplib.

    .venv/bin/python -m bench.notifications_fanout [--incidents 1000] [--members 8]
        [--database sqlite|postgresql]

- Fan-out: a stand-in registry publishes 5 clusters, each with a leader and ``--members`` members, and a
  commune with its office; ``--incidents`` IncidentReportedV1 (medium) go through a real outbox to Kafka;
  the notifications app (in-process, SQLite) fans each out to leader + members + office on email and inbox
  and its worker delivers. Latency: the outbox row's time to the sink's receipt of the email.
- Baseline: aiosmtplib on as many kept-open connections as the service's pool, sending the same number of
  emails to the same sink, all "due" at the start; latency from the start to receipt. Run before and after
  the fan-out (the ratio is to their mean), with this process's CPU time per email beside it.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller
from prometheus_client import CollectorRegistry
from sqlalchemy import func
from sqlmodel import col, select

from bench.broker import bench_broker
from bench.databases import KINDS, bench_databases
from bench.report import goal
from services.notifications.app import create_app
from services.notifications.deliveries.domain import DeliveryState
from services.notifications.deliveries.models import Delivery
from services.notifications.devmail.adapters import free_port
from services.notifications.replica.models import StaffReplica
from services.notifications.settings import NotificationsSettings
from shared.db import create_engine, create_schema, session_factory
from shared.events.base import EventPayload
from shared.events.incidents import IncidentReportedV1, IncidentStatus, RouteKind
from shared.events.registry import ClusterMembershipV1, ClusterStateV1, CommuneStateV1, StaffStateV1
from shared.events.topics import INCIDENT_EVENTS, REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_STAFF
from shared.messaging import MESSAGING_METADATA, Messaging
from shared.settings import Environment, ServiceSettings
from shared.web import ServiceRuntime

POOL = 8


class Sink:
    """An aiosmtpd server noting when each message arrived, by the event id it carries."""

    def __init__(self) -> None:
        # aiosmtpd logs five INFO lines per message; the service's JSON logging (configured when its app is
        # built, after the baseline ran) would make the sink cost more in the fan-out than in the baseline.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.port = free_port()
        self.arrivals: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.time()
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.arrivals.append((str(parsed.get("X-Edu-Clusters-Event-Id", "")), arrived))
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.arrivals)

    def reset(self) -> None:
        with self._lock:
            self.arrivals.clear()

    def __enter__(self) -> Sink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


@dataclass
class Figures:
    deliveries: int
    seconds: float
    latencies_s: list[float]
    cpu_s: float = 0.0
    """This process's CPU time over the measured part (the sink's thread included, on both sides)."""

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] if ordered else 0.0


def sample_email(n: int) -> EmailMessage:
    email = EmailMessage()
    email["From"] = "thongbao@nghean.edu.vn"
    email["To"] = f"person{n % 50}@example.vn"
    email["Subject"] = f"[Sự cố trung bình] SC-2026-{n:06d} tại Trường Tiểu học Hòa Hiếu, Phường Thái Hòa"
    email["X-Edu-Clusters-Event-Id"] = f"baseline-{n}"
    email.set_content("Kính gửi Cán bộ,\n\nMột sự cố mức độ trung bình vừa được báo cáo. " * 4)
    return email


async def baseline(sink: Sink, messages: int) -> Figures:
    sink.reset()
    emails = [sample_email(n) for n in range(messages)]
    queue: asyncio.Queue[EmailMessage] = asyncio.Queue()
    for email in emails:
        queue.put_nowait(email)

    async def sender() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, start_tls=False)
        await client.connect()
        while not queue.empty():
            await client.send_message(queue.get_nowait())
        await client.quit()

    started, cpu = time.time(), time.process_time()
    await asyncio.gather(*(sender() for _ in range(POOL)))
    await until(lambda: _ready(sink.count() >= messages))
    seconds = max(arrived for _, arrived in sink.arrivals) - started
    latencies = [arrived - started for _, arrived in sink.arrivals]
    return Figures(messages, seconds, latencies, time.process_time() - cpu)


def registry_states(members: int) -> list[EventPayload]:
    now = datetime.now(UTC)
    states: list[EventPayload] = []
    for cluster in range(1, 6):
        leader = f"L{cluster}"
        states.append(
            ClusterStateV1(
                cluster_no=cluster,
                name=f"Cụm {cluster}",
                office_host_unit="x",
                leader_staff_code=leader,
                version=1,
                updated_at=now,
            )
        )
        states.append(
            CommuneStateV1(
                gso_code=f"9{cluster}000",
                name=f"Xã {cluster}",
                kind="commune",
                old_district_code="1",
                old_district_name="x",
                cluster_no=cluster,
                culture_office_email=f"office{cluster}@example.vn",
                version=1,
                updated_at=now,
            )
        )
        for n in range(members + 1):
            code = leader if n == 0 else f"M{cluster}-{n}"
            role = "leader" if n == 0 else "member"
            states.append(
                StaffStateV1(
                    code=code,
                    full_name=f"Cán bộ {code}",
                    roles=["department_official"],
                    email=f"{code.lower()}@example.vn",
                    memberships=[
                        ClusterMembershipV1(cluster_no=cluster, role=role, valid_from=date(2025, 7, 1))
                    ],
                    version=1,
                    updated_at=now,
                )
            )
    return states


def incident(n: int) -> IncidentReportedV1:
    now = datetime.now(UTC)
    cluster = n % 5 + 1
    return IncidentReportedV1(
        incident_id=f"bench-{n}",
        reference=f"SC-2026-{n:06d}",
        school_code=None,
        commune_code=f"9{cluster}000",
        cluster_no=cluster,
        route=RouteKind.CLUSTER,
        category="natural_disaster",
        severity="medium",
        restricted=False,
        status=IncidentStatus.REPORTED,
        occurred_at=now,
        reported_at=now,
        reporter_role="commune_officer",
        injured=0,
        dead=0,
        missing=0,
        out_of_school=0,
        acknowledge_due_at=now + timedelta(hours=4),
        resolve_due_at=now + timedelta(days=2),
    )


async def publish(messaging: Messaging, events: Sequence[EventPayload], times: dict[str, float]) -> None:
    for start in range(0, len(events), 100):
        async with messaging.unit_of_work() as uow:
            for event in events[start : start + 100]:
                times[uow.record(event)] = time.time()
            await uow.commit()


async def fan_out(
    sink: Sink, bootstrap: str, work_dir: Path, incidents: int, members: int, new_url: Callable[[str], str]
) -> tuple[Figures, int]:
    prefix = f"bench{int(time.time())}."
    publisher_settings = ServiceSettings(
        service_name="bench-publisher",
        environment=Environment.TEST,
        data_dir=work_dir,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        outbox_sweep_interval_s=0.2,
        database_url=new_url("publisher"),
    )
    engine = create_engine(publisher_settings.resolved_database_url)
    await create_schema(engine, MESSAGING_METADATA)
    publisher = Messaging(
        publisher_settings,
        engine=engine,
        sessions=session_factory(engine),
        metrics_registry=CollectorRegistry(),
        publishes=[REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_STAFF, INCIDENT_EVENTS],
    )
    await publisher.start()
    settings = NotificationsSettings(
        environment=Environment.TEST,
        data_dir=work_dir,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        database_url=new_url("notifications"),
        smtp_port=sink.port,
        smtp_pool_size=POOL,
        delivery_batch_size=500,
        delivery_concurrency=64,
        delivery_poll_interval_s=0.05,
    )
    app = create_app(settings)
    runtime: ServiceRuntime = app.state.runtime
    times: dict[str, float] = {}
    try:
        async with app.router.lifespan_context(app):
            await publish(publisher, registry_states(members), {})
            staff = 5 * (members + 1)
            staff_query = select(func.count()).select_from(StaffReplica)
            await until(lambda: _at_least(runtime, staff_query, staff))
            sink.reset()
            expected_emails = incidents * (members + 2)
            cpu = time.process_time()
            await publish(publisher, [incident(n) for n in range(incidents)], times)
            await until(lambda: _ready(sink.count() >= expected_emails))
            cpu = time.process_time() - cpu
            delivered = select(func.count()).where(col(Delivery.state) == DeliveryState.DELIVERED)
            await until(lambda: _at_least(runtime, delivered, 2 * expected_emails))
            total = await _count(runtime, delivered)
    finally:
        await publisher.stop()
        await engine.dispose()
    started = min(times.values())
    latencies = [arrived - times[event_id] for event_id, arrived in sink.arrivals if event_id in times]
    seconds = max(arrived for _, arrived in sink.arrivals) - started
    return Figures(len(latencies), seconds, latencies, cpu), total


async def until(probe: Callable[[], Awaitable[bool]]) -> None:
    while True:
        if await probe():
            return
        await asyncio.sleep(0.02)


async def _ready(value: bool) -> bool:
    return value


async def _at_least(runtime: ServiceRuntime, query: Any, expected: int) -> bool:
    return await _count(runtime, query) >= expected


async def _count(runtime: ServiceRuntime, query: Any) -> int:
    async with runtime.sessions() as session:
        return int((await session.exec(query)).one())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--members", type=int, default=8, help="members per cluster besides its leader")
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        bench_broker(Path(tmp)) as bootstrap,
        bench_databases(args.database, Path(tmp)) as new_url,
        Sink() as sink,
    ):
        emails = args.incidents * (args.members + 2)
        # The baseline before and after the fan-out: on a shared machine the load moves within a run.
        raw_before = await baseline(sink, emails)
        fanned, all_deliveries = await fan_out(
            sink, bootstrap, Path(tmp), args.incidents, args.members, new_url
        )
        raw_after = await baseline(sink, emails)
    raw = Figures(
        emails,
        (raw_before.seconds + raw_after.seconds) / 2,
        raw_before.latencies_s + raw_after.latencies_s,
        (raw_before.cpu_s + raw_after.cpu_s) / 2,
    )
    database = "PostgreSQL" if args.database == "postgresql" else "SQLite"
    print(
        f"{args.incidents} incidents x {args.members + 2} recipients = {emails} emails "
        f"(+ {all_deliveries - emails} inbox items); {database}, local aiosmtpd sink, {POOL} SMTP connections"
    )
    print(f"{'':44}{'emails/s':>10}{'p50 s':>9}{'p99 s':>9}")
    for name, figures in (("before", raw_before), ("after", raw_after)):
        label = f"baseline {name}: raw aiosmtplib sends"
        print(f"{label:44}{figures.rate:10.0f}{figures.p(50):9.2f}{figures.p(99):9.2f}")
    label = "notifications: event -> outbox -> Kafka -> mail"
    print(f"{label:44}{fanned.rate:10.0f}{fanned.p(50):9.2f}{fanned.p(99):9.2f}")
    print(
        f"ratio to baseline: throughput x{fanned.rate / raw.rate:.2f}, p99 x{fanned.p(99) / raw.p(99):.2f}; "
        f"all deliveries (email + inbox) {all_deliveries / fanned.seconds:.0f}/s"
    )
    print(
        f"CPU per email: baseline {1000 * raw.cpu_s / emails:.2f} ms, notifications "
        f"{1000 * fanned.cpu_s / emails:.2f} ms (x{fanned.cpu_s / raw.cpu_s:.2f}; the load-independent view)"
    )
    print(goal("fan-out emails/s / raw aiosmtplib", fanned.rate / raw.rate, 0.8))


if __name__ == "__main__":
    asyncio.run(main())
