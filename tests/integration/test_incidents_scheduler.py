"""The escalation scheduler keeps its deadlines in the database: it survives a restart, fires each step
exactly once with two instances on one database, and never fires for an incident acknowledged in time.
Runs on SQLite and PostgreSQL with the real broker; a fake clock replaces waiting."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from services.incidents.app import create_app
from services.incidents.escalations import service as escalations
from services.incidents.incidents.models import EscalationJob, JobState, TimelineEntry, TimelineKind
from services.incidents.jobs.escalations import EscalationScheduler
from services.incidents.settings import IncidentsSettings
from services.incidents.tables import INCIDENTS_METADATA
from shared.auth import Role
from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.messaging import MESSAGING_METADATA, OutboxMessage
from shared.settings import Environment
from tests.support.apps import bearer, running
from tests.support.incidents import incident_with_a_due_step
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

INCIDENTS = 8


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def test_two_schedulers_and_a_restart_fire_each_escalation_exactly_once(
    new_database_url: Callable[[str], str],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    settings = IncidentsSettings(
        environment=Environment.TEST,
        database_url=new_database_url("incidents"),
        data_dir=tmp_path,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_session_timeout_ms=6_000,
        kafka_heartbeat_interval_ms=500,
        outbox_sweep_interval_s=0.2,
        scheduler_enabled=False,
    )
    # A second instance: its own engine and scheduler on the same database (its events go through the
    # outbox, which the app's relay publishes).
    other_engine = create_engine(settings.resolved_database_url)
    other = EscalationScheduler(
        unit_of_work=functools.partial(
            UnitOfWork, session_factory(other_engine), source="/edu-clusters/incidents"
        ),
        clock=clock,
        instance_id="instance-b",
        batch_size=3,  # smaller than the due steps: a tick goes on batch after batch
    )
    officer = {"category": "missing_pupil", "commune_code": "16939", "title": "t", "description": "d"}

    app = create_app(settings, clock=clock)
    async with running(app) as client:
        headers = bearer(app, Role.DEPARTMENT_OFFICER)
        ids = []
        for n in range(INCIDENTS + 1):
            body = {**officer, "occurred_at": (clock.now - timedelta(minutes=n)).isoformat()}
            response = await client.post("/incidents", json=body, headers=headers)
            assert response.status_code == 201, response.text
            assert response.json()["severity"] == "critical"
            ids.append(response.json()["id"])
        in_time, late = ids[0], ids[1:]

        clock.advance(minutes=10)
        assert (await client.post(f"/incidents/{in_time}/acknowledge", headers=headers)).status_code == 200
        clock.advance(minutes=6)  # 16 minutes: every other acknowledgement deadline has passed
        first, second = await asyncio.gather(app.state.scheduler.tick(), other.tick())
        fired = [(event.incident_id, event.step) for event in [*first, *second]]
        assert sorted(fired) == sorted((incident_id, 1) for incident_id in late)

    # A restart on the same database at the same moment fires nothing again.
    app = create_app(settings, clock=clock)
    async with running(app) as client:
        assert await app.state.scheduler.tick() == []
        clock.advance(minutes=15)  # step 2 (Department office) is due for the unacknowledged ones
        first, second = await asyncio.gather(app.state.scheduler.tick(), other.tick())
        fired = [(event.incident_id, event.step, event.level) for event in [*first, *second]]
        assert sorted(fired) == sorted((incident_id, 2, "department_office") for incident_id in late)
        clock.advance(hours=3)
        third_round = await app.state.scheduler.tick()
        assert {event.step for event in third_round} == {3, 4}
        assert in_time not in {event.incident_id for event in third_round}

        # Each incident: reported and routed; the late ones four escalations, the other one its ack pair.
        expected = 2 * (INCIDENTS + 1) + 4 * INCIDENTS + 2
        records = await read_topic(
            kafka_bootstrap_servers, topic_prefix + "incidents.events", expected=expected, timeout_s=20
        )
    await other_engine.dispose()

    escalated = [
        json.loads(r.value) for r in records if headers_of(r)["ce_type"].endswith("incident.escalated.v1")
    ]
    pairs = [(body["incident_id"], body["step"]) for body in escalated]
    assert len(records) == expected
    assert len(pairs) == len(set(pairs)) == 4 * INCIDENTS  # four steps each, none twice
    assert in_time not in {body["incident_id"] for body in escalated}

    engine = create_engine(settings.resolved_database_url)
    async with session_factory(engine)() as session:
        fired_jobs = (
            await session.exec(select(func.count()).where(col(EscalationJob.state) == JobState.FIRED))
        ).one()
        entries = (
            await session.exec(select(func.count()).where(col(TimelineEntry.kind) == TimelineKind.ESCALATED))
        ).one()
    await engine.dispose()
    assert fired_jobs == entries == 4 * INCIDENTS


async def test_racing_claims_on_one_step_fire_it_once(new_database_url: Callable[[str], str]) -> None:
    """The claim itself: six attempts from two engines at the same row, exactly one escalation."""
    url = new_database_url("claims")
    engines = [create_engine(url), create_engine(url)]
    await create_schema(engines[0], MESSAGING_METADATA, INCIDENTS_METADATA)
    now = datetime.now(UTC)
    job_id = await incident_with_a_due_step(
        engines[0], reported_at=now, acknowledge_due_at=now, resolve_due_at=now
    )

    async def attempt(n: int) -> object:
        uow = UnitOfWork(session_factory(engines[n % 2]), source="/edu-clusters/incidents")
        async with uow:
            return await escalations.fire_step(uow=uow, job_id=job_id, now=now, instance=f"i{n}")

    results = await asyncio.gather(*(attempt(n) for n in range(6)))
    async with session_factory(engines[0])() as session:
        outbox = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
    for engine in engines:
        await engine.dispose()
    assert sum(result is not None for result in results) == 1
    assert outbox == 1


async def test_the_app_runs_its_scheduler_in_the_background(
    sqlite_url: Callable[[str], str], kafka_bootstrap_servers: str, topic_prefix: str, tmp_path: Path
) -> None:
    clock = FakeClock()
    settings = IncidentsSettings(
        environment=Environment.TEST,
        database_url=sqlite_url("incidents"),
        data_dir=tmp_path,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        scheduler_interval_s=0.1,
    )
    app = create_app(settings, clock=clock)
    async with running(app) as client:
        headers = bearer(app, Role.DEPARTMENT_OFFICER)
        body = {
            "category": "missing_pupil",
            "commune_code": "16939",
            "title": "t",
            "description": "d",
            "occurred_at": clock.now.isoformat(),
        }
        incident = (await client.post("/incidents", json=body, headers=headers)).json()
        clock.advance(minutes=16)

        async def fired_steps() -> list[int]:
            steps = (await client.get(f"/incidents/{incident['id']}/escalations", headers=headers)).json()
            return [step["step"] for step in steps if step["state"] == "fired"]

        assert await wait_for(fired_steps, within=10, message="the background tick") == [1]
        timeline = (await client.get(f"/incidents/{incident['id']}/timeline", headers=headers)).json()
        assert timeline[-1]["kind"] == "escalated"
        assert "notify department_officer (department_office)" in timeline[-1]["detail"]
