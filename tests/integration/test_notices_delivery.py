"""A notice from the Department to the principals of cluster 1 and to cluster 1's communes' Offices of
Culture and Social Affairs, over the real broker, on SQLite and PostgreSQL: the notices app publishes it,
the notifications app delivers it (a real SMTP server receives the email with the PDF attached; the inbox
and a webhook subscriber get it), once per person and channel, and the notices app follows each receipt:
delivered (from ``notifications.deliveries``), opened, acknowledged in the app or by the email's signed
link (once; a second use answers 410). Reminders before the reply date fire once across two instances.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI

from services.notices.app import create_app as create_notices
from services.notices.receipts.service import remind_due
from services.notices.replica.models import SchoolReplica as NoticesSchool
from services.notices.settings import NoticesSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.devmail.adapters import CaughtMail, MailCatcher, free_port
from services.notifications.replica.models import CommuneReplica, StaffReplica
from services.notifications.settings import NotificationsSettings
from services.notifications.webhooks.domain import verify
from shared.auth import Principal, Role
from shared.events.base import EventPayload
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.notices import (
    committee_email,
    email_of,
    notice_body,
    office_email,
    pdf_bytes,
    registry_states,
)
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

REMINDER = "vn.gov.nghean.edu.notices.notice.reminder_sent.v1"
CLUSTER_1_ADDRESSES = {
    email_of("P11A"): "school:S11A",
    email_of("P11B"): "school:S11B",
    email_of("S12"): "school:S12",  # no principal in the registry: the school's own address
    office_email("16001"): "commune-office:16001",
    office_email("16002"): "commune-office:16002",
}
INBOX_KEYS = ["commune-office:16001", "commune-office:16002", "school:S12", "staff:P11A", "staff:P11B"]


@dataclass
class Hooks:
    """A webhook receiver that answers the verification handshake and keeps what it was sent."""

    port: int
    secret: str = field(default_factory=lambda: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode())
    received: list[dict[str, Any]] = field(default_factory=list)

    async def on_hook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        assert verify(self.secret, dict(request.headers), raw)
        if body.get("type") == "webhook.verification":
            return web.json_response({"challenge": body["challenge"]})
        self.received.append(body)
        return web.json_response({})


@pytest.fixture
async def hooks() -> AsyncIterator[Hooks]:
    found = Hooks(free_port())
    app = web.Application()
    app.router.add_post("/hook", found.on_hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", found.port).start()
    yield found
    await runner.cleanup()


@pytest.fixture
def registry_seed() -> list[EventPayload]:
    """The province of ``tests.support.notices``: its clusters, communes, schools and people."""
    return registry_states()


@pytest.fixture
def notifications_settings(
    common: dict[str, Any], smtp: MailCatcher, new_database_url: Callable[[str], str]
) -> NotificationsSettings:
    return NotificationsSettings(
        **common,
        database_url=new_database_url("notifications"),
        smtp_port=smtp.port,
        delivery_poll_interval_s=0.05,
        kafka_session_timeout_ms=6_000,
        kafka_heartbeat_interval_ms=500,
    )


def notices_settings(common: dict[str, Any], database_url: str, **changes: Any) -> NoticesSettings:
    values = {
        **common,
        "database_url": database_url,
        "reminders_interval_s": 0.2,
        "kafka_session_timeout_ms": 6_000,
        "kafka_heartbeat_interval_ms": 500,
    }
    return NoticesSettings(**{**values, **changes})


async def notifications_replica_ready(app: FastAPI) -> bool:
    async with runtime_of(app).sessions() as session:
        people = [await session.get(StaffReplica, code) for code in ("P11A", "P11B", "P21")]
        communes = [await session.get(CommuneReplica, code) for code in ("16001", "16002", "16003")]
        return all(people) and all(communes)


async def notices_replica_ready(app: FastAPI) -> bool:
    async with runtime_of(app).sessions() as session:
        return all([await session.get(NoticesSchool, code) for code in ("S11A", "S11B", "S12", "S21")])


def token(app: FastAPI, subject: str, role: Role, **scope: Any) -> dict[str, str]:
    principal = Principal(subject=subject, role=role, **scope)
    return {"Authorization": f"Bearer {runtime_of(app).token_codec.mint(principal, timedelta(minutes=10))}"}


def mail_to(smtp: MailCatcher, address: str) -> list[CaughtMail]:
    return [mail for mail in smtp.messages() if address in mail.recipients]


def link_in(mail: CaughtMail, action: str) -> str:
    """The path and query of the signed link the email gives for ``action`` (open, acknowledge)."""
    found = re.search(rf"(http\S+/links/{action}\?\S+)", mail.body)
    assert found, mail.body
    url = urlsplit(found.group(1))
    return f"{url.path}?{url.query}"


async def publish_notice(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> tuple[str, bytes]:
    created = await client.post("/notices", json=notice_body(**changes), headers=headers)
    assert created.status_code == 201, created.text
    notice_id = created.json()["id"]
    pdf = pdf_bytes("Ke hoach nam hoc")
    attached = await client.post(
        f"/notices/{notice_id}/attachments",
        files={"file": ("Kế hoạch năm học.pdf", pdf, "application/pdf")},
        headers=headers,
    )
    assert attached.status_code == 201, attached.text
    published = await client.post(f"/notices/{notice_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return notice_id, pdf


async def report(client: httpx.AsyncClient, notice_id: str, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get(f"/notices/{notice_id}/receipts", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def states(found: dict[str, Any]) -> dict[str, str]:
    return {receipt["addressee_key"]: receipt["state"] for receipt in found["receipts"]}


async def test_a_notice_reaches_each_addressee_once_and_its_receipts_follow(
    common: dict[str, Any],
    new_database_url: Callable[[str], str],
    notifications_settings: NotificationsSettings,
    registry_node: MessagingNode,
    smtp: MailCatcher,
    hooks: Hooks,
) -> None:
    notices = create_notices(notices_settings(common, new_database_url("notices"), jobs_enabled=False))
    notifications = create_notifications(notifications_settings)
    async with running(notices) as client, running(notifications) as notifier:
        await wait_for(lambda: notices_replica_ready(notices), message="the notices replica")
        await wait_for(
            lambda: notifications_replica_ready(notifications), message="the notifications replica"
        )
        subscribed = await notifier.post(
            "/webhooks/subscriptions",
            json={
                "url": f"http://127.0.0.1:{hooks.port}/hook",
                "event_types": ["notices.notice.*"],
                "secret": hooks.secret,
            },
            headers=token(notifications, "partner", Role.INTEGRATION_CLIENT, grants=["cluster:1"]),
        )
        assert subscribed.status_code == 201, subscribed.text
        officer = bearer(notices, Role.DEPARTMENT_OFFICER)
        notice_id, pdf = await publish_notice(client, officer)

        # Email: each addressee once, with the PDF attached and its own signed links; nobody else.
        await wait_for(
            lambda: _async(len(smtp.messages())), until=lambda n: n >= 5, message="five emails", within=60
        )
        for address in CLUSTER_1_ADDRESSES:
            [mail] = mail_to(smtp, address)
            assert mail.subject == "[Công văn 123/SGDĐT-VP] Về việc chuẩn bị năm học mới"
            assert mail.attachments == [("Kế hoạch năm học.pdf", "application/pdf", pdf)]
            assert f"to={CLUSTER_1_ADDRESSES[address].replace(':', '%3A')}" in link_in(mail, "acknowledge")
        for outsider in (email_of("P21"), office_email("16003"), committee_email("16001"), email_of("L1")):
            assert mail_to(smtp, outsider) == []

        # The inbox of each, and the webhook subscriber without the addressees' links or the bytes.
        inbox = await notifier.get(
            "/deliveries", params={"subject": f"notice/{notice_id}", "channel": "in_app", "limit": 100},
            headers=bearer(notifications, Role.DEPARTMENT_OFFICER),
        )  # fmt: skip
        assert sorted(d["recipient_key"] for d in inbox.json()["items"]) == INBOX_KEYS
        p11a = token(notifications, "P11A", Role.SCHOOL_PRINCIPAL, school_id="S11A")
        own_inbox = await wait_for(
            lambda: notifier.get("/me/inbox", headers=p11a),
            until=lambda r: r.json()["total"] >= 1,
            message="the principal's inbox item",
        )
        assert [item["title"] for item in own_inbox.json()["items"]] == [
            "[Công văn 123/SGDĐT-VP] Về việc chuẩn bị năm học mới"
        ]
        [hook] = await wait_for(
            lambda: _async(hooks.received), until=lambda r: len(r) == 1, message="webhook"
        )
        assert hook["type"] == "vn.gov.nghean.edu.notices.notice.published.v1"
        assert hook["data"]["notice_id"] == notice_id
        assert "addressees" not in hook["data"]  # the addressees' signed links stay with them
        assert [a.get("content_base64") for a in hook["data"]["attachments"]] == [None]

        # Delivered: notices heard every email and inbox delivery from notifications.deliveries.
        found = await wait_for(
            lambda: report(client, notice_id, officer),
            until=lambda r: (
                len(r["receipts"]) == 5
                and all(receipt["delivered_channels"] == ["email", "in_app"] for receipt in r["receipts"])
            ),
            message="every receipt delivered by email and to the inbox",
            within=60,
        )
        assert set(states(found).values()) == {"delivered"}
        assert found["totals"]["delivered"] == 5
        assert [(c["cluster_no"], c["expected"]) for c in found["by_cluster"]] == [(1, 5)]
        assert [(c["commune_code"], c["expected"]) for c in found["by_commune"]] == [
            ("16001", 3),
            ("16002", 2),
        ]

        # Opened by reading it; acknowledged in the app by a principal and by a commune officer.
        principal = bearer(notices, Role.SCHOOL_PRINCIPAL, school_id="S11A")
        assert (await client.get(f"/notices/{notice_id}", headers=principal)).status_code == 200
        assert states(await report(client, notice_id, officer))["school:S11A"] == "opened"
        acknowledged = await client.post(f"/notices/{notice_id}/acknowledge", headers=principal)
        assert [(r["addressee_key"], r["acknowledged_via"]) for r in acknowledged.json()] == [
            ("school:S11A", "app")
        ]
        officer_16001 = bearer(notices, Role.COMMUNE_OFFICER, commune_code="16001")
        assert (
            await client.post(f"/notices/{notice_id}/acknowledge", headers=officer_16001)
        ).status_code == 200
        outsider = bearer(notices, Role.SCHOOL_PRINCIPAL, school_id="S21")
        for reader, seen in (
            (principal, [notice_id]),
            (officer_16001, [notice_id]),
            (outsider, []),
            (bearer(notices, Role.CLUSTER_MEMBER, cluster_no=1), [notice_id]),
            (bearer(notices, Role.CLUSTER_LEADER, cluster_no=2), []),
        ):
            listed = await client.get("/notices", headers=reader)
            assert [n["id"] for n in listed.json()["items"]] == seen, listed.text
        assert (await client.get(f"/notices/{notice_id}", headers=outsider)).status_code == 404
        assert (await client.post(f"/notices/{notice_id}/acknowledge", headers=outsider)).status_code == 404

        # The school without a known principal acknowledges by the signed link of its email: once.
        [s12_mail] = mail_to(smtp, email_of("S12"))
        opened = await client.get(link_in(s12_mail, "open"))
        assert (opened.status_code, opened.json()["receipt"]["state"]) == (200, "opened")
        link = link_in(s12_mail, "acknowledge")
        shown = await client.get(link)
        assert (
            shown.status_code == 200 and shown.json()["receipt"]["state"] == "opened"
        )  # looking is not acknowledging
        used = await client.post(link)
        assert (used.status_code, used.json()["receipt"]["acknowledged_via"]) == (200, "link")
        again = await client.post(link)
        assert (again.status_code, again.json()["rule"]) == (410, "link_used")
        page = await client.post(link, headers={"Accept": "text/html"})
        assert page.status_code == 410 and "đã được xác nhận" in page.text and "<html" in page.text
        forged = await client.post(link.replace("school%3AS12", "school%3AS11B"))
        assert forged.status_code == 403  # bound to its addressee

        final = await report(client, notice_id, officer)
        assert states(final) == {
            "commune-office:16001": "acknowledged",
            "commune-office:16002": "delivered",
            "school:S11A": "acknowledged",
            "school:S11B": "delivered",
            "school:S12": "acknowledged",
        }
        assert final["totals"] == {
            "expected": 5,
            "delivered": 5,
            "opened": 3,
            "acknowledged": 3,
            "unacknowledged": 2,
        }
        silent = await client.get("/receipts/unacknowledged", params={"older_than_days": 0}, headers=officer)
        assert sorted(r["addressee_key"] for r in silent.json()) == ["commune-office:16002", "school:S11B"]
        assert (
            await client.get("/receipts/unacknowledged", params={"older_than_days": 1}, headers=officer)
        ).json() == []
        leader_2 = bearer(notices, Role.CLUSTER_LEADER, cluster_no=2)
        assert (await client.get(f"/notices/{notice_id}/receipts", headers=leader_2)).status_code == 404
        leader_1 = bearer(notices, Role.CLUSTER_LEADER, cluster_no=1)
        assert (await report(client, notice_id, leader_1, commune_code="16002"))["totals"]["expected"] == 2

        # Nothing was sent twice.
        assert sorted(address for mail in smtp.messages() for address in mail.recipients) == sorted(
            CLUSTER_1_ADDRESSES
        )


async def _async(value: Any) -> Any:
    return value


async def test_reminders_before_the_reply_date_fire_once_across_two_instances(
    common: dict[str, Any],
    new_database_url: Callable[[str], str],
    notifications_settings: NotificationsSettings,
    registry_node: MessagingNode,
    smtp: MailCatcher,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    database = new_database_url("notices")
    first = create_notices(notices_settings(common, database, jobs_enabled=False))
    notifications = create_notifications(notifications_settings)
    async with running(first) as client, running(notifications):
        await wait_for(lambda: notices_replica_ready(first), message="the notices replica")
        await wait_for(
            lambda: notifications_replica_ready(notifications), message="the notifications replica"
        )
        officer = bearer(first, Role.DEPARTMENT_OFFICER)
        soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        notice_id, _ = await publish_notice(client, officer, reply_by=soon)
        acknowledged = await client.post(
            f"/notices/{notice_id}/acknowledge",
            headers=bearer(first, Role.SCHOOL_PRINCIPAL, school_id="S11A"),
        )
        assert acknowledged.status_code == 200
        await wait_for(
            lambda: _async(len(smtp.messages())), until=lambda n: n >= 5, message="the notice's emails"
        )

        # Two instances with the reminder job on, each passing every 0.2 s over the same receipts.
        settings = notices_settings(common, database, seed_on_start=False)
        second, third = create_notices(settings), create_notices(settings)
        async with running(second), running(third):
            await wait_for(
                lambda: _async([m for m in smtp.messages() if m.subject.startswith("[Nhắc]")]),
                until=lambda found: len(found) >= 4,
                message="four reminder emails",
                within=60,
            )
            # Whatever either instance tries now finds nobody left to remind.
            for instance in (second, third):
                async with runtime_of(instance).messaging.unit_of_work() as uow:
                    again = await remind_due(
                        uow=uow, now=datetime.now(UTC), lead=timedelta(hours=48), secret="x", base_url="x"
                    )
                assert again == 0
        records = await read_topic(
            kafka_bootstrap_servers, topic_prefix + "notices.events", expected=100, timeout_s=3
        )
        # Several relays on one SQLite file may each publish a row (at least once); consumers keep one per id.
        records = list({headers_of(r)["ce_id"]: r for r in records}.values())
        reminders = [json.loads(r.value) for r in records if headers_of(r)["ce_type"] == REMINDER]
        assert sorted(r["addressee"]["key"] for r in reminders) == [
            "commune-office:16001",
            "commune-office:16002",
            "school:S11B",
            "school:S12",
        ]  # the one who acknowledged is not reminded
        reminder_mail = [m for m in smtp.messages() if m.subject.startswith("[Nhắc]")]
        assert sorted(a for m in reminder_mail for a in m.recipients) == sorted(
            a for a, key in CLUSTER_1_ADDRESSES.items() if key != "school:S11A"
        )
        [s12] = [m for m in reminder_mail if email_of("S12") in m.recipients]
        assert (
            await client.post(link_in(s12, "acknowledge"))
        ).status_code == 200  # the reminder's link works
