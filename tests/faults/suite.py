"""The fault suite: the services as processes on a broker of their own, incidents reported at a steady
rate while services, the broker and the database are killed and restarted, then a reconciliation.

    .venv/bin/python -m tests.faults.suite --incidents 10000 [--rate 40] [--postgres]

The client retries every report with the same Idempotency-Key until it is answered, as a school would.
Faults, in turn, while it reports: SIGKILL and restart of registry, incidents and notifications, of the
broker, a restart of the PostgreSQL server (``--postgres``), a dropped answer after incidents committed (a
TCP proxy in front of incidents forwards the request and closes the client's connection instead of passing
the answer on: the replay path), and a kill of notifications while the webhook receiver holds one of its
sends open (a claimed delivery mid-send). Then it waits for the drain and prints the reconciliation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from deploy.local.kafka import REPO_ROOT, KafkaLauncher, free_port

SERVICES = ("registry", "incidents", "notifications")
COMMUNES = ("16939",)  # a commune of a seeded cluster
DELIVERED = "delivered"
# A restarted broker on a loaded 2-core machine took more than the launcher's default 90s to serve clients.
BROKER_START_S = 300.0


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


async def wait_for(
    what: str, condition: Callable[[], Awaitable[bool]], within: float, interval: float = 0.25
) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {within:.0f}s")
        await asyncio.sleep(interval)


@dataclass
class Service:
    name: str
    port: int
    environment: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "uvicorn", "--factory", f"services.{self.name}.app:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    async def ready(self, within: float = 300.0) -> None:
        async def answers() -> bool:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            try:
                async with httpx.AsyncClient(timeout=5) as http:
                    return (await http.get(f"{self.url}/health/ready")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_for(f"{self.name} ready", answers, within)


class DroppingProxy:
    """A TCP proxy in front of incidents. ``drop(n)``: the next n answers are swallowed and the client's
    connection closed after the request was forwarded (and so, for a report, committed)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self._to_drop = 0
        self.dropped = 0
        self._server: asyncio.Server | None = None

    def drop(self, answers: int) -> None:
        self._to_drop += answers

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_writer.close()
            return

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answers: bool) -> None:
            try:
                while chunk := await reader.read(65536):
                    if answers and self._to_drop > 0:
                        self._to_drop -= 1
                        self.dropped += 1
                        client_writer.transport.abort()
                        upstream_writer.transport.abort()
                        return
                    writer.write(chunk)
                    await writer.drain()
            except (OSError, ConnectionError):
                pass
            finally:
                writer.close()

        await asyncio.gather(
            pump(client_reader, upstream_writer, False),
            pump(upstream_reader, client_writer, True),
            return_exceptions=True,
        )


CLIENT_CONNECTIONS = 50
"""Reports in flight at once (each with its retries), and the client's connections."""


@dataclass
class Report:
    key: str
    incident_id: str | None = None
    attempts: int = 0
    replayed: bool = False
    answered_at: str = ""
    """When the accepting answer came (UTC), to place a loss beside the faults' times."""


@dataclass
class Run:
    incidents: int
    rate: float
    postgres: bool
    work: Path
    reports: list[Report] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def dev_token(role: str, subject: str) -> str:
    from shared.auth import Role
    from shared.auth.mint import mint_dev_token
    from shared.settings import ServiceSettings

    return mint_dev_token(ServiceSettings(service_name="faults"), role=Role(role), subject=subject)


