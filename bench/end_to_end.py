"""An incident reported over HTTP until its first signed webhook arrives, open loop, against raw Kafka.

    .venv/bin/python -m bench.end_to_end [--rate 200] [--seconds 60] [--database sqlite|postgresql]
        [--partitions 12] [--notifications 1] [--scale-out 1,2,4]

The incidents and notifications services run as processes of their own (uvicorn, one worker each, the
real broker, their own databases); this process is the load generator, the webhook receiver (it checks
each signature) and the SMTP sink for the email the same incidents cause.

- System: ``POST /incidents`` (a department officer's token, an ``Idempotency-Key``) sent open loop at
  ``--rate`` for ``--seconds``: request n is due at start + n/rate and is sent then, whatever happened
  to the others. Latency is from that due time to the arrival of the ``incidents.incident.reported.v1``
  webhook, so a stall is counted for every request it delays (coordinated omission corrected, as wrk2
  measures). Every incident must get its webhook exactly once: lost (none within the drain window) and
  duplicated (a webhook id, or an incident, twice) are counted.
- Baseline: raw aiokafka, an idempotent ``acks=all`` producer and a consumer, open loop at the same rate
  for the same time on a topic with as many partitions, latency from the due time to consumption.
- Goal: the system's p99 at most 5 x the baseline's p99.

Both distributions go into HdrHistograms (1 us to 10 min, 3 significant digits). ``--scale-out`` runs
the system part once per count of notifications instances (they share one PostgreSQL database) and
prints throughput and duplicates for each. Idle memory of each service is read from /proc before and
after the load. Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiosmtpd.controller import Controller
from hdrh.histogram import HdrHistogram

from bench.broker import bench_broker
from bench.databases import KINDS, bench_databases
from bench.processes import cpu_s, rss_mb, start_server, stop_servers, wait_ready
from bench.report import goal
from deploy.local.kafka import free_port
from services.notifications.webhooks.domain import verify
from shared.auth import Principal, Role, TokenCodec
from shared.events.incidents import IncidentReportedV1
from shared.settings import ServiceSettings

GOAL_P99_RATIO = 5.0


def histogram() -> HdrHistogram:
    return HdrHistogram(1, 600_000_000, 3)  # microseconds


def record_s(h: HdrHistogram, seconds: float) -> None:
    h.record_value(max(1, int(seconds * 1_000_000)))


@dataclass
class Receiver:
    """The webhook receiver: verifies each signature and notes when each incident's webhook came."""

    secret: str
    port: int = field(default_factory=free_port)
    first_at: dict[str, float] = field(default_factory=dict)
    per_incident: Counter[str] = field(default_factory=Counter)
    webhook_ids: Counter[str] = field(default_factory=Counter)
    unsigned: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/bench"

    async def on_hook(self, request: web.Request) -> web.Response:
        arrived = time.time()
        raw = await request.read()
        if not verify(self.secret, dict(request.headers), raw):
            self.unsigned += 1
            return web.json_response({}, status=401)
        body = json.loads(raw)
        if body.get("type") == "webhook.verification":
            return web.json_response({"challenge": body["challenge"]})
        if body.get("type") == IncidentReportedV1.event_type:
            incident = body["data"]["incident_id"]
            self.first_at.setdefault(incident, arrived)
            self.per_incident[incident] += 1
            self.webhook_ids[request.headers["webhook-id"]] += 1
        return web.json_response({})

    def reset(self) -> None:
        self.first_at.clear()
        self.per_incident.clear()
        self.webhook_ids.clear()


class MailSink:
    """Accepts the email the incidents cause (the Department's desks), as a real relay would."""

    def __init__(self) -> None:
        self.port = free_port()
        self.count = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.count += 1
        return "250 OK"

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()


@dataclass
class Outcome:
    histogram: HdrHistogram
    answered: HdrHistogram
    """Due time → the POST's answer: the incidents service's own part, queueing included."""
    after_answer: HdrHistogram
    """The POST's answer → the webhook: relay, broker, fan-out and delivery."""
    sent: int
    accepted: int
    errors: Counter[str]
    lost: int
    duplicated: int
    seconds: float
    delivered_per_s: float


