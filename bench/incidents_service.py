"""The incidents service under load: sustained reports/s with request latency, and the scheduler's cost
per tick with many open incidents, each next to a baseline measured in the same run.

    .venv/bin/python -m bench.incidents_service [--reports 1000] [--clients 10] [--open 100000]

- Reports: ``POST /incidents`` in-process (ASGI, no network) on SQLite, with the relay publishing to Kafka.
  Baseline: ``GET /catalog/severities`` on the same app and clients, an authenticated request with one
  database read; the ratio is what routing, classification, planning escalations and the outbox cost.
- Scheduler: one tick over a database holding ``--open`` open incidents (six pending steps each), first
  with nothing due (the steady state), then with 100 steps due. Baseline: a tick on an empty database.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker (only the reports part needs it).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from deploy.local.kafka import KafkaLauncher
from services.incidents.app import create_app
from services.incidents.catalog import service as catalog
from services.incidents.incidents.models import EscalationJob, Incident
from services.incidents.jobs.escalations import EscalationScheduler
from services.incidents.metrics import IncidentMetrics
from services.incidents.reports.domain import percentile
from services.incidents.settings import IncidentsSettings
from services.incidents.tables import INCIDENTS_METADATA
from shared.auth import Principal, Role
from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.messaging import MESSAGING_METADATA
from shared.settings import Environment


@dataclass
class Figures:
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q) or 0.0


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client


async def load(
    total: int, clients: int, request: Callable[[int], Awaitable[httpx.Response]], expected: int
) -> Figures:
    latencies: list[float] = []
    counter = iter(range(total))

    async def client() -> None:
        for n in counter:
            started = time.perf_counter()
            response = await request(n)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != expected:
                raise RuntimeError(f"{response.status_code}: {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return Figures(total, time.perf_counter() - started, latencies)


async def reports_bench(bootstrap: str, work: Path, total: int, clients: int) -> tuple[Figures, Figures]:
    settings = IncidentsSettings(
        environment=Environment.TEST,
        data_dir=work,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=f"bench{uuid.uuid4().hex[:8]}.",
        scheduler_enabled=False,
    )
    app = create_app(settings)
    runtime = app.state.runtime
    principal = Principal(subject="bench@officer", role=Role.DEPARTMENT_OFFICER)
    headers = {"Authorization": f"Bearer {runtime.token_codec.mint(principal, timedelta(hours=1))}"}
    body = {
        "category": "dangerous_building",
        "commune_code": "16939",
        "title": "Tường rào nứt",
        "description": "Tường rào phía tây nứt sau mưa",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    async with serving(app) as http:

        def read(_n: int) -> Awaitable[httpx.Response]:
            return http.get("/catalog/severities", headers=headers)

        def report(n: int) -> Awaitable[httpx.Response]:
            return http.post("/incidents", json=body, headers={**headers, "Idempotency-Key": f"k{n}"})

        await load(50, clients, read, 200)  # warm up
        baseline = await load(total, clients, read, 200)
        reports = await load(total, clients, report, 201)
    return baseline, reports


async def fill(url: str, open_incidents: int, *, due: int, now: datetime) -> None:
    """Insert open incidents with six pending steps each; ``due`` of the steps are due by ``now``."""
    engine = create_engine(url)
    await create_schema(engine, MESSAGING_METADATA, INCIDENTS_METADATA)
    async with UnitOfWork(session_factory(engine), source="bench") as uow:
        await catalog.seed_catalog(uow=uow)
    batch = 5_000
    async with engine.begin() as connection:
        for start in range(0, open_incidents, batch):
            incidents: list[dict[str, Any]] = []
            jobs: list[dict[str, Any]] = []
            for n in range(start, min(start + batch, open_incidents)):
                incident_id = f"{n:08d}-bench"
                reported = now - timedelta(minutes=n % 600)
                incidents.append(
                    {
                        "id": incident_id,
                        "reference": f"B-{n}",
                        "commune_code": "16939",
                        "cluster_no": 1 + n % 5,
                        "route": "cluster",
                        "category": "other",
                        "severity": "low",
                        "restricted": False,
                        "status": "reported",
                        "title": "t",
                        "description": "d",
                        "injured": 0,
                        "dead": 0,
                        "missing": 0,
                        "out_of_school": 0,
                        "occurred_at": reported,
                        "reported_at": reported,
                        "reporter_subject": "bench",
                        "reporter_role": "department_officer",
                        "acknowledge_due_at": reported + timedelta(hours=8),
                        "resolve_due_at": reported + timedelta(days=14),
                        "escalation_rank": 0,
                    }
                )
                for step in range(1, 7):
                    is_due = n < due and step == 1
                    jobs.append(
                        {
                            "incident_id": incident_id,
                            "deadline": "acknowledgement" if step <= 3 else "resolution",
                            "deadline_at": reported + timedelta(hours=8),
                            "step": step,
                            "level": "cluster_leader",
                            "notify_role": "cluster_leader",
                            "due_at": now - timedelta(seconds=1) if is_due else now + timedelta(hours=step),
                            "state": "pending",
                        }
                    )
            await connection.execute(Incident.__table__.insert(), incidents)  # type: ignore[attr-defined]
            await connection.execute(EscalationJob.__table__.insert(), jobs)  # type: ignore[attr-defined]
    await engine.dispose()


async def tick_ms(url: str, now: datetime, repeats: int) -> tuple[float, int]:
    """The median wall time of ``repeats`` ticks, and how many escalations the first one fired."""
    engine = create_engine(url)
    scheduler = EscalationScheduler(
        unit_of_work=functools.partial(UnitOfWork, session_factory(engine), source="bench"),
        clock=lambda: now,
        instance_id="bench",
        metrics=IncidentMetrics(CollectorRegistry()),
    )
    timings, fired = [], -1
    for _ in range(repeats):
        started = time.perf_counter()
        events = await scheduler.tick()
        timings.append((time.perf_counter() - started) * 1000)
        fired = len(events) if fired < 0 else fired
    await engine.dispose()
    return percentile(timings, 50) or 0.0, fired


async def scheduler_bench(work: Path, open_incidents: int) -> dict[str, tuple[float, int]]:
    now = datetime.now(UTC)
    empty, loaded = f"sqlite+aiosqlite:///{work / 'empty.db'}", f"sqlite+aiosqlite:///{work / 'loaded.db'}"
    await fill(empty, 0, due=0, now=now)
    await fill(loaded, open_incidents, due=100, now=now)
    return {
        "empty database (baseline)": await tick_ms(empty, now, 5),
        f"{open_incidents} open, 100 due": await tick_ms(loaded, now, 1),
        f"{open_incidents} open, none due": await tick_ms(loaded, now, 5),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=10, help="concurrent HTTP clients")
    parser.add_argument("--open", type=int, default=100_000, help="open incidents for the scheduler part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edu-bench-incidents-") as directory:
        work = Path(directory)
        launcher = None
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            launcher = KafkaLauncher(work / "kafka")
            launcher.start()
            bootstrap = launcher.bootstrap_servers
        try:
            baseline, reports = await reports_bench(bootstrap, work, args.reports, args.clients)
        finally:
            if launcher is not None:
                launcher.stop()
        ticks = await scheduler_bench(work, args.open)

    print(f"{args.reports} requests each, {args.clients} concurrent clients, SQLite, in-process ASGI")
    print(f"{'':34}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for label, figures in (("GET /catalog/severities (baseline)", baseline), ("POST /incidents", reports)):
        print(f"{label:34}{figures.rate:10.0f}{figures.p(50):10.1f}{figures.p(99):10.1f}")
    print(
        f"{'ratio reports/baseline':34}{reports.rate / baseline.rate:10.2f}"
        f"{reports.p(50) / baseline.p(50):10.1f}{reports.p(99) / baseline.p(99):10.1f}"
    )
    base_ms = ticks["empty database (baseline)"][0]
    print("\nscheduler tick (median ms, SQLite; includes the open/overdue gauge refresh)")
    for label, (ms, fired) in ticks.items():
        print(f"{label:34}{ms:10.1f} ms  x{ms / base_ms:7.1f}  fired {fired}")


if __name__ == "__main__":
    asyncio.run(main())