class Suite:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.work = run.work
        self.kafka = KafkaLauncher(self.work / "kafka")
        self.postgres: Any = None
        self.services: dict[str, Service] = {}
        self.peers: list[subprocess.Popen[bytes]] = []
        self.hold_file = self.work / "hold"
        self.sink_log = self.work / "sink.jsonl"
        self.receiver_log = self.work / "receiver.jsonl"
        self.proxy: DroppingProxy | None = None
        self.steps = self.plan()
        self.done = [asyncio.Event() for _ in self.steps]
        self.admin = {"Authorization": f"Bearer {dev_token('department_admin', 'admin@faults')}"}
        self.reporter = {"Authorization": f"Bearer {dev_token('department_officer', 'officer@faults')}"}

    # ----- bring-up ----------------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.kafka.start, BROKER_START_S)
        smtp_port, hook_port = free_port(), free_port()
        for kind, port, log in (
            ("smtp", smtp_port, self.sink_log),
            ("webhooks", hook_port, self.receiver_log),
        ):
            command = [sys.executable, "-m", "tests.faults.peers", kind, "--port", str(port),
                       "--log", str(log), "--hold-file", str(self.hold_file)]  # fmt: skip
            with (self.work / f"{kind}.log").open("ab") as out:
                self.peers.append(
                    subprocess.Popen(command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: ASYNC220
                )
        self.hook_url = f"http://127.0.0.1:{hook_port}/hook"
        database_urls: dict[str, str] = {}
        if self.run.postgres:
            from deploy.local.postgres import PostgresLauncher

            self.postgres = PostgresLauncher(self.work / "pg", durable=True)  # it is crashed on purpose
            await asyncio.to_thread(self.postgres.start)
            for name in SERVICES:
                database_urls[name] = await asyncio.to_thread(self.postgres.create_database, name)
        base = dict(os.environ)
        base.update(
            KAFKA_BOOTSTRAP_SERVERS=self.kafka.bootstrap_servers,
            DATA_DIR=str(self.work),
            ENVIRONMENT="development",
            MAIL_CATCHER="false",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(smtp_port),
            # A claimed delivery whose sender died is taken up again after this long.
            DELIVERY_LEASE_S="5",
            DELIVERY_RETRY_BASE_S="0.5",
            DELIVERY_RETRY_MAX_S="5",
            DELIVERY_MAX_ATTEMPTS="30",
        )
        base.pop("DATABASE_URL", None)
        base.pop("KAFKA_TOPIC_PREFIX", None)
        for name in SERVICES:
            environment = dict(base)
            if name in database_urls:
                environment["DATABASE_URL"] = database_urls[name]
            self.services[name] = Service(name, free_port(), environment, self.work / f"{name}.log")
        for service in self.services.values():
            service.start()
        await asyncio.gather(*(service.ready() for service in self.services.values()))
        self.proxy = DroppingProxy(self.services["incidents"].port)
        await self.proxy.start()
        await self._subscribe_webhook()
        await self._wait_for_routes()

    async def _subscribe_webhook(self) -> None:
        async def subscribed() -> bool:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(
                    f"{self.services['notifications'].url}/webhooks/subscriptions",
                    json={"url": self.hook_url, "event_types": ["incidents.incident.reported.v1"]},
                    headers=self.admin,
                )
                if response.status_code not in (201, 502, 503, 422):
                    raise RuntimeError(f"subscribing: {response.status_code} {response.text}")
                return response.status_code == 201

        await wait_for("the webhook subscription", subscribed, 30)

    async def _wait_for_routes(self) -> None:
        """Incidents routes a report from its registry replica, and notifications needs its desk rules:
        one report per commune goes through before the run (not counted)."""

        async def routed() -> bool:
            async with httpx.AsyncClient(timeout=10) as http:
                for commune in COMMUNES:
                    response = await http.post(
                        f"{self.services['incidents'].url}/incidents",
                        json=self._body(f"warm-{commune}", commune),
                        headers={**self.reporter, "Idempotency-Key": f"warm-{commune}"},
                    )
                    if response.status_code not in (200, 201):
                        return False
            return True

        await wait_for("incidents routing from its replica", routed, 90, interval=1)

    async def stop(self) -> None:
        if self.proxy is not None:
            await self.proxy.close()
        for service in self.services.values():
            await asyncio.to_thread(service.stop)
        for peer in self.peers:
            peer.terminate()
            peer.wait(timeout=10)
        await asyncio.to_thread(self.kafka.stop)
        if self.postgres is not None:
            await asyncio.to_thread(self.postgres.stop)

    # ----- the client --------------------------------------------------------------------------

    @staticmethod
    def _body(key: str, commune: str) -> dict[str, Any]:
        return {
            "category": "dangerous_building",
            "commune_code": commune,
            "severity": "critical",  # the Department's duty desk and leadership are emailed
            "title": f"fault-suite {key}",
            "description": "Tường rào nứt sau mưa",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        }

    async def report(self, http: httpx.AsyncClient, report: Report, commune: str) -> None:
        assert self.proxy is not None
        body = self._body(report.key, commune)
        while True:
            report.attempts += 1
            try:
                response = await http.post(
                    f"http://127.0.0.1:{self.proxy.port}/incidents",
                    json=body,
                    headers={**self.reporter, "Idempotency-Key": report.key},
                )
            except httpx.HTTPError as error:
                self.run.errors[type(error).__name__] += 1
            else:
                if response.status_code in (200, 201):
                    report.incident_id = response.json()["id"]
                    report.replayed = response.status_code == 200
                    report.answered_at = datetime.now(UTC).strftime("%H:%M:%S.%f")[:-3]
                    return
                self.run.errors[f"HTTP {response.status_code}"] += 1
                if response.status_code < 500 and response.status_code not in (408, 409, 425, 429):
                    raise RuntimeError(f"report {report.key}: {response.status_code} {response.text}")
            await asyncio.sleep(min(0.2 * report.attempts, 2.0))

    async def client(self) -> None:
        limits = httpx.Limits(max_connections=CLIENT_CONNECTIONS, max_keepalive_connections=20)
        # The schools' reports in flight wait here, not in httpx's pool: with thousands queued while a
        # service restarts, the pool's hand-out of connections (linear in its queue, per request) takes
        # the client's whole CPU and the run stalls. A report's retries keep its place.
        in_flight = asyncio.Semaphore(CLIENT_CONNECTIONS)

        async def send(http: httpx.AsyncClient, report: Report, commune: str) -> None:
            async with in_flight:
                await self.report(http, report, commune)

        async with httpx.AsyncClient(timeout=httpx.Timeout(15.0), limits=limits) as http:
            tasks = []
            started = time.monotonic()
            for n in range(self.run.incidents):
                await self._not_past_an_unfinished_fault(n)
                report = Report(key=f"k{n:06d}")
                self.run.reports.append(report)
                tasks.append(asyncio.create_task(send(http, report, COMMUNES[n % len(COMMUNES)])))
                await asyncio.sleep(max(0.0, started + (n + 1) / self.run.rate - time.monotonic()))
                started = max(started, time.monotonic() - (n + 1) / self.run.rate)
            await asyncio.gather(*tasks)

    async def _not_past_an_unfinished_fault(self, n: int) -> None:
        """Faults take seconds; the client does not run past the point of fault k+1 before fault k is over,
        so that every fault has reports in flight around it (the pacing restarts after the wait)."""
        for index, (fraction, _step) in enumerate(self.steps):
            if index > 0 and n >= int(self.run.incidents * fraction):
                await self.done[index - 1].wait()

    def answered(self) -> int:
        return sum(1 for report in self.run.reports if report.incident_id is not None)

    # ----- the faults --------------------------------------------------------------------------

    async def _at(self, fraction: float) -> None:
        target = int(self.run.incidents * fraction)
        await wait_for(f"{target} reports sent", self._sent_at_least(target), 3600, interval=0.1)

    def _sent_at_least(self, target: int) -> Callable[[], Awaitable[bool]]:
        async def sent() -> bool:
            return len(self.run.reports) >= target

        return sent

    async def restart_service(self, name: str) -> None:
        service = self.services[name]
        service.kill()
        self.run.faults.append(f"SIGKILL {name}")
        service.start()
        await service.ready()

    async def restart_broker(self) -> None:
        await asyncio.to_thread(self.kafka.kill)
        self.run.faults.append("SIGKILL broker")
        await asyncio.to_thread(self.kafka.start, BROKER_START_S)

    async def restart_database(self) -> None:
        await asyncio.to_thread(self.postgres.restart)
        self.run.faults.append("restart PostgreSQL (immediate)")

    async def drop_answers(self, answers: int) -> None:
        """Replay path: incidents commits the report, the answer never reaches the client."""
        assert self.proxy is not None
        before = self.proxy.dropped
        self.proxy.drop(answers)

        async def dropped() -> bool:
            return self.proxy is not None and self.proxy.dropped >= before + answers

        await wait_for("answers dropped after commit", dropped, 60, interval=0.05)
        self.run.faults.append(f"{answers} answers dropped after incidents committed")

    async def kill_mid_send(self) -> None:
        """A claimed delivery mid-send: the receiver holds a webhook open while notifications is killed."""
        held = self.hold_file.with_suffix(".held")
        held.unlink(missing_ok=True)
        self.hold_file.write_text("hold")

        async def holding() -> bool:
            return held.exists()

        await wait_for("a webhook held open", holding, 60, interval=0.05)
        self.services["notifications"].kill()
        self.hold_file.unlink()
        self.run.faults.append(f"SIGKILL notifications mid-send (webhook {held.read_text()} held open)")
        self.services["notifications"].start()
        await self.services["notifications"].ready()

    def plan(self) -> list[tuple[float, Callable[[], Awaitable[None]]]]:
        steps: list[tuple[float, Callable[[], Awaitable[None]]]] = [
            (0.10, lambda: self.restart_service("incidents")),
            (0.20, lambda: self.drop_answers(3)),
            (0.30, lambda: self.restart_service("notifications")),
            (0.40, self.kill_mid_send),
            (0.50, self.restart_broker),
            (0.60, lambda: self.restart_service("registry")),
        ]
        if self.run.postgres:
            steps.append((0.70, self.restart_database))
        steps.append((0.80, lambda: self.drop_answers(2)))
        return steps

    async def chaos(self) -> None:
        for (fraction, step), done in zip(self.steps, self.done, strict=True):
            await self._at(fraction)
            await step()
            say(f"fault done: {self.run.faults[-1]} ({self.answered()} answered)")
            done.set()

    # ----- the drain and reconciliation --------------------------------------------------------

    async def drain(self, within: float) -> dict[str, int]:
        figures: dict[str, int] = {}

        async def drained() -> bool:
            figures.update(await self.backlog())
            return all(value == 0 for value in figures.values())

        with contextlib.suppress(TimeoutError):
            await wait_for("the drain", drained, within, interval=1)
        return figures

    async def backlog(self) -> dict[str, int]:
        figures = {"outbox rows unpublished": 0}
        for name in SERVICES:
            figures["outbox rows unpublished"] += int(
                (await self.query(name, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))[0][0]
            )
        figures["deliveries not delivered"] = int(
            (
                await self.query(
                    "notifications",
                    "SELECT count(*) FROM deliveries WHERE lower(CAST(state AS TEXT)) != 'delivered'",
                )
            )[0][0]
        )
        figures["consumer lag"] = await self.consumer_lag()
        return figures

    async def query(self, service: str, statement: str) -> list[tuple[Any, ...]]:
        if self.postgres is not None:
            import asyncpg

            from deploy.local.postgres import asyncpg_dsn

            connection = await asyncpg.connect(asyncpg_dsn(self.postgres.url(service)))
            try:
                return [tuple(row) for row in await connection.fetch(statement)]
            finally:
                await connection.close()

        def read() -> list[tuple[Any, ...]]:
            with sqlite3.connect(self.work / f"{service}.db", timeout=30) as connection:
                return list(connection.execute(statement).fetchall())

        return await asyncio.to_thread(read)

    async def consumer_lag(self) -> int:
        from aiokafka import AIOKafkaConsumer
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka.bootstrap_servers)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka.bootstrap_servers)
        await admin.start()
        await consumer.start()
        try:
            lag = 0
            for group, *_ in await admin.list_consumer_groups():
                committed = await admin.list_consumer_group_offsets(group)
                if not committed:
                    continue
                ends = await consumer.end_offsets(list(committed))
                lag += sum(
                    max(0, ends[tp] - meta.offset) for tp, meta in committed.items() if meta.offset >= 0
                )
            return lag
        finally:
            await consumer.stop()
            await admin.close()

    async def reconcile(self, backlog: dict[str, int]) -> dict[str, int]:
        reports = [r for r in self.run.reports]
        accepted = {r.key: r.incident_id for r in reports if r.incident_id}
        rows = await self.query(
            "incidents", "SELECT id, title FROM incidents WHERE title LIKE 'fault-suite k%'"
        )
        stored_by_key: dict[str, list[str]] = defaultdict(list)
        for incident_id, title in rows:
            stored_by_key[title.removeprefix("fault-suite ")].append(incident_id)
        lost = sum(
            1 for key, incident_id in accepted.items() if incident_id not in stored_by_key.get(key, [])
        )
        doubled = sum(len(ids) - 1 for ids in stored_by_key.values() if len(ids) > 1)
        for report in reports:
            if report.incident_id and report.incident_id not in stored_by_key.get(report.key, []):
                say(f"lost: {report.key} ({report.incident_id}), accepted at {report.answered_at} UTC")
        incident_ids = set(accepted.values())

        deliveries = await self.query(
            "notifications",
            "SELECT d.id, lower(CAST(d.channel AS TEXT)), d.recipient_key, d.event_type, s.subject "
            "FROM deliveries d JOIN source_events s ON s.event_id = d.source_event_id",
        )
        expected: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for delivery_id, channel, recipient, event_type, subject in deliveries:
            incident_id = (subject or "").removeprefix("incident/")
            if incident_id in incident_ids and channel in ("email", "webhook"):
                expected[(incident_id, event_type, recipient, channel)].append(delivery_id)
        sink = Counter(json.loads(line)["message_id"] for line in self.sink_log.read_text().splitlines())
        hooks = [json.loads(line) for line in self.receiver_log.read_text().splitlines()]
        received = Counter(hook["webhook_id"] for hook in hooks)
        seen = sink + received
        once = missing = twice = 0
        for ids in expected.values():
            arrived = [delivery_id for delivery_id in ids if seen[delivery_id] > 0]
            if len(ids) > 1 or len(arrived) > 1:
                twice += 1
            elif not arrived:
                missing += 1
            else:
                once += 1
        reported_hooks = Counter(
            h["incident_id"] for h in hooks if h["type"].endswith("incidents.incident.reported.v1")
        )
        per_incident_webhooks = {incident_id: 0 for incident_id in incident_ids}
        for hook_id in {h["webhook_id"]: h for h in hooks}.values():
            if hook_id["incident_id"] in per_incident_webhooks and hook_id["type"].endswith(
                "incidents.incident.reported.v1"
            ):
                per_incident_webhooks[hook_id["incident_id"]] += 1
        emails_by_incident = Counter(key[0] for key in expected if key[3] == "email")
        return {
            "incidents sent": len(reports),
            "incidents accepted": len(accepted),
            "answers replayed (200 to a retried key)": sum(1 for r in reports if r.replayed),
            "incidents stored": sum(len(ids) for ids in stored_by_key.values()),
            "lost": lost,
            "doubled": doubled,
            "answers HTTP 500 (a defect: away is 503)": self.run.errors["HTTP 500"],
            "expected (incident, event, person, channel) deliveries": len(expected),
            "delivered exactly once": once,
            "never delivered": missing,
            "delivered more than once (distinct ids)": twice,
            "incidents without an email": sum(1 for i in incident_ids if emails_by_incident[i] == 0),
            "incidents without exactly one reported webhook": sum(
                1 for count in per_incident_webhooks.values() if count != 1
            ),
            "resends of the same id (deduplicated by Message-ID / webhook-id)": sum(
                count - 1 for count in seen.values() if count > 1
            ),
            "webhook deliveries received (raw)": sum(reported_hooks.values()),
            **backlog,
        }


