"""The incidents service on the real broker, SQLite and PostgreSQL: a report made over HTTP is routed by
the registry replica, escalates on time when nobody acknowledges it, and every step is an event on Kafka.

A stand-in registry publishes cluster, commune and school states through its own outbox, so each test
controls exactly what the replica learns and when; one test runs the real registry instead. Time is a fake
clock the tests move, and the scheduler ticks when told.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from services.incidents.app import create_app
from services.incidents.replica.models import ReplicaCommune, ReplicaSchool, ReplicaStaff
from services.incidents.settings import IncidentsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.registry import ClusterMembershipV1
from shared.settings import Environment
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

COMMUNE_IN_3 = "16939"  # Phường Thái Hòa, cluster 3
SCHOOL = "29000101"
NEW_SCHOOL = "29000777"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def cluster_state(cluster_no: int) -> ClusterStateV1:
    """A cluster with a leader (``leader_state``): a cluster without one passes the leader's step on."""
    return ClusterStateV1(
        cluster_no=cluster_no,
        name=f"Cụm {cluster_no}",
        office_host_unit="x",
        leader_staff_code=f"L{cluster_no:03d}",
        version=1,
        updated_at=datetime.now(UTC),
    )


def leader_state(cluster_no: int) -> StaffStateV1:
    return StaffStateV1(
        code=f"L{cluster_no:03d}",
        full_name=f"Cụm trưởng {cluster_no}",
        roles=["department_official"],
        memberships=[ClusterMembershipV1(cluster_no=cluster_no, role="leader", valid_from=date(2025, 7, 1))],
        version=1,
        updated_at=datetime.now(UTC),
    )


async def known_leader(app: FastAPI, cluster_no: int) -> ReplicaStaff | None:
    async with runtime_of(app).sessions() as session:
        return await session.get(ReplicaStaff, f"L{cluster_no:03d}")


def commune_state(code: str, cluster_no: int | None, version: int = 1) -> CommuneStateV1:
    return CommuneStateV1(
        gso_code=code,
        name=f"Commune {code}",
        kind="ward",
        old_district_code="414",
        old_district_name="Thị xã Thái Hòa",
        cluster_no=cluster_no,
        version=version,
        updated_at=datetime.now(UTC),
    )


def school_state(code: str, commune: str, cluster_no: int | None) -> SchoolStateV1:
    return SchoolStateV1(
        code=code,
        name=f"Trường {code}",
        level="primary",
        commune_code=commune,
        cluster_no=cluster_no,
        version=1,
        updated_at=datetime.now(UTC),
    )


async def known_school(app: FastAPI, code: str) -> ReplicaSchool | None:
    async with runtime_of(app).sessions() as session:
        return await session.get(ReplicaSchool, code)


async def incident_events(
    bootstrap: str, prefix: str, expected: int
) -> list[tuple[str, dict[str, Any], Any]]:
    """(short type, body, record) of every event on the incidents topic."""
    records = await read_topic(bootstrap, prefix + "incidents.events", expected=expected, timeout_s=20)
    return [
        (
            headers_of(r)["ce_type"].removeprefix("vn.gov.nghean.edu.incidents.incident."),
            json.loads(r.value),
            r,
        )
        for r in records
    ]


