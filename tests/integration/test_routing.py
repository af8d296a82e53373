"""Routing that always reaches someone, end to end on the real broker and a real SMTP server: the incidents
and notifications apps in-process, a stand-in registry publishing through its own outbox.

- A school of a cluster without a leader: the members and the commune office hear at once, the duty desk
  stands in for the leader, the timeline names the vacancy, and the leader's escalation step goes
  straight to the Department office.
- A school where the registry has nobody (Xã Mường Xén, as on the issue's run): the duty desk hears at
  once for everyone missing, and the incident counts as one whose first step reached nobody.
- The reporter hears back: one email when the report is taken in hand and one when it is settled; the
  principal and the commune officer see the same in their inbox. In words, not codes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaSchool, ReplicaStaff
from services.incidents.settings import IncidentsSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.devmail.adapters import CaughtMail, MailCatcher
from services.notifications.replica.models import CommuneReplica, StaffReplica
from services.notifications.settings import NotificationsSettings
from shared.auth import Principal, Role
from shared.clock import VIETNAM
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.base import EventPayload
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentReportedV1,
    IncidentResolvedV1,
)
from shared.events.registry import ClusterMembershipV1
from tests.support.apps import running, runtime_of
from tests.support.harness import start_stand_in_registry
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

THAI_HOA, MUONG_XEN = "16939", "16813"
SCHOOL_3, SCHOOL_1 = "29000301", "29000101"
OFFICE_EMAIL = "vhxh.thaihoa@example.vn"
DUTY_DESK = "vanphong@nghean.edu.vn"
SINCE = date(2025, 7, 1)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def email_of(code: str) -> str:
    return f"{code.lower()}@example.vn"


def person(code: str, *, roles: list[str], **facts: Any) -> StaffStateV1:
    return StaffStateV1(
        code=code,
        full_name=f"Cán bộ {code}",
        roles=roles,
        email=email_of(code),
        version=1,
        updated_at=datetime.now(UTC),
        **facts,
    )


def member_of(cluster_no: int, role: str) -> list[ClusterMembershipV1]:
    return [ClusterMembershipV1(cluster_no=cluster_no, role=role, valid_from=SINCE)]  # type: ignore[arg-type]


def province(*, leader_of_3: str | None) -> list[EventPayload]:
    """Cluster 3 (Thái Hòa) has a member and a commune office, and a leader only if given; cluster 1
    (Mường Xén) has nobody, and its commune no office contact."""
    now = datetime.now(UTC)
    states: list[EventPayload] = [
        ClusterStateV1(
            cluster_no=3,
            name="Cụm 3",
            office_host_unit="x",
            leader_staff_code=leader_of_3,
            version=1,
            updated_at=now,
        ),
        ClusterStateV1(cluster_no=1, name="Cụm 1", office_host_unit="x", version=1, updated_at=now),
        CommuneStateV1(
            gso_code=THAI_HOA,
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
        CommuneStateV1(
            gso_code=MUONG_XEN,
            name="Xã Mường Xén",
            kind="commune",
            old_district_code="413",
            old_district_name="Huyện Kỳ Sơn",
            cluster_no=1,
            version=1,
            updated_at=now,
        ),
        SchoolStateV1(
            code=SCHOOL_3,
            name="Trường Tiểu học Hòa Hiếu",
            level="primary",
            commune_code=THAI_HOA,
            cluster_no=3,
            principal_staff_code="P301",
            version=1,
            updated_at=now,
        ),
        SchoolStateV1(
            code=SCHOOL_1,
            name="Trường PTDTBT Tiểu học Mường Xén",
            level="primary",
            commune_code=MUONG_XEN,
            cluster_no=1,
            version=1,
            updated_at=now,
        ),
        person("M301", roles=["department_official"], memberships=member_of(3, "member")),
        person("P301", roles=["principal"], school_code=SCHOOL_3),
        person("C301", roles=["commune_officer"], commune_code=THAI_HOA),
    ]
    if leader_of_3:
        states.append(person(leader_of_3, roles=["department_official"], memberships=member_of(3, "leader")))
    return states


@dataclass
class Stack:
    incidents: FastAPI
    incidents_client: httpx.AsyncClient
    notifications: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock
    smtp: MailCatcher

    def as_(self, app: FastAPI, subject: str, role: Role, **scope: Any) -> dict[str, str]:
        principal = Principal(subject=subject, role=role, **scope)
        token = runtime_of(app).token_codec.mint(principal, timedelta(minutes=30))
        return {"Authorization": f"Bearer {token}"}

    @property
    def officer(self) -> dict[str, str]:
        return self.as_(self.notifications, "officer@so", Role.DEPARTMENT_OFFICER)

    def mail_to(self, address: str) -> list[CaughtMail]:
        return [mail for mail in self.smtp.messages() if address in mail.recipients]

    async def report(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        response = await self.incidents_client.post(
            "/incidents",
            json={
                "title": "Tường lớp học nứt",
                "description": "Tường phía tây nứt sau mưa lớn",
                "occurred_at": (self.clock.now - timedelta(minutes=10)).isoformat(),
                **body,
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def timeline(self, incident_id: str) -> list[dict[str, Any]]:
        headers = self.as_(self.incidents, "officer@so", Role.DEPARTMENT_OFFICER)
        response = await self.incidents_client.get(f"/incidents/{incident_id}/timeline", headers=headers)
        return list(response.json())

    async def settled(self, incident_id: str, event_type: str) -> dict[str, Any]:
        """The deliveries of the incident's event of that type, once every one is delivered or failed."""

        async def status() -> dict[str, Any]:
            listed = await self.client.get(
                "/deliveries",
                params={"subject": f"incident/{incident_id}", "limit": 200},
                headers=self.officer,
            )
            ids = {d["source_event_id"] for d in listed.json()["items"] if d["event_type"] == event_type}
            if not ids:
                return {"by_state": {"none yet": 1}, "deliveries": []}
            [event_id] = ids
            return dict(
                (await self.client.get(f"/events/{event_id}/deliveries", headers=self.officer)).json()
            )

        return await wait_for(
            status,
            until=lambda s: bool(s["deliveries"]) and set(s["by_state"]) <= {"delivered", "failed"},
            message=f"the deliveries of {event_type}",
        )

    async def inbox(self, subject: str, role: Role, **scope: Any) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/me/inbox", headers=self.as_(self.notifications, subject, role, **scope)
        )
        return list(response.json()["items"])