def passed(figures: dict[str, int]) -> bool:
    zero = (
        "lost", "doubled", "answers HTTP 500 (a defect: away is 503)",
        "never delivered", "delivered more than once (distinct ids)",
        "incidents without an email", "incidents without exactly one reported webhook",
        "outbox rows unpublished", "deliveries not delivered", "consumer lag",
    )  # fmt: skip
    return figures["incidents accepted"] == figures["incidents sent"] and all(figures[k] == 0 for k in zero)


def render(run: Run, figures: dict[str, int], seconds: float) -> str:
    lines = [
        f"Fault suite: {run.incidents} incidents at {run.rate:g}/s on "
        f"{'PostgreSQL' if run.postgres else 'SQLite'}, {seconds:.0f}s",
        "Faults: " + "; ".join(run.faults),
        "Client errors retried: " + (", ".join(f"{k} x{v}" for k, v in run.errors.most_common()) or "none"),
    ]
    lines += [f"  {name:<66} {value:>7}" for name, value in figures.items()]
    lines.append("RESULT: " + ("PASS" if passed(figures) else "FAIL"))
    return "\n".join(lines)


async def execute(
    incidents: int, rate: float, postgres: bool, work: Path, drain_timeout: float = 180
) -> tuple[str, dict[str, int]]:
    run = Run(incidents=incidents, rate=rate, postgres=postgres, work=work)
    suite = Suite(run)
    started = time.monotonic()
    try:
        await suite.start()
        say("started; reporting")
        # A fault that fails (a restart not ready in time) ends the run rather than leaving the client
        # waiting for it.
        await asyncio.gather(suite.client(), suite.chaos())
        say("all reports answered; draining")
        backlog = await suite.drain(drain_timeout)
        say(f"drained: {backlog}")
        figures = await suite.reconcile(backlog)
    finally:
        await suite.stop()
    return render(run, figures, time.monotonic() - started), figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=int(os.environ.get("FAULTS_INCIDENTS", "10000")))
    parser.add_argument("--rate", type=float, default=40.0, help="reports per second")
    parser.add_argument("--postgres", action="store_true", help="the services on PostgreSQL, restarted once")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="faults-"))
    work.mkdir(parents=True, exist_ok=True)
    report, figures = asyncio.run(execute(args.incidents, args.rate, args.postgres, work))
    print(report, flush=True)
    print(f"(logs and databases under {work})")
    return 0 if passed(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
