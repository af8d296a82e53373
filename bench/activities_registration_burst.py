"""A registration burst: many schools register pupils for one contest at once, through the whole service.

    .venv/bin/python -m bench.activities_registration_burst [--registrations 5000] [--schools 250]
        [--capacity 1000] [--concurrency 100] [--database-url postgresql+asyncpg://...]

The activities app runs in-process with its lifespan (database, Kafka broker, outbox relay, registry
replica consumer), and requests go through its ASGI stack with real bearer tokens. Each registration checks
eligibility against the replica, takes the contest's lock, places the pupil or puts them on the waiting
list and records the event in the outbox, in one transaction.

Baseline, measured in the same run at the same concurrency: as many authenticated reads of the same
contest (``GET /activities/{id}``): the floor of the HTTP, auth and database stack on this machine. The
ratio says what a registration's lock, checks and outbox row cost on top of it. Afterwards the bench checks
that nobody was over-booked (exactly ``capacity`` registered, the rest waiting in distinct positions, the
counter agreeing with the rows) and reports how long the relay took to put every event on Kafka.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select

from deploy.local.kafka import KafkaLauncher
from services.activities.activities.models import Activity
from services.activities.app import create_app
from services.activities.registrations.models import Registration
from services.activities.replica.models import SchoolReplica
from services.activities.settings import ActivitiesSettings
from shared.auth import Principal, Role
from shared.db.messaging_tables import OutboxMessage
from shared.settings import Environment
from shared.web import ServiceRuntime


@dataclass
class Figures:
    requests: int
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def burst(count: int, concurrency: int, send: Callable[[int], Awaitable[int]]) -> Figures:
    """Send ``count`` requests with at most ``concurrency`` in flight, all released at once."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def one(n: int) -> None:
        async with gate:
            began = time.perf_counter()
            status = await send(n)
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(count)))
    return Figures(count, time.perf_counter() - started, latencies, statuses)


def token(runtime: ServiceRuntime, role: Role, **scope: object) -> dict[str, str]:
    principal = Principal(subject=f"{role}@bench", role=role, **scope)
    return {"Authorization": f"Bearer {runtime.token_codec.mint(principal, timedelta(hours=1))}"}


async def seed_schools(runtime: ServiceRuntime, schools: int) -> None:
    """Fill the registry replica directly: the bench measures registration, not the replica consumer."""
    async with runtime.sessions() as session:
        session.add_all(
            SchoolReplica(
                code=f"B{n:05d}",
                name=f"Trường {n}",
                level="primary",
                commune_code="17000",
                cluster_no=3,
                version=1,
            )
            for n in range(schools)
        )
        await session.commit()