def percentiles(h: HdrHistogram) -> tuple[float, float, float]:
    p50, p99, p999 = (h.get_value_at_percentile(q) / 1000 for q in (50, 99, 99.9))
    return p50, p99, p999


async def raw_kafka(bootstrap: str, rate: float, seconds: float, partitions: int) -> HdrHistogram:
    """Open-loop produce → consume on a fresh topic; latency from each message's due time."""
    topic = f"bench.e2e-raw.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-e2e-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await producer.start()
    await consumer.start()
    latencies = histogram()
    total = int(rate * seconds)
    try:
        started = time.time() + 0.5

        async def produce() -> None:
            pending = []
            for n in range(total):
                due = started + n / rate
                await asyncio.sleep(max(0.0, due - time.time()))
                pending.append(await producer.send(topic, str(due).encode(), key=f"k{n}".encode()))
            await asyncio.gather(*pending)

        async def consume() -> None:
            seen = 0
            while seen < total:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    now = time.time()
                    for record in batch:
                        record_s(latencies, now - float(record.value))
                    seen += len(batch)

        await asyncio.gather(produce(), consume())
    finally:
        await consumer.stop()
        await producer.stop()
    return latencies


def token(role: Role) -> str:
    codec = TokenCodec.from_settings(ServiceSettings(service_name="bench"))
    return codec.mint(Principal(subject=f"{role}@bench", role=role), timedelta(hours=2))


def incident_body(n: int) -> dict[str, Any]:
    return {
        "category": "dangerous_building",
        "commune_code": "16939",
        "title": f"Tường rào nứt ({n})",
        "description": "Tường rào phía tây nứt sau mưa",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }


@dataclass
class Sent:
    due_of: dict[str, float]
    """Incident id → when its POST was due."""
    answered_at: dict[str, float]
    """Incident id → when its POST was answered."""
    errors: Counter[str]
    seconds: float


async def open_loop(url: str, rate: float, seconds: float) -> Sent:
    """POST incidents at ``rate`` for ``seconds``."""
    headers = {"Authorization": f"Bearer {token(Role.DEPARTMENT_OFFICER)}"}
    due_of: dict[str, float] = {}
    answered_at: dict[str, float] = {}
    errors: Counter[str] = Counter()
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=512)
    async with aiohttp.ClientSession(base_url=url, headers=headers, connector=connector) as session:
        started = time.time() + 0.2

        async def report(n: int, due: float) -> None:
            try:
                async with session.post(
                    "/incidents",
                    json=incident_body(n),
                    headers={"Idempotency-Key": f"bench-{n}-{uuid.uuid4().hex[:6]}"},
                    timeout=aiohttp.ClientTimeout(total=120),
                ) as response:
                    if response.status != 201:
                        errors[f"HTTP {response.status}"] += 1
                        return
                    incident = (await response.json())["id"]
                    answered_at[incident], due_of[incident] = time.time(), due
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] += 1

        tasks = []
        for n in range(total):
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - time.time()))
            tasks.append(asyncio.create_task(report(n, due)))
        await asyncio.gather(*tasks)
    return Sent(due_of, answered_at, errors, time.time() - started)


async def subscribe(notifications_url: str, receiver: Receiver) -> None:
    async with httpx.AsyncClient(base_url=notifications_url, timeout=60) as client:
        response = await client.post(
            "/webhooks/subscriptions",
            json={"url": receiver.url, "event_types": ["incidents.incident.*"], "secret": receiver.secret},
            headers={"Authorization": f"Bearer {token(Role.DEPARTMENT_ADMIN)}"},
        )
    if response.status_code != 201:
        raise RuntimeError(f"subscribing failed: {response.status_code} {response.text}")


@dataclass
class Services:
    incidents_url: str
    notifications_urls: list[str]
    processes: dict[str, subprocess.Popen[bytes]]