def report_body(clock: FakeClock, **changes: Any) -> dict[str, Any]:
    return {
        "category": "food_poisoning",
        "title": "Nhiều học sinh đau bụng sau bữa trưa",
        "description": "Em Nguyễn Văn A và 59 em khác nôn sau bữa trưa bán trú",
        "place": "Nhà ăn bán trú",
        "occurred_at": (clock.now - timedelta(minutes=30)).isoformat(),
        "people": {"injured": 60},
        **changes,
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings_for(
    kafka_bootstrap_servers: str, topic_prefix: str, tmp_path: Path
) -> Callable[[str], IncidentsSettings]:
    def make(database_url: str) -> IncidentsSettings:
        return IncidentsSettings(
            environment=Environment.TEST,
            database_url=database_url,
            data_dir=tmp_path,
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            kafka_session_timeout_ms=6_000,
            kafka_heartbeat_interval_ms=500,
            outbox_sweep_interval_s=0.2,
            scheduler_enabled=False,  # the tests tick it after moving the clock
        )

    return make


async def test_a_report_is_routed_escalates_once_unless_acknowledged_and_every_step_is_an_event(
    registry_node: MessagingNode,
    settings_for: Callable[[str], IncidentsSettings],
    new_database_url: Callable[[str], str],
    clock: FakeClock,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    await registry_node.publish(
        cluster_state(3),
        leader_state(3),
        commune_state(COMMUNE_IN_3, 3),
        school_state(SCHOOL, COMMUNE_IN_3, 3),
    )
    app = create_app(settings_for(new_database_url("incidents")), clock=clock)
    async with running(app) as client:
        await wait_for(lambda: known_school(app, SCHOOL), within=30, message="the school in the replica")
        await wait_for(lambda: known_leader(app, 3), within=30, message="the leader in the replica")
        principal = bearer(app, Role.SCHOOL_PRINCIPAL, school_id=SCHOOL)

        # Idempotent reporting: a retry from a bad connection creates nothing new.
        first = await client.post(
            "/incidents", json=report_body(clock), headers={**principal, "Idempotency-Key": "k1"}
        )
        assert first.status_code == 201, first.text
        incident = first.json()
        assert (incident["cluster_no"], incident["commune_code"], incident["route"]) == (
            3,
            COMMUNE_IN_3,
            "cluster",
        )
        assert incident["severity"] == "critical"  # food poisoning with 60 cases
        retry = await client.post(
            "/incidents", json=report_body(clock), headers={**principal, "Idempotency-Key": "k1"}
        )
        assert (retry.status_code, retry.json()["id"]) == (200, incident["id"])
        changed = await client.post(
            "/incidents", json=report_body(clock, title="x"), headers={**principal, "Idempotency-Key": "k1"}
        )
        assert (changed.status_code, changed.json()["field"]) == (409, "Idempotency-Key")

        # A school the replica does not know yet waits at the Department's duty desk.
        stranger = bearer(app, Role.SCHOOL_PRINCIPAL, school_id=NEW_SCHOOL)
        unrouted = await client.post(
            "/incidents", json=report_body(clock, category="other", people={}), headers=stranger
        )
        assert unrouted.status_code == 201, unrouted.text
        waiting = unrouted.json()
        assert (waiting["route"], waiting["cluster_no"], waiting["severity"]) == (
            "department_duty_desk",
            None,
            "low",
        )

        # Nobody acknowledges the critical one within 15 minutes: step 1 fires, once.
        scheduler = app.state.scheduler
        clock.advance(minutes=14)
        assert await scheduler.tick() == []
        clock.advance(minutes=2)
        fired = await scheduler.tick()
        assert [(e.incident_id, e.level, e.notify_role, e.step) for e in fired] == [
            (incident["id"], "cluster_leader", "cluster_leader", 1)
        ]
        assert await scheduler.tick() == []

        leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
        acknowledged = await client.post(f"/incidents/{incident['id']}/acknowledge", headers=leader)
        assert acknowledged.status_code == 200, acknowledged.text
        clock.advance(hours=3)  # past every later acknowledgement step
        assert await scheduler.tick() == []
        steps = (await client.get(f"/incidents/{incident['id']}/escalations", headers=leader)).json()
        ack_steps = [(s["step"], s["state"]) for s in steps if s["deadline"] == "acknowledgement"]
        assert ack_steps == [(1, "fired"), (2, "cancelled"), (3, "cancelled"), (4, "cancelled")]

        # The school appears in the registry: the waiting incident is routed to its cluster.
        await registry_node.publish(school_state(NEW_SCHOOL, COMMUNE_IN_3, 3))

        async def rerouted() -> dict[str, Any]:
            response = await client.get(f"/incidents/{waiting['id']}", headers=stranger)
            return dict(response.json())

        routed = await wait_for(rerouted, until=lambda body: body["route"] == "cluster", message="re-routing")
        assert (routed["cluster_no"], routed["commune_code"]) == (3, COMMUNE_IN_3)
        assert (await client.get(f"/incidents/{waiting['id']}", headers=leader)).status_code == 200

        events = await incident_events(kafka_bootstrap_servers, topic_prefix, expected=8)
    types = [(kind, body["incident_id"]) for kind, body, _ in events]
    assert sorted(types) == sorted(
        [
            ("reported.v1", incident["id"]),
            ("routed.v1", incident["id"]),
            ("escalated.v1", incident["id"]),
            ("status-changed.v1", incident["id"]),
            ("acknowledged.v1", incident["id"]),
            ("reported.v1", waiting["id"]),
            ("routed.v1", waiting["id"]),
            ("routed.v1", waiting["id"]),
        ]
    )
    for _kind, body, record in events:
        assert record.key.decode() == body["incident_id"]
        assert headers_of(record)["ce_subject"] == f"incident/{body['incident_id']}"
        assert "Nguyễn" not in record.value.decode() and "description" not in body  # no personal details
    escalated = next(body for kind, body, _ in events if kind == "escalated.v1")
    assert (escalated["cluster_no"], escalated["school_code"], escalated["level_rank"]) == (3, SCHOOL, 1)
    reroute = [body for kind, body, _ in events if kind == "routed.v1" and body["rerouted"]]
    assert [(r["previous_route"], r["route"], r["cluster_no"]) for r in reroute] == [
        ("department_duty_desk", "cluster", 3)
    ]
    acknowledged_event = next(body for kind, body, _ in events if kind == "acknowledged.v1")
    assert acknowledged_event["within_target"] is False


async def test_a_commune_moved_by_the_registry_routes_new_incidents_to_its_new_cluster(
    settings_for: Callable[[str], IncidentsSettings],
    sqlite_url: Callable[[str], str],
    clock: FakeClock,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    registry = create_registry(
        RegistrySettings(
            environment=Environment.TEST,
            data_dir=tmp_path,
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            outbox_sweep_interval_s=0.2,
        )
    )
    incidents = create_app(settings_for(sqlite_url("incidents")), clock=clock)
    async with running(registry) as registry_client, running(incidents) as client:
        officer = bearer(incidents, Role.DEPARTMENT_OFFICER)

        async def commune_cluster() -> int | None:
            async with runtime_of(incidents).sessions() as session:
                commune = await session.get(ReplicaCommune, COMMUNE_IN_3)
                return commune.cluster_no if commune else None

        await wait_for(commune_cluster, until=lambda n: n == 3, message="the seeded commune in the replica")
        body = report_body(clock, commune_code=COMMUNE_IN_3, category="dangerous_building", people={})
        before = (await client.post("/incidents", json=body, headers=officer)).json()
        assert (before["route"], before["cluster_no"]) == ("cluster", 3)

        # A school the real registry creates is routed by its commune's cluster, for its own principal too.
        new_school = {
            "code": NEW_SCHOOL,
            "name": "Trường TH Thái Hòa",
            "level": "primary",
            "commune_code": COMMUNE_IN_3,
        }
        admin = bearer(registry, Role.DEPARTMENT_ADMIN)
        assert (await registry_client.post("/schools", json=new_school, headers=admin)).status_code == 201
        await wait_for(
            lambda: known_school(incidents, NEW_SCHOOL), message="the registry's school in the replica"
        )
        principal = bearer(incidents, Role.SCHOOL_PRINCIPAL, school_id=NEW_SCHOOL)
        at_school = report_body(clock, school_code=NEW_SCHOOL, category="dangerous_building", people={})
        reported = (await client.post("/incidents", json=at_school, headers=principal)).json()
        assert (reported["route"], reported["cluster_no"], reported["commune_code"]) == (
            "cluster",
            3,
            COMMUNE_IN_3,
        )

        moved = await registry_client.post(
            f"/communes/{COMMUNE_IN_3}/move",
            json={"cluster_no": 4, "effective_from": "2026-03-01"},
            headers=bearer(registry, Role.DEPARTMENT_ADMIN),
        )
        assert moved.status_code == 200, moved.text
        await wait_for(commune_cluster, until=lambda n: n == 4, message="the move in the replica")

        after = (await client.post("/incidents", json=body, headers=officer)).json()
        assert (after["cluster_no"], after["commune_code"]) == (4, COMMUNE_IN_3)

        async def school_cluster() -> int | None:
            school = await known_school(incidents, NEW_SCHOOL)
            return school.cluster_no if school else None

        await wait_for(
            school_cluster, until=lambda n: n == 4, message="the school republished with its cluster"
        )
        at_school_after = (await client.post("/incidents", json=at_school, headers=principal)).json()
        assert at_school_after["cluster_no"] == 4
        # The incidents already open stay with the cluster that took them on.
        assert (await client.get(f"/incidents/{before['id']}", headers=officer)).json()["cluster_no"] == 3
        leader_4 = bearer(incidents, Role.CLUSTER_LEADER, cluster_no=4)
        assert sorted(i["id"] for i in (await client.get("/incidents", headers=leader_4)).json()) == sorted(
            [after["id"], at_school_after["id"]]
        )


async def test_concurrent_retries_with_one_idempotency_key_create_one_incident(
    settings_for: Callable[[str], IncidentsSettings],
    new_database_url: Callable[[str], str],
    clock: FakeClock,
) -> None:
    app = create_app(settings_for(new_database_url("incidents")), clock=clock)
    async with running(app) as client:
        headers = {**bearer(app, Role.SCHOOL_PRINCIPAL, school_id=SCHOOL), "Idempotency-Key": "flaky-3g"}
        responses = await asyncio.gather(
            *(client.post("/incidents", json=report_body(clock), headers=headers) for _ in range(5))
        )
        assert sorted(response.status_code for response in responses) == [200, 200, 200, 200, 201]
        assert len({response.json()["id"] for response in responses}) == 1
        listed = await client.get("/incidents", headers=bearer(app, Role.DEPARTMENT_OFFICER))
        assert len(listed.json()) == 1
        asyncapi = (await client.get("/asyncapi.json")).json()
        assert {"IncidentReportedV1", "IncidentEscalatedV1"} <= set(asyncapi["components"]["schemas"])


async def test_the_replica_never_steps_back_and_dead_letters_what_it_cannot_read(
    registry_node: MessagingNode,
    settings_for: Callable[[str], IncidentsSettings],
    sqlite_url: Callable[[str], str],
    clock: FakeClock,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    newer = school_state(SCHOOL, COMMUNE_IN_3, 3).model_copy(update={"version": 2})
    older = school_state(SCHOOL, "17299", 4)  # version 1, delivered late
    await registry_node.publish(newer)
    await registry_node.publish(older)
    await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.schools", expected=2)  # both on Kafka
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic_prefix + "registry.schools",
            b"{not json",
            key=SCHOOL.encode(),
            headers=[("ce_type", b"vn.gov.nghean.edu.registry.school.v1"), ("ce_id", b"bad-1")],
        )
    finally:
        await producer.stop()

    app = create_app(settings_for(sqlite_url("incidents")), clock=clock)
    async with running(app):
        # The bad message follows both states of its key on one partition: once it is parked, they were read.
        parked = await read_topic(kafka_bootstrap_servers, topic_prefix + "incidents.dead-letter", expected=1)
        kept = await known_school(app, SCHOOL)
        assert kept is not None
        assert (kept.version, kept.commune_code, kept.cluster_no) == (2, COMMUNE_IN_3, 3)
    assert [record.key for record in parked] == [SCHOOL.encode()]
    assert "dlq_reason" in headers_of(parked[0])