async def run(args: argparse.Namespace, bootstrap: str, work: Path) -> None:
    settings = ActivitiesSettings(
        environment=Environment.TEST,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=f"bench{uuid.uuid4().hex[:8]}.",
        database_url=args.database_url or f"sqlite+aiosqlite:///{work / 'activities.db'}",
    )
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: ServiceRuntime = app.state.runtime
        await seed_schools(runtime, args.schools)
        officer = token(runtime, Role.DEPARTMENT_OFFICER)
        principals = [
            token(runtime, Role.SCHOOL_PRINCIPAL, school_id=f"B{n:05d}") for n in range(args.schools)
        ]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
            now = datetime.now(UTC)
            contest = {
                "title": "Giao lưu Toán tuổi thơ cụm 3",
                "kind": "pupil_contest",
                "division_code": "GDPT",
                "cluster_nos": [3],
                "levels": ["primary"],
                "starts_at": (now + timedelta(days=10)).isoformat(),
                "ends_at": (now + timedelta(days=11)).isoformat(),
                "capacity": args.capacity,
                "registration_opens_at": (now - timedelta(hours=1)).isoformat(),
                "registration_closes_at": (now + timedelta(days=5)).isoformat(),
                "eligibility": {"participant_kind": "pupil"},
            }
            planned = await client.post("/activities", json=contest, headers=officer)
            activity_id = planned.json()["id"]
            await client.post(
                f"/activities/{activity_id}/status", json={"status": "registration_open"}, headers=officer
            )

            async def read(n: int) -> int:
                headers = principals[n % args.schools]
                return (await client.get(f"/activities/{activity_id}", headers=headers)).status_code

            async def register(n: int) -> int:
                school = n % args.schools
                body = {
                    "school_code": f"B{school:05d}",
                    "participant_kind": "pupil",
                    "full_name": f"Học sinh {n}",
                    "birth_date": "2015-03-01",
                }
                url = f"/activities/{activity_id}/registrations"
                return (await client.post(url, json=body, headers=principals[school])).status_code

            await burst(min(200, args.registrations), args.concurrency, read)  # warm up
            baseline = await burst(args.registrations, args.concurrency, read)
            system = await burst(args.registrations, args.concurrency, register)
            drain_started = time.perf_counter()
            while await backlog(runtime) > 0:  # noqa: ASYNC110 - the backlog lives in the database
                await asyncio.sleep(0.05)
            drained = time.perf_counter() - drain_started
        overbooking = await check_no_overbooking(runtime, activity_id, args.capacity, args.registrations)

    database = "PostgreSQL" if "postgresql" in settings.resolved_database_url else "SQLite"
    print(
        f"{args.registrations} registrations for one contest (capacity {args.capacity}) from {args.schools} "
        f"schools, {args.concurrency} in flight, {database}, broker {bootstrap}"
    )
    print(f"{'':34}{'requests/s':>11}{'p50 ms':>9}{'p99 ms':>9}  statuses")
    for label, figures in (("GET the contest (baseline)", baseline), ("POST a registration", system)):
        print(
            f"{label:34}{figures.rate:11.0f}{figures.percentile(0.5):9.1f}{figures.percentile(0.99):9.1f}"
            f"  {dict(sorted(figures.statuses.items()))}"
        )
    print(
        f"{'ratio registration/baseline':34}{system.rate / baseline.rate:11.2f}"
        f"{system.percentile(0.5) / baseline.percentile(0.5):9.1f}"
        f"{system.percentile(0.99) / baseline.percentile(0.99):9.1f}"
    )
    print(f"outbox drained to Kafka {drained:.2f} s after the last response")
    print(overbooking)


async def backlog(runtime: ServiceRuntime) -> int:
    async with runtime.sessions() as session:
        query = (
            select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
        )
        return int((await session.exec(query)).one())


async def check_no_overbooking(
    runtime: ServiceRuntime, activity_id: str, capacity: int, expected: int
) -> str:
    async with runtime.sessions() as session:
        rows = (await session.exec(select(Registration).where(Registration.activity_id == activity_id))).all()
        activity = await session.get(Activity, activity_id)
    assert activity is not None
    registered = sum(r.status == "registered" for r in rows)
    waiting = sum(r.status == "waitlisted" for r in rows)
    queue = [r.queue_no for r in rows]
    problems = []
    if registered != min(capacity, expected):
        problems.append(f"{registered} registered for {capacity} places")
    if activity.seats_taken != registered:
        problems.append(f"counter says {activity.seats_taken}, rows say {registered}")
    if len(set(queue)) != len(queue) or len(rows) != expected or registered + waiting != expected:
        problems.append(f"{len(rows)} rows, {len(set(queue))} distinct queue numbers, expected {expected}")
    verdict = "NO over-booking" if not problems else "OVER-BOOKING: " + "; ".join(problems)
    return f"check: {registered} registered, {waiting} waiting, seats_taken={activity.seats_taken}: {verdict}"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--schools", type=int, default=250)
    parser.add_argument("--capacity", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edu-bench-activities-") as work:
        launcher = None
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            launcher = KafkaLauncher(Path(work) / "kafka")
            launcher.start()
            bootstrap = launcher.bootstrap_servers
        try:
            await run(args, bootstrap, Path(work))
        finally:
            if launcher is not None:
                launcher.stop()


if __name__ == "__main__":
    asyncio.run(main())