@pytest.fixture
def stack_for(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    quick_common: dict[str, Any],
    sqlite_url: Callable[[str], str],
    smtp: MailCatcher,
) -> Callable[..., AbstractAsyncContextManager[Stack]]:
    @asynccontextmanager
    async def start(*, leader_of_3: str | None) -> AsyncIterator[Stack]:
        registry = await start_stand_in_registry(
            bootstrap=kafka_bootstrap_servers,
            prefix=topic_prefix,
            database_url=sqlite_url("reg"),
            states=province(leader_of_3=leader_of_3),
        )
        clock = FakeClock()
        incidents = create_incidents(
            IncidentsSettings(**quick_common, database_url=sqlite_url("incidents"), scheduler_enabled=False),
            clock=clock,
        )
        notifications = create_notifications(
            NotificationsSettings(
                **quick_common,
                database_url=sqlite_url("notifications"),
                smtp_port=smtp.port,
                delivery_poll_interval_s=0.05,
            ),
            clock=clock,
        )
        people = ["M301", "P301", "C301", *([leader_of_3] if leader_of_3 else [])]
        try:
            async with running(incidents) as incidents_client, running(notifications) as client:

                async def replicas_ready() -> bool:
                    async with runtime_of(incidents).sessions() as session:
                        known = [await session.get(ReplicaSchool, code) for code in (SCHOOL_1, SCHOOL_3)]
                        known += [await session.get(ReplicaStaff, code) for code in people]
                    async with runtime_of(notifications).sessions() as session:
                        known += [await session.get(StaffReplica, code) for code in people]
                        known += [await session.get(CommuneReplica, code) for code in (THAI_HOA, MUONG_XEN)]
                    return all(row is not None for row in known)

                await wait_for(replicas_ready, message="the registry in both replicas")
                yield Stack(incidents, incidents_client, notifications, client, clock, smtp)
        finally:
            await registry.stop()

    return start


