"""The notifications service on the real broker with real servers: an aiosmtpd SMTP server receiving the
mail, an aiohttp server standing in for the SMS gateway and for webhook receivers that verify signatures,
and incident events produced through a real outbox (the incidents app itself, over HTTP, in the first test).

A stand-in registry publishes the people and places through its own outbox, as the registry does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlmodel import col, select

from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaSchool
from services.incidents.settings import IncidentsSettings
from services.notifications.app import create_app
from services.notifications.deliveries.models import Delivery as DeliveryRow
from services.notifications.devmail.adapters import CaughtMail, MailCatcher, free_port
from services.notifications.devmail.adapters import _Handler as _CatcherHandler
from services.notifications.replica.models import StaffReplica
from services.notifications.settings import NotificationsSettings
from services.notifications.webhooks.domain import verify
from shared.auth import Principal, Role
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.base import EventPayload
from shared.events.incidents import IncidentReportedV1, IncidentStatus, RouteKind
from shared.events.notifications import DeliveryChannel
from shared.events.registry import ClusterMembershipV1
from shared.events.topics import (
    INCIDENT_EVENTS,
)
from shared.settings import Environment
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode, node_settings
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

COMMUNE = "16939"
SCHOOL = "29000101"
OFFICE_EMAIL = "vhxh.thaihoa@example.vn"
CLUSTER_3_PEOPLE = {"L001": "leader", "M001": "member", "M002": "unit_representative"}
DUTY_DESK, LEADERSHIP = "vanphong@nghean.edu.vn", "giamdoc@nghean.edu.vn"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def email_of(code: str) -> str:
    return f"{code.lower()}@example.vn"


def registry_states() -> list[EventPayload]:
    now = datetime.now(UTC)
    since = date(2025, 7, 1)
    people = [
        StaffStateV1(
            code=code,
            full_name=f"Cán bộ {code}",
            roles=["department_official"],
            email=email_of(code),
            phone=f"09120000{n:02d}",
            memberships=[ClusterMembershipV1(cluster_no=3, role=role, valid_from=since)],  # type: ignore[arg-type]
            version=1,
            updated_at=now,
        )
        for n, (code, role) in enumerate(CLUSTER_3_PEOPLE.items())
    ]
    elsewhere = StaffStateV1(  # a member of cluster 4, and a former member of cluster 3: neither hears
        code="X001",
        full_name="Cán bộ X001",
        roles=["department_official"],
        email=email_of("X001"),
        memberships=[
            ClusterMembershipV1(cluster_no=4, role="member", valid_from=since),
            ClusterMembershipV1(
                cluster_no=3, role="member", valid_from=date(2024, 1, 1), valid_to=date(2025, 6, 30)
            ),
        ],
        version=1,
        updated_at=now,
    )
    principal = StaffStateV1(
        code="P001",
        full_name="Hiệu trưởng P001",
        roles=["principal"],
        school_code=SCHOOL,
        email=email_of("P001"),
        version=1,
        updated_at=now,
    )
    return [
        ClusterStateV1(
            cluster_no=3,
            name="Cụm 3",
            office_host_unit="x",
            leader_staff_code="L001",
            version=1,
            updated_at=now,
        ),
        CommuneStateV1(
            gso_code=COMMUNE,
            name="Phường Thái Hòa",
            kind="ward",
            old_district_code="414",
            old_district_name="Thị xã Thái Hòa",
            cluster_no=3,
            culture_office_head="Trần Thị B",
            culture_office_email=OFFICE_EMAIL,
            version=1,
            updated_at=now,
        ),
        SchoolStateV1(
            code=SCHOOL,
            name="Trường Tiểu học Hòa Hiếu",
            level="primary",
            commune_code=COMMUNE,
            cluster_no=3,
            principal_staff_code="P001",
            version=1,
            updated_at=now,
        ),
        *people,
        elsewhere,
        principal,
    ]


def reported(severity: str, *, incident_id: str | None = None) -> IncidentReportedV1:
    now = datetime.now(UTC)
    return IncidentReportedV1(
        incident_id=incident_id or secrets.token_hex(8),
        reference=f"SC-2026-{secrets.randbelow(10**6):06d}",
        school_code=SCHOOL,
        commune_code=COMMUNE,
        cluster_no=3,
        route=RouteKind.CLUSTER,
        category="natural_disaster",
        severity=severity,
        restricted=False,
        status=IncidentStatus.REPORTED,
        occurred_at=now,
        reported_at=now,
        reporter_role="school_principal",
        injured=1,
        dead=0,
        missing=0,
        out_of_school=0,
        acknowledge_due_at=now + timedelta(hours=1),
        resolve_due_at=now + timedelta(days=1),
    )


@dataclass
class Receiver:
    """SMS gateway and webhook receivers; ``script`` holds the statuses to answer next, per path."""

    port: int
    secrets: dict[str, str] = field(default_factory=dict)
    script: dict[str, list[int]] = field(default_factory=dict)
    sms: list[dict[str, Any]] = field(default_factory=list)
    hooks: list[tuple[str, dict[str, Any], bool, int]] = field(default_factory=list)
    """(receiver name, body, signature verified, status answered)"""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _status(self, path: str) -> int:
        queued = self.script.get(path) or []
        return queued.pop(0) if queued else 200

    async def on_sms(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer gateway-token"
        status = self._status("/sms")
        self.sms.append({**(await request.json()), "status": status})
        return web.json_response({"accepted": status < 300}, status=status)

    async def on_hook(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        raw = await request.read()
        body = json.loads(raw)
        verified = verify(self.secrets[name], dict(request.headers), raw)
        if body.get("type") == "webhook.verification":
            return web.json_response({"challenge": body["challenge"] if verified else "wrong"})
        status = self._status(f"/hooks/{name}")
        self.hooks.append((name, body, verified, status))
        return web.json_response({}, status=status)

    def delivered_hooks(self, name: str) -> list[dict[str, Any]]:
        return [
            body for hook, body, verified, status in self.hooks if hook == name and verified and status < 300
        ]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(free_port())
    app = web.Application()
    app.router.add_post("/sms", found.on_sms)
    app.router.add_post("/hooks/{name}", found.on_hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", found.port).start()
    yield found
    await runner.cleanup()


@pytest.fixture
def registry_seed() -> list[EventPayload]:
    """Cluster 3 and its people, its commune and school, the principal (``registry_states``)."""
    return registry_states()


@pytest.fixture
async def incidents_node(
    kafka_bootstrap_servers: str, topic_prefix: str, sqlite_url: Callable[[str], str]
) -> AsyncIterator[MessagingNode]:
    """Publishes incident events through an outbox, as the incidents service does."""
    settings = node_settings(
        name="incidents",
        bootstrap=kafka_bootstrap_servers,
        prefix=topic_prefix,
        database_url=sqlite_url("incidents"),
    )
    node = await MessagingNode.start(settings, publishes=[INCIDENT_EVENTS])
    yield node
    await node.stop()


@pytest.fixture
def settings_for(
    kafka_bootstrap_servers: str, topic_prefix: str, tmp_path: Path, smtp: MailCatcher, receiver: Receiver
) -> Callable[..., NotificationsSettings]:
    def make(database_url: str, **changes: Any) -> NotificationsSettings:
        values: dict[str, Any] = {
            "environment": Environment.TEST,
            "database_url": database_url,
            "data_dir": tmp_path,
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "kafka_topic_prefix": topic_prefix,
            "kafka_session_timeout_ms": 6_000,
            "kafka_heartbeat_interval_ms": 500,
            "outbox_sweep_interval_s": 0.2,
            "smtp_port": smtp.port,
            "sms_gateway_url": f"{receiver.url}/sms",
            "sms_gateway_token": "gateway-token",
            "delivery_poll_interval_s": 0.05,
            "delivery_retry_base_s": 0.05,
            "delivery_retry_max_s": 0.2,
        }
        return NotificationsSettings(**{**values, **changes})

    return make


def token(app: FastAPI, subject: str, role: Role, **scope: Any) -> dict[str, str]:
    principal = Principal(subject=subject, role=role, **scope)
    return {"Authorization": f"Bearer {runtime_of(app).token_codec.mint(principal, timedelta(minutes=10))}"}


async def replica_ready(app: FastAPI) -> bool:
    async with runtime_of(app).sessions() as session:
        return all(
            [await session.get(StaffReplica, code) for code in ("L001", "M001", "M002", "X001", "P001")]
        )


async def subscribe(app: FastAPI, client: httpx.AsyncClient, receiver: Receiver, name: str) -> dict[str, Any]:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    receiver.secrets[name] = secret
    response = await client.post(
        "/webhooks/subscriptions",
        json={
            "url": f"{receiver.url}/hooks/{name}",
            "event_types": ["incidents.incident.*"],
            "secret": secret,
        },
        headers=token(app, f"client-{name}", Role.INTEGRATION_CLIENT, grants=["cluster:3"]),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def event_status(app: FastAPI, client: httpx.AsyncClient, event_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/events/{event_id}/deliveries", headers=bearer(app, Role.DEPARTMENT_OFFICER)
    )
    return dict(response.json()) if response.status_code == 200 else {"by_state": {}, "deliveries": []}


def settled(status: dict[str, Any]) -> bool:
    return bool(status["deliveries"]) and set(status["by_state"]) <= {"delivered", "failed"}


def mail_to(smtp: MailCatcher, address: str) -> list[CaughtMail]:
    return [mail for mail in smtp.messages() if address in mail.recipients]


async def test_an_incident_reported_over_http_reaches_the_right_people_once_by_email_sms_webhook_and_inbox(
    registry_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    new_database_url: Callable[[str], str],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    tmp_path: Path,
    smtp: MailCatcher,
    receiver: Receiver,
) -> None:
    incidents = create_incidents(
        IncidentsSettings(
            environment=Environment.TEST,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'incidents-app'}.db",
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            kafka_session_timeout_ms=6_000,
            kafka_heartbeat_interval_ms=500,
            outbox_sweep_interval_s=0.2,
            scheduler_enabled=False,
        )
    )
    app = create_app(settings_for(new_database_url("notifications")))
    async with running(incidents) as incidents_client, running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")

        async def school_known() -> ReplicaSchool | None:
            async with runtime_of(incidents).sessions() as session:
                return await session.get(ReplicaSchool, SCHOOL)

        await wait_for(school_known, message="the school in the incidents replica")
        await subscribe(app, client, receiver, "partner")

        report = await incidents_client.post(
            "/incidents",
            json={
                "category": "food_poisoning",
                "title": "Nhiều học sinh đau bụng sau bữa trưa",
                "description": "60 em nôn sau bữa trưa bán trú",
                "occurred_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
                "people": {"injured": 60},
            },
            headers=bearer(incidents, Role.SCHOOL_PRINCIPAL, school_id=SCHOOL),
        )
        assert report.status_code == 201, report.text
        incident = report.json()
        assert incident["severity"] == "critical"

        reported_event = await wait_for(
            lambda: client.get(
                "/deliveries",
                params={"subject": f"incident/{incident['id']}", "limit": 200},
                headers=bearer(app, Role.DEPARTMENT_OFFICER),
            ),
            until=lambda r: any(d["event_type"] == IncidentReportedV1.event_type for d in r.json()["items"]),
            message="the reported event's deliveries",
        )
        event_id = next(
            d["source_event_id"]
            for d in reported_event.json()["items"]
            if d["event_type"] == IncidentReportedV1.event_type
        )
        status = await wait_for(
            lambda: event_status(app, client, event_id), until=settled, message="all delivered"
        )
        assert status["by_state"] == {"delivered": len(status["deliveries"])}
        got = sorted(
            (d["recipient_key"], d["channel"]) for d in status["deliveries"] if d["channel"] != "webhook"
        )
        people = [f"staff:{code}" for code in CLUSTER_3_PEOPLE]
        offices = [f"commune-office:{COMMUNE}", "department:duty-desk", "department:leadership"]
        assert got == sorted(
            [(key, channel) for key in [*people, *offices] for channel in ("email", "in_app")]
            + [("staff:L001", "sms")]  # the Department has no phone in these settings
        )

        # Real mail, once each, to the leader, both members, the commune office and the Department.
        expected = [email_of(code) for code in CLUSTER_3_PEOPLE] + [OFFICE_EMAIL, DUTY_DESK, LEADERSHIP]
        for address in expected:
            assert len(mail_to(smtp, address)) == 1, address
        assert not mail_to(smtp, email_of("X001")) and not mail_to(smtp, email_of("P001"))
        leader_mail = mail_to(smtp, email_of("L001"))[0]
        assert (
            "Trường Tiểu học Hòa Hiếu" in leader_mail.subject and incident["reference"] in leader_mail.subject
        )
        assert "Cán bộ L001" in leader_mail.body

        # An SMS to the leader through the gateway, a signed webhook, and an inbox item.
        assert [(sms["to"], sms["status"]) for sms in receiver.sms] == [("0912000000", 200)]
        hooks = receiver.delivered_hooks("partner")
        assert {hook["type"] for hook in hooks} >= {IncidentReportedV1.event_type}
        assert all(hook["data"]["incident_id"] == incident["id"] for hook in hooks)
        leader = token(app, "L001", Role.CLUSTER_LEADER, cluster_no=3)
        assert (await client.get("/me/inbox/unread-count", headers=leader)).json() == {"unread": 1}
        inbox = (await client.get("/me/inbox", headers=leader)).json()
        assert inbox["total"] == 1 and incident["reference"] in inbox["items"][0]["title"]
        read = await client.post(f"/me/inbox/{inbox['items'][0]['id']}/read", headers=leader)
        assert read.status_code == 200 and read.json()["read_at"] is not None
        assert (await client.get("/me/inbox/unread-count", headers=leader)).json() == {"unread": 0}
        member = token(app, "M001", Role.CLUSTER_MEMBER, cluster_no=3)
        assert (
            await client.post(f"/me/inbox/{inbox['items'][0]['id']}/read", headers=member)
        ).status_code == 404

        # The same event again (a producer's retry): the inbox and the unique key let nothing new out.
        records = await read_topic(kafka_bootstrap_servers, topic_prefix + "incidents.events", expected=2)
        original = next(r for r in records if headers_of(r)["ce_id"] == event_id)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(
                original.topic, original.value, key=original.key, headers=list(original.headers)
            )
        finally:
            await producer.stop()
        registry = runtime_of(app).metrics.registry
        labels = {"consumer_group": f"{topic_prefix}notifications.fan-out", "topic": original.topic}
        await wait_for(
            lambda: _metric(
                registry,
                "consumer_events_total",
                **labels,
                outcome="duplicate",
                event_type=IncidentReportedV1.event_type,
            ),
            until=lambda value: value >= 1,
            message="the duplicate skipped",
        )
        again = await event_status(app, client, event_id)
        assert len(again["deliveries"]) == len(status["deliveries"])
        for address in expected:
            assert len(mail_to(smtp, address)) == 1, address

        # Every delivery is an event on the notifications topic, keyed by the source event.
        outcomes = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + "notifications.deliveries",
            expected=len(status["deliveries"]),
        )
        mine = [json.loads(r.value) for r in outcomes if r.key == event_id.encode()]
        assert len(mine) == len(status["deliveries"])
        assert {headers_of(r)["ce_type"] for r in outcomes} == {
            "vn.gov.nghean.edu.notifications.delivery.delivered.v1"
        }
        metrics = (await client.get("/metrics")).text
        assert 'notification_deliveries_total{channel="email",outcome="delivered"}' in metrics
        assert "notification_delivery_latency_seconds_bucket" in metrics
        assert "notification_retry_backlog" in metrics


async def _metric(registry: Any, name: str, **labels: str) -> float:
    return float(registry.get_sample_value(name, labels) or 0.0)


async def deliveries_of(app: FastAPI, client: httpx.AsyncClient, event_id: str) -> dict[tuple[str, str], Any]:
    status = await event_status(app, client, event_id)
    return {(d["recipient_key"], d["channel"]): d for d in status["deliveries"]}


async def test_a_500_is_retried_and_delivered_once_and_a_410_disables_the_subscription(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    receiver: Receiver,
) -> None:
    app = create_app(settings_for(sqlite_url("notifications")))
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        gone = await subscribe(app, client, receiver, "gone")
        await subscribe(app, client, receiver, "flaky")
        receiver.script["/sms"] = [500, 200]  # the gateway fails once, then takes the SMS
        receiver.script["/hooks/flaky"] = [503, 429, 200]
        receiver.script["/hooks/gone"] = [410]

        [event_id] = await incidents_node.publish(reported("high"))
        status = await wait_for(lambda: event_status(app, client, event_id), until=settled, message="settled")
        by_key = {(d["recipient_key"], d["channel"]): d for d in status["deliveries"]}
        sms = by_key[("staff:L001", "sms")]
        assert (sms["state"], sms["attempts"]) == ("delivered", 2)
        assert [(s["to"], s["status"]) for s in receiver.sms] == [("0912000000", 500), ("0912000000", 200)]
        assert receiver.sms[0]["reference"] == receiver.sms[1]["reference"] == sms["id"]  # one SMS, retried

        detail = await client.get(f"/deliveries/{sms['id']}", headers=bearer(app, Role.DEPARTMENT_OFFICER))
        assert [(a["outcome"], a["status_code"]) for a in detail.json()["attempt_log"]] == [
            ("transient", 500),
            ("delivered", 200),
        ]
        flaky = by_key[(next(k for k in by_key if k[1] == "webhook" and k[0] != f"webhook:{gone['id']}"))]
        assert (flaky["state"], flaky["attempts"]) == ("delivered", 3)
        assert len(receiver.delivered_hooks("flaky")) == 1
        dead = by_key[(f"webhook:{gone['id']}", "webhook")]
        assert (dead["state"], dead["attempts"]) == ("failed", 1)
        assert "410" in dead["last_error"]

        listed = await client.get(
            "/webhooks/subscriptions",
            headers=token(app, "client-gone", Role.INTEGRATION_CLIENT, grants=["cluster:3"]),
        )
        [subscription] = listed.json()
        assert subscription["active"] is False and "410" in subscription["disabled_reason"]

        # The next event is not even planned for the disabled subscription.
        [next_id] = await incidents_node.publish(reported("medium"))
        later = await wait_for(lambda: event_status(app, client, next_id), until=settled, message="settled")
        assert {d["recipient_key"] for d in later["deliveries"] if d["channel"] == "webhook"} == {
            flaky["recipient_key"]
        }

        outcomes = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + "notifications.deliveries",
            expected=len(status["deliveries"]),
        )
        failed = [json.loads(r.value) for r in outcomes if headers_of(r)["ce_type"].endswith("failed.v1")]
        assert [(f["delivery_id"], f["channel"]) for f in failed] == [(dead["id"], "webhook")]
        registry = runtime_of(app).metrics.registry
        assert await _metric(registry, "notification_deliveries_total", channel="sms", outcome="retried") == 1
        assert (
            await _metric(registry, "notification_deliveries_total", channel="webhook", outcome="failed") == 1
        )


async def test_a_rule_the_admin_disables_plans_nothing_from_the_next_event_on(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    receiver: Receiver,
) -> None:
    """The fan-out keeps the rules between events; an edit reaches the very next one."""
    app = create_app(settings_for(sqlite_url("notifications")))
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        admin = bearer(app, Role.DEPARTMENT_ADMIN)

        async def sms_planned() -> set[str]:
            [event_id] = await incidents_node.publish(reported("high"))
            status = await wait_for(
                lambda: event_status(app, client, event_id), until=settled, message="settled"
            )
            return {d["recipient_key"] for d in status["deliveries"] if d["channel"] == "sms"}

        assert await sms_planned() == {"staff:L001"}
        [rule] = [
            r
            for r in (await client.get("/rules", headers=admin)).json()
            if r["code"] == "incident-reported-sms"
        ]
        disabled = await client.patch(f"/rules/{rule['id']}", json={"enabled": False}, headers=admin)
        assert disabled.status_code == 200, disabled.text
        assert await sms_planned() == set()


async def test_quiet_hours_hold_a_medium_incident_but_not_a_critical_one(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    smtp: MailCatcher,
) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 16, 0, tzinfo=UTC))  # 23:00 in Vietnam
    app = create_app(settings_for(sqlite_url("notifications"), sms_gateway_url=None), clock=clock)
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        quiet = {"quiet_start": "22:00", "quiet_end": "06:00", "channels": ["email", "in_app"]}
        member = token(app, "M001", Role.CLUSTER_MEMBER, cluster_no=3)
        saved = await client.put("/me/preferences", json=quiet, headers=member)
        assert saved.status_code == 200 and saved.json()["recipient_key"] == "staff:M001"
        half = await client.put("/me/preferences", json={"quiet_start": "22:00"}, headers=member)
        assert (half.status_code, half.json()["field"]) == (422, "quiet_end")

        medium_id, critical_id = await incidents_node.publish(reported("medium"), reported("critical"))
        critical = await wait_for(
            lambda: event_status(app, client, critical_id), until=settled, message="critical"
        )
        assert {d["state"] for d in critical["deliveries"]} == {"delivered"}

        def held(status: dict[str, Any]) -> bool:
            states = {(d["recipient_key"], d["channel"]): d["state"] for d in status["deliveries"]}
            return (
                states.get(("staff:M001", "in_app")) == "delivered"
                and states.get(("staff:L001", "email")) == "delivered"
            )

        medium = await wait_for(lambda: event_status(app, client, medium_id), until=held, message="medium")
        mine = {d["channel"]: d for d in medium["deliveries"] if d["recipient_key"] == "staff:M001"}
        assert (mine["email"]["state"], mine["email"]["hold_reason"]) == ("pending", "quiet_hours")
        assert mine["email"]["next_attempt_at"].startswith("2026-03-02T23:00")  # 06:00 in Vietnam
        assert mine["in_app"]["state"] == "delivered"  # the inbox is silent: nothing to hold
        assert len(mail_to(smtp, email_of("M001"))) == 1  # the critical one, at 23:00

        clock.now = datetime(2026, 3, 2, 23, 1, tzinfo=UTC)  # 06:01: quiet hours are over
        await wait_for(lambda: event_status(app, client, medium_id), until=settled, message="released")
        assert len(mail_to(smtp, email_of("M001"))) == 2


async def test_a_bad_template_variable_is_a_clear_422_on_preview_and_falls_back_at_delivery(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    smtp: MailCatcher,
) -> None:
    app = create_app(settings_for(sqlite_url("notifications"), sms_gateway_url=None))
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        admin = bearer(app, Role.DEPARTMENT_ADMIN)
        # The worker keeps the templates from its first send on: the edit below must reach the next send.
        [first_id] = await incidents_node.publish(reported("high"))
        await wait_for(lambda: event_status(app, client, first_id), until=settled, message="the first event")
        bad = {"subject": "Sự cố {{ reference }}", "body": "Trường {{ event.schol_code }}"}
        preview = await client.post(
            "/templates/preview", json={**bad, "event_type": IncidentReportedV1.event_type}, headers=admin
        )
        assert preview.status_code == 422
        assert preview.json()["field"] == "body" and "schol_code" in preview.json()["detail"]
        good = await client.post(
            "/templates/preview",
            json={
                "subject": "{{ reference }}",
                "body": "{{ school.name }}",
                "event_type": IncidentReportedV1.event_type,
            },
            headers=admin,
        )
        assert good.json() == {"subject": "SC-2026-000123", "body": "Trường Tiểu học Châu Hạnh 1"}
        broken = await client.put(
            f"/templates/{IncidentReportedV1.event_type}/email/vi",
            json={**bad, "body": "{% if %}"},
            headers=admin,
        )
        assert (broken.status_code, broken.json()["field"]) == (422, "body")
        saved = await client.put(
            f"/templates/{IncidentReportedV1.event_type}/email/vi", json=bad, headers=admin
        )
        assert saved.status_code == 200, saved.text

        event = reported("high")
        [event_id] = await incidents_node.publish(event)
        status = await wait_for(lambda: event_status(app, client, event_id), until=settled, message="settled")
        emails = [d for d in status["deliveries"] if d["channel"] == "email"]
        assert emails and all(d["state"] == "delivered" and d["used_fallback_text"] for d in emails)
        assert "schol_code" in emails[0]["last_error"]
        first, mail = mail_to(smtp, email_of("L001"))
        assert "Mẫu thông báo bị lỗi" not in first.body
        assert event.reference in mail.subject and "Mẫu thông báo bị lỗi" in mail.body
        inbox = [d for d in status["deliveries"] if d["channel"] == "in_app"]
        assert inbox and not any(d["used_fallback_text"] for d in inbox)  # the inbox template is intact


async def test_the_run_commands_mail_catcher_keeps_the_mail_for_reading(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
) -> None:
    app = create_app(settings_for(sqlite_url("notifications"), mail_catcher=True, sms_gateway_url=None))
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
        event = reported("medium")
        await incidents_node.publish(event)
        headers = bearer(app, Role.DEPARTMENT_OFFICER)

        async def caught() -> list[dict[str, Any]]:
            return list((await client.get("/dev/mail", headers=headers)).json())

        mail = await wait_for(caught, until=lambda m: len(m) >= 4, message="the mail in the catcher")
        assert {tuple(m["recipients"]) for m in mail} == {
            (email_of("L001"),),
            (email_of("M001"),),
            (email_of("M002"),),
            (OFFICE_EMAIL,),
        }
        assert all(event.reference in m["subject"] for m in mail)


async def test_bad_subscription_and_id_input_is_a_4xx_naming_the_field(
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    receiver: Receiver,
) -> None:
    app = create_app(settings_for(sqlite_url("notifications"), sms_gateway_url=None))
    async with running(app) as client:
        client_token = token(app, "client-x", Role.INTEGRATION_CLIENT, grants=["cluster:3"])
        # Matches the pattern but is not base64 (25 characters): it cannot be a signing key.
        receiver.secrets["x"] = "whsec_" + "A" * 25
        bad_secret = await client.post(
            "/webhooks/subscriptions",
            json={"url": f"{receiver.url}/hooks/x", "secret": receiver.secrets["x"]},
            headers=client_token,
        )
        assert (bad_secret.status_code, bad_secret.json()["field"]) == (422, "secret")
        huge = 10**20
        member = token(app, "M001", Role.CLUSTER_MEMBER, cluster_no=3)
        admin = bearer(app, Role.DEPARTMENT_ADMIN)
        for response, field in (
            (await client.post(f"/me/inbox/{huge}/read", headers=member), "item_id"),
            (await client.patch(f"/rules/{huge}", json={"enabled": False}, headers=admin), "rule_id"),
        ):
            assert response.status_code == 422 and field in response.text, response.text


class GatedCatcher(MailCatcher):
    """An SMTP server that holds every message's DATA until ``gate`` opens: a slow mail server."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        inner = _CatcherHandler(self)
        gate = self.gate

        class Held:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                await asyncio.to_thread(gate.wait, 60)
                return await inner.handle_DATA(server, session, envelope)

        self._controller = Controller(Held(), hostname="127.0.0.1", port=self.port)
        self._controller.start()