async def start_services(
    bootstrap: str, new_url: Callable[[str], str], work: Path, partitions: int, instances: int, smtp: int
) -> Services:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    common = {
        "ENVIRONMENT": "test",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "KAFKA_TOPIC_PARTITIONS": str(partitions),
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    ports = {"incidents": free_port()}
    incidents_env = {**common, "DATABASE_URL": new_url("incidents")}
    processes["incidents"] = start_server(
        "services.incidents.app:create_app", ports["incidents"], incidents_env, work / "incidents.log",
        factory=True,
    )  # fmt: skip
    notifications_db = new_url("notifications")
    if instances > 1 and not notifications_db.startswith("postgresql"):
        raise SystemExit("several notifications instances share one database: use --database postgresql")
    urls = []
    for index in range(instances):
        name = f"notifications-{index + 1}"
        ports[name] = free_port()
        environment = {**common, "DATABASE_URL": notifications_db, "SMTP_PORT": str(smtp)}
        processes[name] = start_server(
            "services.notifications.app:create_app", ports[name], environment, work / f"{name}.log",
            factory=True,
        )  # fmt: skip
        urls.append(f"http://127.0.0.1:{ports[name]}")
        if index == 0:  # the first one migrates the shared database; the others find it ready
            await wait_ready(f"{urls[0]}/health/ready")
    incidents_url = f"http://127.0.0.1:{ports['incidents']}"
    for url in [incidents_url, *urls]:
        await wait_ready(f"{url}/health/ready")
    return Services(incidents_url, urls, processes)


async def measure_system(
    services: Services, receiver: Receiver, rate: float, seconds: float, drain_s: float
) -> Outcome:
    receiver.reset()
    sent = await open_loop(services.incidents_url, rate, seconds)
    due_of = sent.due_of
    deadline = time.time() + drain_s
    while time.time() < deadline and not set(due_of) <= set(receiver.first_at):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a late duplicate has a moment to show
    latencies, answered, after_answer = histogram(), histogram(), histogram()
    arrivals = []
    for incident, due in due_of.items():
        record_s(answered, sent.answered_at[incident] - due)
        arrived = receiver.first_at.get(incident)
        if arrived is not None:
            record_s(latencies, arrived - due)
            record_s(after_answer, arrived - sent.answered_at[incident])
            arrivals.append(arrived)
    lost = sum(1 for incident in due_of if incident not in receiver.first_at)
    duplicated = sum(n - 1 for n in receiver.per_incident.values() if n > 1) + sum(
        n - 1 for n in receiver.webhook_ids.values() if n > 1
    )
    first_due = min(due_of.values()) if due_of else 0.0
    span = (max(arrivals) - first_due) if arrivals else 0.0
    return Outcome(
        latencies,
        answered,
        after_answer,
        sent=int(rate * seconds),
        accepted=len(due_of),
        errors=sent.errors,
        lost=lost,
        duplicated=duplicated,
        seconds=sent.seconds,
        delivered_per_s=len(arrivals) / span if span > 0 else 0.0,
    )


def profile(services: Services, folder: Path, seconds: float) -> list[subprocess.Popen[bytes]]:
    """py-spy on each service for the loaded part: ``folder/<service>.txt``, collapsed stacks."""
    folder.mkdir(parents=True, exist_ok=True)
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    profilers = []
    for name, process in services.processes.items():
        # --nonblocking: the service is not paused for each sample (that halved its throughput);
        # --gil: only the thread running Python, so the samples say where the CPU went.
        command = [py_spy, "record", "--pid", str(process.pid), "--rate", "200", "--format", "raw"]
        command += ["--nonblocking", "--gil"]
        command += ["--duration", str(int(seconds)), "--output", str(folder / f"{name}.txt")]
        profilers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return profilers


def memory(services: Services) -> dict[str, float]:
    return {name: rss_mb(process.pid) for name, process in services.processes.items()}


def cpu(services: Services) -> dict[str, float]:
    return {name: cpu_s(process.pid) for name, process in services.processes.items()}


async def run(args: argparse.Namespace, bootstrap: str, new_url: Callable[[str], str], work: Path) -> None:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    receiver = Receiver(secret)
    app = web.Application()
    app.router.add_post("/hooks/bench", receiver.on_hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", receiver.port).start()
    database = "PostgreSQL" if args.database == "postgresql" else "SQLite"
    counts = [int(n) for n in args.scale_out.split(",")] if args.scale_out else [args.notifications]
    try:
        with MailSink() as sink:
            for instances in counts:
                services = await start_services(
                    bootstrap, new_url, work, args.partitions, instances, sink.port
                )
                try:
                    await subscribe(services.notifications_urls[0], receiver)
                    await measure_system(services, receiver, min(args.rate, 20), 2, 30)  # warm up
                    await asyncio.sleep(2)
                    idle = memory(services)
                    raw = await raw_kafka(bootstrap, args.rate, args.seconds, args.partitions)
                    profilers = profile(services, args.profile, args.seconds) if args.profile else []
                    cpu_before = cpu(services)
                    outcome = await measure_system(services, receiver, args.rate, args.seconds, args.drain)
                    cpu_ms = {
                        name: (spent - cpu_before[name]) * 1000 / max(1, outcome.accepted)
                        for name, spent in cpu(services).items()
                    }
                    for profiler in profilers:
                        profiler.wait(timeout=60)
                    await asyncio.sleep(3)
                    after = memory(services)
                finally:
                    stop_servers(list(services.processes.values()))
                report(args, database, instances, raw, outcome, idle, after, cpu_ms, sink.count)
    finally:
        await runner.cleanup()


def report(
    args: argparse.Namespace,
    database: str,
    instances: int,
    raw: HdrHistogram,
    outcome: Outcome,
    idle: dict[str, float],
    after: dict[str, float],
    cpu_ms: dict[str, float],
    emails: int,
) -> None:
    print(
        f"end to end: POST /incidents → first signed webhook, open loop {args.rate:.0f}/s for "
        f"{args.seconds:.0f} s, {database}, {args.partitions} partitions, {instances} notifications "
        f"instance(s)"
    )
    print(f"  {'':40}{'p50 ms':>10}{'p99 ms':>10}{'p99.9 ms':>10}{'count':>8}")
    for label, h in (
        ("raw Kafka produce → consume (baseline)", raw),
        ("incident → webhook", outcome.histogram),
        ("  of which: due → POST answered", outcome.answered),
        ("  of which: POST answered → webhook", outcome.after_answer),
    ):
        p50, p99, p999 = percentiles(h)
        print(f"  {label:40}{p50:10.1f}{p99:10.1f}{p999:10.1f}{h.get_total_count():8d}")
    errors = ", ".join(f"{k} x{v}" for k, v in outcome.errors.items()) or "none"
    print(
        f"  sent {outcome.sent}, accepted {outcome.accepted} (errors: {errors}), lost {outcome.lost}, "
        f"duplicated {outcome.duplicated}, webhooks {outcome.delivered_per_s:.0f}/s, emails caught {emails}"
    )
    print(
        "  RSS MB idle before → after: "
        + ", ".join(f"{name} {idle[name]:.0f} → {after.get(name, 0):.0f}" for name in idle)
    )
    print(
        "  CPU ms per accepted incident (the load and its drain): "
        + ", ".join(f"{name} {spent:.1f}" for name, spent in cpu_ms.items())
    )
    ratio = percentiles(outcome.histogram)[1] / max(percentiles(raw)[1], 0.001)
    print(goal("e2e p99 / raw Kafka p99", ratio, GOAL_P99_RATIO, at_most=True))
    print(goal("lost + duplicated", outcome.lost + outcome.duplicated, 0, at_most=True))
    print(goal("idle RSS MB, the largest service", max(after.values()), 150, at_most=True))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200, help="incidents (and raw messages) per second")
    parser.add_argument("--seconds", type=float, default=60, help="how long each side is offered load")
    parser.add_argument("--drain", type=float, default=60, help="how long to wait for the last webhooks")
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--notifications", type=int, default=1, help="notifications instances")
    parser.add_argument("--scale-out", default="", help="e.g. 1,2,4: a run per count (PostgreSQL)")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy each service into this folder")
    parser.add_argument("--logs", type=Path, default=None, help="keep the services' logs in this folder")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="edu-bench-e2e-") as directory,
        bench_broker(Path(directory)) as bootstrap,
        bench_databases(args.database, Path(directory)) as new_url,
    ):
        logs = args.logs or Path(directory)
        logs.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args, bootstrap, new_url, logs))


if __name__ == "__main__":
    main()