async def test_a_cluster_without_a_leader_reaches_its_members_and_the_commune_office_at_once(
    stack_for: Callable[..., AbstractAsyncContextManager[Stack]],
) -> None:
    async with stack_for(leader_of_3=None) as stack:
        officer = stack.as_(stack.incidents, "officer@so", Role.DEPARTMENT_OFFICER)
        incident = await stack.report(
            officer, school_code=SCHOOL_3, category="dangerous_building", severity="high"
        )
        assert (incident["cluster_no"], incident["route"]) == (3, "cluster")

        # The timeline says who was missing and who stands in.
        routed = next(entry for entry in await stack.timeline(incident["id"]) if entry["kind"] == "routed")
        assert routed["detail"].endswith("cụm 3 chưa có cụm trưởng: chuyển Văn phòng Sở")

        # At once: the member and the commune office by email and inbox; the duty desk for the leader.
        status = await stack.settled(incident["id"], IncidentReportedV1.event_type)
        got = {(d["recipient_key"], d["channel"]): d for d in status["deliveries"]}
        assert set(got) == {
            (key, channel)
            for key in ("staff:M301", f"commune-office:{THAI_HOA}", "staff:C301", "department:duty-desk")
            for channel in ("email", "in_app")
        }
        assert got[("department:duty-desk", "email")]["stands_in_for"] == ["cluster_leader"]
        assert got[("staff:M301", "email")]["stands_in_for"] == []
        assert status["vacancies"] == [{"role": "cluster_leader", "scope": "3"}]
        assert status["unreached"] is False
        for address in (email_of("M301"), OFFICE_EMAIL, DUTY_DESK):
            assert len(stack.mail_to(address)) == 1, address
        [desk_mail] = stack.mail_to(DUTY_DESK)
        assert "thay cho: Cụm trưởng" in desk_mail.body and "Cụm 3 chưa có cụm trưởng" in desk_mail.body
        assert "Công trình mất an toàn" in desk_mail.subject and "dangerous_building" not in desk_mail.body

        # The leader's escalation step passes at once to the Department office, and the timeline says why.
        stack.clock.now += timedelta(minutes=61)  # past the hour a high incident has to be taken in hand
        [escalated] = await stack.incidents.state.scheduler.tick()
        assert (escalated.step, escalated.level, escalated.notify_role, escalated.vacant_roles) == (
            1,
            "department_office",
            "department_officer",
            ["cluster_leader"],
        )
        last = (await stack.timeline(incident["id"]))[-1]
        assert last["kind"] == "escalated"
        assert last["detail"].endswith("cụm 3 chưa có cụm trưởng: chuyển Văn phòng Sở")

        # Where the registry has nobody at all, the duty desk hears at once for each of them.
        remote = await stack.report(
            officer, school_code=SCHOOL_1, category="food_poisoning", people={"injured": 60}
        )
        routed = next(entry for entry in await stack.timeline(remote["id"]) if entry["kind"] == "routed")
        assert routed["detail"].endswith(
            "cụm 1 chưa có cụm trưởng và thành viên; Xã Mường Xén chưa có đầu mối Phòng Văn hóa - Xã hội: "
            "chuyển Văn phòng Sở"
        )
        status = await stack.settled(remote["id"], IncidentReportedV1.event_type)
        got = {(d["recipient_key"], d["channel"]): d for d in status["deliveries"]}
        assert {key for key, _channel in got} == {"department:duty-desk", "department:leadership"}
        assert sorted(got[("department:duty-desk", "email")]["stands_in_for"]) == [
            "cluster_leader",
            "cluster_members",
            "commune_office",
        ]
        assert status["unreached"] is True
        registry = runtime_of(stack.notifications).metrics.registry
        assert registry.get_sample_value("notification_incidents_unreached_total", {"cluster": "1"}) == 1
        assert registry.get_sample_value("notification_incidents_unreached_total", {"cluster": "3"}) is None


