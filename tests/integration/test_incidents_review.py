"""Defects found in review of the incidents service, each pinned by a test: lock order between the
scheduler and an acknowledgement on PostgreSQL, and bad input that once answered 500."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.incidents.app import create_app
from services.incidents.escalations import service as escalations
from services.incidents.incidents import service as incidents
from services.incidents.incidents.domain import Action
from services.incidents.incidents.models import EscalationJob, Incident, JobState
from services.incidents.settings import IncidentsSettings
from services.incidents.tables import INCIDENTS_METADATA
from shared.auth import Principal, Role
from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.events.incidents import IncidentStatus
from shared.messaging import MESSAGING_METADATA
from shared.settings import Environment
from tests.support.apps import bearer, running
from tests.support.incidents import incident_with_a_due_step
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.asyncio(loop_scope="session")]

SOURCE = "/edu-clusters/incidents"


async def test_an_acknowledgement_racing_the_scheduler_on_one_incident_never_deadlocks(
    postgres_server: Any,
) -> None:
    """The scheduler once locked the step and then the incident, an acknowledgement the incident and then
    its steps: caught between the two, PostgreSQL killed one of them as a deadlock (a 500 to the user)."""
    # A name of its own: a shared server keeps the databases of earlier runs and of other checkouts.
    url = postgres_server.create_database(f"deadlock_{uuid.uuid4().hex[:8]}")
    engines = [create_engine(url) for _ in range(3)]
    await create_schema(engines[0], MESSAGING_METADATA, INCIDENTS_METADATA)
    now = datetime.now(UTC)
    job_id = await incident_with_a_due_step(
        engines[0],
        reported_at=now - timedelta(hours=2),
        acknowledge_due_at=now - timedelta(minutes=1),
        resolve_due_at=now + timedelta(days=1),
    )

    async def lock_waiters() -> int:
        async with engines[2].connect() as connection:
            query = "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
            return int((await connection.execute(text(query))).scalar_one())

    officer = Principal(subject="officer@tests", role=Role.DEPARTMENT_OFFICER)

    async def acknowledge() -> Incident:
        async with UnitOfWork(session_factory(engines[1]), source=SOURCE) as uow:
            return await incidents.transition(
                uow=uow, principal=officer, incident_id="i-1", action=Action.ACKNOWLEDGE, reason=None, now=now
            )

    acknowledging: asyncio.Task[Incident] | None = None
    scheduler = UnitOfWork(session_factory(engines[0]), source=SOURCE)
    async with scheduler:
        original = scheduler.session.exec

        async def exec_then_let_the_acknowledgement_in(*args: Any, **kwargs: Any) -> Any:
            # After the scheduler's first statement, the acknowledgement runs until it ends or waits.
            nonlocal acknowledging
            result = await original(*args, **kwargs)
            if acknowledging is None:
                acknowledging = asyncio.create_task(acknowledge())

                async def settled() -> bool:
                    return acknowledging is not None and (acknowledging.done() or await lock_waiters() > 0)

                await wait_for(settled, until=bool, message="the acknowledgement ran or waits on a lock")
            return result

        scheduler.session.exec = exec_then_let_the_acknowledgement_in  # type: ignore[method-assign]
        fired = await escalations.fire_step(uow=scheduler, job_id=job_id, now=now, instance="a")
    assert acknowledging is not None
    acknowledged = await acknowledging

    async with session_factory(engines[0])() as session:
        state = (await session.exec(select(EscalationJob.state).where(EscalationJob.id == job_id))).one()
    for engine in engines:
        await engine.dispose()
    assert acknowledged.status is IncidentStatus.ACKNOWLEDGED
    # The deadline had passed before the acknowledgement: firing is right, so is not firing; both agree.
    assert (fired is not None, state) in [(True, JobState.FIRED), (False, JobState.CANCELLED)]


REPORT = {"commune_code": "16681", "category": "other", "title": "t", "description": "d"}
OUT_OF_RANGE: list[tuple[str, str, dict[str, Any] | None, str]] = [
    # Dates whose conversion to UTC leaves the calendar, and numbers past the database's integers.
    ("GET", "/reports/daily-summary?day=9999-12-31", None, "day"),
    ("GET", "/reports/daily-summary?day=0001-01-01", None, "day"),
    ("GET", "/reports/statistics?group_by=week&since=0001-01-01T00:00:00%2B07:00", None, "since"),
    ("GET", "/reports/statistics?group_by=day&until=9999-12-31T23:59:59-05:00", None, "until"),
    ("POST", "/incidents", {**REPORT, "occurred_at": "0001-01-01T00:00:00+07:00"}, "occurred_at"),
    ("GET", "/incidents?offset=99999999999999999999", None, "offset"),
    ("DELETE", "/catalog/rules/99999999999999999999", None, "rule_id"),
    ("POST", "/catalog/rules", {"measure": "dead", "at_least": 10**20, "raises_to": "critical"}, "at_least"),
]


@pytest.mark.kafka
async def test_out_of_range_dates_and_numbers_are_a_422_naming_the_field(
    new_database_url: Callable[[str], str], kafka_bootstrap_servers: str, topic_prefix: str, tmp_path: Path
) -> None:
    settings = IncidentsSettings(
        environment=Environment.TEST,
        database_url=new_database_url("incidents"),
        data_dir=tmp_path,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        scheduler_enabled=False,
    )
    app = create_app(settings)
    answers = []
    async with running(app) as client:
        headers = bearer(app, Role.DEPARTMENT_ADMIN)
        for method, url, body, field in OUT_OF_RANGE:
            response = await client.request(method, url, json=body, headers=headers)
            named = response.json().get("field") or str(response.json().get("detail"))
            answers.append((url, response.status_code, field in named))
    assert answers == [(url, 422, True) for _, url, _, _ in OUT_OF_RANGE]