async def test_two_instances_on_one_postgresql_database_send_a_slow_delivery_once(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    postgres_database_url: str,
) -> None:
    """A send that outlasts the lease (a slow mail server) must not be taken over by the other instance
    while its sender is alive: the sender keeps its lease fresh until the outcome is recorded."""
    slow = GatedCatcher()
    slow.start()
    try:
        lease = 2.0
        settings = settings_for(
            postgres_database_url,
            sms_gateway_url=None,
            smtp_port=slow.port,
            smtp_timeout_s=60.0,
            delivery_lease_s=lease,
        )
        first, second = create_app(settings), create_app(settings.model_copy(update={"seed_on_start": False}))
        async with running(first) as client, running(second):
            await wait_for(lambda: replica_ready(first), message="the people in the notifications replica")
            [event_id] = await incidents_node.publish(reported("medium"))

            async def email_leases() -> list[datetime]:
                async with runtime_of(first).sessions() as session:
                    rows = (
                        await session.exec(
                            select(DeliveryRow).where(col(DeliveryRow.channel) == DeliveryChannel.EMAIL)
                        )
                    ).all()
                    return [row.leased_until for row in rows if row.leased_until is not None]

            claimed = await wait_for(email_leases, until=lambda found: len(found) == 4, message="claimed")
            first_expiry = max(claimed)
            await wait_for(
                email_leases,
                until=lambda found: len(found) == 4 and min(found) > first_expiry + timedelta(seconds=lease),
                within=30,
                message="the email leases held past their first expiry",
            )
            slow.gate.set()
            status = await wait_for(
                lambda: event_status(first, client, event_id), until=settled, message="settled"
            )
            emails = [d for d in status["deliveries"] if d["channel"] == "email"]
            assert len(emails) == 4 and all((d["state"], d["attempts"]) == ("delivered", 1) for d in emails)
            ids = [mail.message_id for mail in slow.messages()]
            assert len(ids) == len(set(ids)) == 4, ids  # each delivery sent once, by one instance
    finally:
        slow.gate.set()
        slow.stop()