async def test_the_reporter_hears_once_when_taken_in_hand_and_once_when_settled(
    stack_for: Callable[..., AbstractAsyncContextManager[Stack]],
) -> None:
    async with stack_for(leader_of_3="L301") as stack:
        principal = stack.as_(stack.incidents, "P301", Role.SCHOOL_PRINCIPAL, school_id=SCHOOL_3)
        incident = await stack.report(principal, school_code=SCHOOL_3, category="dangerous_building")
        await stack.settled(incident["id"], IncidentReportedV1.event_type)
        assert stack.mail_to(email_of("P301")) == []  # a principal's own report is not sent back to them

        member = stack.as_(stack.incidents, "M301", Role.CLUSTER_MEMBER, cluster_no=3)
        path = f"/incidents/{incident['id']}"
        assert (await stack.incidents_client.post(f"{path}/acknowledge", headers=member)).status_code == 200
        acknowledged = await stack.settled(incident["id"], IncidentAcknowledgedV1.event_type)
        assert (await stack.incidents_client.post(f"{path}/resolve", headers=member)).status_code == 200
        resolved = await stack.settled(incident["id"], IncidentResolvedV1.event_type)

        expected = {
            ("staff:P301", "email"),
            ("staff:P301", "in_app"),
            (f"commune-office:{THAI_HOA}", "in_app"),
        }
        expected.add(("staff:C301", "in_app"))
        for status in (acknowledged, resolved):
            assert {(d["recipient_key"], d["channel"]) for d in status["deliveries"]} == expected
            assert status["by_state"] == {"delivered": len(expected)}

        # One email each, in words, in Vietnam's time.
        mails = stack.mail_to(email_of("P301"))
        assert sorted(mail.subject.split("]")[0] for mail in mails) == ["[Đã giải quyết", "[Đã tiếp nhận"]
        taken = next(mail for mail in mails if mail.subject.startswith("[Đã tiếp nhận]"))
        assert "Công trình mất an toàn" in taken.subject and incident["reference"] in taken.subject
        assert "bởi: Thành viên cụm" in taken.body and "Trạng thái: Đã tiếp nhận" in taken.body
        local = stack.clock.now.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")
        assert f"lúc {local}" in taken.body
        for code in ("dangerous_building", "acknowledged", "resolved", "cluster_member", "medium"):
            assert all(code not in f"{mail.subject}\n{mail.body}" for mail in mails), code
        # The commune officer and the office hear only by inbox (they had the report by email).
        assert len(stack.mail_to(email_of("C301"))) == 1 and len(stack.mail_to(OFFICE_EMAIL)) == 1

        # The principal and the commune officer see the same in their inbox.
        for subject, role, scope in (
            ("P301", Role.SCHOOL_PRINCIPAL, {"school_id": SCHOOL_3}),
            ("C301", Role.COMMUNE_OFFICER, {"commune_code": THAI_HOA}),
        ):
            titles = [item["title"] for item in await stack.inbox(subject, role, **scope)]
            settled, taken_in_hand = titles[0], titles[1]  # newest first (the officer had the report too)
            assert settled.startswith("[Đã giải quyết]") and taken_in_hand.startswith("[Đã tiếp nhận]")
            assert incident["reference"] in settled
        assert len(await stack.inbox("P301", Role.SCHOOL_PRINCIPAL, school_id=SCHOOL_3)) == 2
        office = await stack.inbox(f"commune-office:{THAI_HOA}", Role.COMMUNE_OFFICER, commune_code=THAI_HOA)
        assert [item["title"][:15] for item in office][:2] == ["[Đã giải quyết]", "[Đã tiếp nhận] "]
        assert len(office) == 3  # the report, then the two notices
