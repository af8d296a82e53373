"""Acknowledging from the email, end to end on the real broker: a principal reports an incident over HTTP,
notifications sends the cluster's people their email (to a real aiosmtpd sink) and the leader an SMS (to a
real HTTP gateway), each with a link of their own; the test takes the link out of the received email,
previews it, and uses it. The incident is acknowledged as by the API (timeline, events), once; a link used,
expired, changed, or of a person the registry removed from the cluster since, is refused as it should be.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from fastapi import FastAPI
from sqlmodel import SQLModel, col, select

from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaMembership, ReplicaSchool, ReplicaStaff
from services.incidents.settings import IncidentsSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.devmail.adapters import MailCatcher, free_port
from services.notifications.replica.models import MembershipReplica, SchoolReplica, StaffReplica
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from shared.auth.action_links import (
    DEV_ACTION_LINK_PRIVATE_KEY,
    ActionClaims,
    ActionLinkSigner,
    ActionLinkVerifier,
)
from shared.events import StaffStateV1
from shared.events.base import EventPayload
from tests.integration.test_notifications_delivery import SCHOOL, email_of, registry_states
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

CONSOLE = "http://console.test:8100"
LINK = re.compile(re.escape(CONSOLE) + r"/act/([A-Za-z0-9_.~-]+)")


@pytest.fixture
async def sms_gateway() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def on_sms(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"accepted": True})

    port = free_port()
    app = web.Application()
    app.router.add_post("/sms", on_sms)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/sms", received
    await runner.cleanup()


@pytest.fixture
def registry_seed() -> list[EventPayload]:
    """Cluster 3 with leader L001 and members M001, M002; the school and its principal."""
    return registry_states()


ReplicaModels = tuple[type[SQLModel], type[SQLModel], type[SQLModel]]
INCIDENTS_REPLICA: ReplicaModels = (ReplicaSchool, ReplicaStaff, ReplicaMembership)
NOTIFICATIONS_REPLICA: ReplicaModels = (SchoolReplica, StaffReplica, MembershipReplica)


async def replica_has(app: FastAPI, models: ReplicaModels, code: str, *, member_of: int | None) -> bool:
    """Whether the app's copy of the registry has the school, the person and exactly that membership."""
    school, staff, membership = models
    async with runtime_of(app).sessions() as session:
        if await session.get(school, SCHOOL) is None or await session.get(staff, code) is None:
            return False
        query = select(membership).where(col(membership.staff_code) == code)  # type: ignore[attr-defined]
        clusters = {row.cluster_no for row in (await session.exec(query)).all()}  # type: ignore[attr-defined]
    return clusters == ({member_of} if member_of else set())