async def test_a_receiver_that_never_finishes_its_answer_does_not_stall_the_other_deliveries(
    registry_node: MessagingNode,
    incidents_node: MessagingNode,
    settings_for: Callable[..., NotificationsSettings],
    sqlite_url: Callable[[str], str],
    receiver: Receiver,
    smtp: MailCatcher,
) -> None:
    """A webhook receiver that sends its headers and then one byte at a time, each well inside the read
    timeout, never lets a request end: its delivery must be given up on, not hold the whole batch."""
    stop = asyncio.Event()

    async def trickle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw)
        if body.get("type") == "webhook.verification":
            return web.json_response({"challenge": body["challenge"]})
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        while not stop.is_set():
            await response.write(b" ")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.1)
        return response

    app_server = web.Application()
    app_server.router.add_post("/slow", trickle)
    runner = web.AppRunner(app_server)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        settings = settings_for(
            sqlite_url("notifications"),
            sms_gateway_url=None,
            http_timeout_s=1.0,
            delivery_send_deadline_s=2.0,
        )
        app = create_app(settings)
        async with running(app) as client:
            await wait_for(lambda: replica_ready(app), message="the people in the notifications replica")
            secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
            subscribed = await client.post(
                "/webhooks/subscriptions",
                json={"url": f"http://127.0.0.1:{port}/slow", "secret": secret},
                headers=token(app, "client-slow", Role.INTEGRATION_CLIENT, grants=["cluster:3"]),
            )
            assert subscribed.status_code == 201, subscribed.text
            [event_id] = await incidents_node.publish(reported("medium"))

            def others_settled(status: dict[str, Any]) -> bool:
                others = [d for d in status["deliveries"] if d["channel"] != "webhook"]
                return bool(others) and all(d["state"] == "delivered" for d in others)

            status = await wait_for(
                lambda: event_status(app, client, event_id), until=others_settled, message="the others"
            )
            [hook] = [d for d in status["deliveries"] if d["channel"] == "webhook"]
            assert hook["state"] in ("pending", "retrying")
            await wait_for(
                lambda: event_status(app, client, event_id),
                until=lambda s: any(
                    d["channel"] == "webhook" and d["attempts"] >= 1 for d in s["deliveries"]
                ),
                message="the slow receiver's attempt recorded",
            )
            assert len(mail_to(smtp, email_of("L001"))) == 1
    finally:
        stop.set()
        await runner.cleanup()
