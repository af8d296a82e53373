"""The activities service's test set-up: a stand-in registry feeding its replica over Kafka, the schools
and staff several tests start from, and a contest planned and opened."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlmodel import select

from services.activities.app import create_app
from services.activities.replica.models import SchoolReplica, StaffReplica
from services.activities.settings import ActivitiesSettings
from shared.events import Envelope, EventPayload, SchoolStateV1, StaffStateV1
from tests.support.apps import running, runtime_of
from tests.support.waiting import wait_for

NOW = datetime.now(UTC)


@asynccontextmanager
async def running_activities(
    common: dict[str, Any], database_url: str
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The activities app on the test's broker and this database, running, with its client."""
    app = create_app(ActivitiesSettings(**common, database_url=database_url))
    async with running(app) as client:
        yield app, client


class Registry:
    """Plays the registry: publishes school and staff states as the registry's outbox relay would."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
        self.prefix = prefix

    async def publish(self, event: EventPayload) -> None:
        envelope = Envelope(
            id=str(uuid.uuid4()),
            type=event.event_type,
            source="/edu-clusters/registry",
            time=NOW,
            subject=event.subject(),
        )
        await self.producer.send_and_wait(
            self.prefix + event.topic.name,
            event.model_dump_json().encode(),
            key=event.message_key().encode(),
            headers=envelope.kafka_headers(),
        )


def school(code: str, cluster_no: int | None, level: str = "primary", version: int = 1) -> SchoolStateV1:
    return SchoolStateV1(
        code=code,
        name=f"Trường {code}",
        level=level,
        commune_code="17000",
        cluster_no=cluster_no,
        version=version,
        updated_at=NOW,
    )


def teacher(
    code: str, school_code: str, *roles: str, subject: str = "Toán", version: int = 1
) -> StaffStateV1:
    return StaffStateV1(
        code=code,
        full_name=f"Giáo viên {code}",
        roles=list(roles or ("teacher",)),
        school_code=school_code,
        teaching_subject=subject,
        version=version,
        updated_at=NOW,
    )


async def replica_counts(app: FastAPI) -> tuple[int, int]:
    """How many schools and staff the app's replica holds."""
    async with runtime_of(app).sessions() as session:
        schools = len((await session.exec(select(SchoolReplica))).all())
        staff = len((await session.exec(select(StaffReplica))).all())
    return schools, staff


async def feed_registry(app: FastAPI, registry: Registry) -> None:
    """Schools S1-S3 and preschool M1 in cluster 3, S4 in cluster 4, and five teachers, in the replica."""
    for state in (
        school("S1", 3),
        school("S2", 3),
        school("S3", 3),
        school("S4", 4),
        school("M1", 3, level="preschool"),
    ):
        await registry.publish(state)
    for staff in (
        teacher("T1", "S1", "teacher", "core_teacher"),
        teacher("T2", "S2", "core_teacher"),
        teacher("T3", "S3", "core_teacher"),
        teacher("T4", "S1", "teacher"),
        teacher("T5", "S4", "core_teacher"),
    ):
        await registry.publish(staff)
    await wait_for(
        lambda: replica_counts(app), until=lambda c: c == (5, 5), message="replica of 5 schools, 5 staff"
    )


def contest(**changes: Any) -> dict[str, Any]:
    """A cluster-3 teachers' contest in ten days, its registration open now, with these changes."""
    starts = NOW + timedelta(days=10)
    body: dict[str, Any] = {
        "title": "Hội thi giáo viên dạy giỏi cụm 3",
        "kind": "teacher_contest",
        "division_code": "GDPT",
        "cluster_nos": [3],
        "levels": ["primary"],
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=2)).isoformat(),
        "venue_school_code": "S1",
        "capacity": 2,
        "registration_opens_at": (NOW - timedelta(hours=1)).isoformat(),
        "registration_closes_at": (NOW + timedelta(days=5)).isoformat(),
        "eligibility": {"participant_kind": "teacher", "staff_roles": ["core_teacher"], "subjects": ["Toán"]},
    }
    return {**body, **changes}


async def open_contest(client: httpx.AsyncClient, headers: dict[str, str], **changes: Any) -> str:
    """Plans ``contest(**changes)`` and opens its registration; the activity's id."""
    planned = await client.post("/activities", json=contest(**changes), headers=headers)
    assert planned.status_code == 201, planned.text
    activity_id: str = planned.json()["id"]
    opened = await client.post(
        f"/activities/{activity_id}/status", json={"status": "registration_open"}, headers=headers
    )
    assert opened.status_code == 200, opened.text
    return activity_id