async def test_a_person_acknowledges_from_the_link_in_their_email_once_and_only_while_they_may(
    registry_node: MessagingNode,
    quick_common: dict[str, Any],
    sqlite_url: Callable[[str], str],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    smtp: MailCatcher,
    sms_gateway: tuple[str, list[dict[str, Any]]],
) -> None:
    sms_url, sms_received = sms_gateway
    incidents = create_incidents(
        IncidentsSettings(**quick_common, database_url=sqlite_url("incidents"), scheduler_enabled=False)
    )
    notifications = create_notifications(
        NotificationsSettings(
            **quick_common,
            database_url=sqlite_url("notifications"),
            smtp_port=smtp.port,
            sms_gateway_url=sms_url,
            sms_gateway_token="gateway-token",
            delivery_poll_interval_s=0.05,
            console_public_url=CONSOLE,
        )
    )
    async with running(incidents) as client, running(notifications):
        # Both replicas: incidents routes by its own, notifications finds the person's address in its own.
        for app, models in ((incidents, INCIDENTS_REPLICA), (notifications, NOTIFICATIONS_REPLICA)):
            for code in ("L001", "M001"):
                await wait_for(
                    lambda app=app, models=models, code=code: replica_has(  # type: ignore[misc]
                        app, models, code, member_of=3
                    ),
                    message=f"{code} in the {app.title} replica",
                )
        report = await client.post(
            "/incidents",
            json={
                "category": "food_poisoning",
                "title": "Nhiều học sinh đau bụng sau bữa trưa",
                "description": "60 em nôn sau bữa trưa bán trú",
                "occurred_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
                "people": {"injured": 60},
            },
            headers=bearer(incidents, Role.SCHOOL_PRINCIPAL, school_id=SCHOOL),
        )
        assert report.status_code == 201, report.text
        incident = report.json()

        def link_in_mail_to(code: str) -> str | None:
            for mail in smtp.messages():
                found = LINK.search(mail.body)
                if email_of(code) in mail.recipients and incident["reference"] in mail.subject and found:
                    return found.group(1)
            return None

        leader_token = await wait_for(
            lambda: _now(link_in_mail_to("L001")), message="the leader's email link"
        )
        member_token = await wait_for(
            lambda: _now(link_in_mail_to("M001")), message="the member's email link"
        )
        assert leader_token != member_token
        [leader_mail] = [m for m in smtp.messages() if email_of("L001") in m.recipients]
        assert "Tiếp nhận ngay bằng một lần bấm" in leader_mail.body

        # The leader's SMS carries a link of its own, in the same plain text.
        sms = await wait_for(
            lambda: _now([m for m in sms_received if incident["reference"] in str(m)]), message="the SMS"
        )
        assert f"{CONSOLE}/act/" in str(sms[0]) and "Tiep nhan: " in str(sms[0])
        assert (
            ActionLinkVerifier(IncidentsSettings().action_link_public_key)
            .verify(
                LINK.search(str(sms[0])).group(1)  # type: ignore[union-attr]
            )
            .via
            == "sms"
        )

        # The preview, without a token: what it does, for whom, on what.
        preview = await client.get(f"/action-links/{leader_token}")
        assert preview.status_code == 200, preview.text
        shown = preview.json()
        assert shown["state"] == "valid" and shown["action"] == "acknowledge"
        assert shown["reference"] == incident["reference"] and shown["title"] == incident["title"]
        assert shown["school_name"] == "Trường Tiểu học Hòa Hiếu" and shown["person_code"] == "L001"
        assert shown["expires_at"].startswith(incident["acknowledge_due_at"][:16])

        # A changed link is no link at all, and says nothing of what it names.
        tampered = leader_token.replace("~L001~", "~M002~")
        for method in ("GET", "POST"):
            refused = await client.request(method, f"/action-links/{tampered}")
            assert refused.status_code == 404 and incident["reference"] not in refused.text

        # M001 leaves the cluster in the registry: their link no longer acts.
        await registry_node.publish(
            StaffStateV1(
                code="M001",
                full_name="Cán bộ M001",
                roles=["department_official"],
                email=email_of("M001"),
                memberships=[],
                version=2,
                updated_at=datetime.now(UTC),
            )
        )
        await wait_for(
            lambda: replica_has(incidents, INCIDENTS_REPLICA, "M001", member_of=None), message="M001 left"
        )
        removed = await client.post(f"/action-links/{member_token}")
        assert removed.status_code == 403, removed.text
        assert removed.json()["rule"] == "link_person_out_of_scope"

        # The leader's link acknowledges, once.
        used = await client.post(f"/action-links/{leader_token}")
        assert used.status_code == 200, used.text
        assert used.json()["state"] == "used" and used.json()["status"] == "acknowledged"
        again = await client.post(f"/action-links/{leader_token}")
        assert again.status_code == 410 and again.json()["rule"] == "link_used"
        assert (await client.get(f"/action-links/{leader_token}")).json()["state"] == "used"

        leader = bearer(incidents, Role.CLUSTER_LEADER, cluster_no=3)
        timeline = (await client.get(f"/incidents/{incident['id']}/timeline", headers=leader)).json()
        entry = timeline[-1]
        assert (entry["to_status"], entry["actor_subject"], entry["actor_role"]) == (
            "acknowledged",
            "L001",
            "cluster_leader",
        )
        assert entry["detail"] == "Đã xác nhận từ liên kết trong email: Cán bộ L001 (L001)"

        # The acknowledgement is news as the API's is: the acknowledged event, through the outbox.
        async def acknowledged() -> list[Any]:
            records = await read_topic(
                kafka_bootstrap_servers, topic_prefix + "incidents.events", expected=1, timeout_s=2
            )
            return [
                r
                for r in records
                if headers_of(r)["ce_type"].endswith("incident.acknowledged.v1")
                and headers_of(r)["ce_subject"].endswith(incident["id"])
            ]

        [event] = await wait_for(acknowledged, message="the acknowledged event")
        assert b'"actor_role":"cluster_leader"' in event.value.replace(b" ", b"")

        # A link of the same person past its deadline says so.
        expired = ActionLinkSigner(DEV_ACTION_LINK_PRIVATE_KEY).sign(
            ActionClaims(
                person="L001",
                target=incident["id"],
                action="acknowledge",
                expires_at=datetime.now(UTC) - timedelta(seconds=1),
                jti="expired-link-000000001",
            )
        )
        assert (await client.get(f"/action-links/{expired}")).json()["state"] == "expired"
        gone = await client.post(f"/action-links/{expired}")
        assert gone.status_code == 410 and gone.json()["rule"] == "link_expired"


def _now(value: Any) -> Any:
    """``wait_for`` takes a callable returning an awaitable; these checks are plain reads."""

    async def value_now() -> Any:
        return value

    return value_now()
