"""Signing in with the identity provider's tokens, scoped by the registry on every request (issue 13).

The provider is a stand-in with real RS256 signatures whose keys the apps fetch over real HTTP
(tests/support/identity.py); the registry seeds the demo people the real provider's realm has, and the
other services learn them through Kafka. What a token may do follows the registry at once: a leader moved
to another cluster sees that cluster with the token they already hold. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from services.activities.app import create_app as create_activities
from services.activities.replica.models import MembershipReplica as ActivitiesMembership
from services.activities.settings import ActivitiesSettings
from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaMembership, ReplicaSchool, ReplicaStaff
from services.incidents.settings import IncidentsSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.replica.models import StaffReplica as NotificationsStaff
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.clock import today_in_vietnam, utc_now
from tests.support.apps import bearer, running, runtime_of
from tests.support.identity import LocalProvider, bearer_header
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

DEMO_SCHOOL = "MAU-DEMO-01"  # the registry's demo school, in cluster 1 (no sample schools here)
CLUSTER_2_SCHOOL, CLUSTER_2_COMMUNE = "29020001", "17230"  # Xã Bình Chuẩn (former Con Cuông district)
NEW_LEADER = "CB-C1-NEW"
CONSUMER_TIMINGS = {"kafka_session_timeout_ms": 6_000, "kafka_heartbeat_interval_ms": 500}


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with LocalProvider().serving() as serving:
        yield serving


@pytest.fixture
async def registry(
    common: dict[str, Any], new_database_url: Callable[[str], str], provider: LocalProvider
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = RegistrySettings(
        **common, **provider.settings(), database_url=new_database_url("registry"), seed_demo_people=True
    )
    app = create_registry(settings)
    async with running(app) as client:
        yield app, client


def incident(school_code: str, title: str) -> dict[str, Any]:
    return {
        "school_code": school_code,
        "category": "dangerous_building",
        "title": title,
        "description": "Tường rào phía tây nứt sau mưa",
        "occurred_at": (utc_now() - timedelta(hours=1)).isoformat(),
    }


async def test_a_token_acts_for_what_the_registry_says_now(
    registry: tuple[FastAPI, httpx.AsyncClient],
    common: dict[str, Any],
    new_database_url: Callable[[str], str],
    provider: LocalProvider,
) -> None:
    registry_app, registry_client = registry
    admin = bearer(registry_app, Role.DEPARTMENT_ADMIN)  # a development token: the registry's own set-up
    school = {"code": CLUSTER_2_SCHOOL, "name": "Trường TH Bình Chuẩn", "level": "primary"}
    created = await registry_client.post(
        "/schools", json={**school, "commune_code": CLUSTER_2_COMMUNE}, headers=admin
    )
    assert created.status_code == 201, created.text
    newcomer = {"code": NEW_LEADER, "full_name": "Đặng Hữu Phúc", "roles": ["department_official"]}
    assert (await registry_client.post("/staff", json=newcomer, headers=admin)).status_code == 201

    settings = IncidentsSettings(
        **common,
        **provider.settings(),
        **CONSUMER_TIMINGS,
        database_url=new_database_url("incidents"),
        scheduler_enabled=False,
    )
    incidents_app = create_incidents(settings)
    async with running(incidents_app) as incidents:

        async def replica_ready() -> bool:
            async with runtime_of(incidents_app).sessions() as session:
                schools = [await session.get(ReplicaSchool, code) for code in (DEMO_SCHOOL, CLUSTER_2_SCHOOL)]
                people = [await session.get(ReplicaStaff, code) for code in ("DEMO-C1-LEAD", "DEMO-HT-001")]
            return all(schools) and all(people)

        await wait_for(replica_ready, message="the demo people and both schools in the incidents replica")
        department = bearer(incidents_app, Role.DEPARTMENT_OFFICER)
        in_cluster_1 = await incidents.post(
            "/incidents", json=incident(DEMO_SCHOOL, "C1"), headers=department
        )
        in_cluster_2 = await incidents.post(
            "/incidents", json=incident(CLUSTER_2_SCHOOL, "C2"), headers=department
        )
        assert (in_cluster_1.status_code, in_cluster_1.json()["cluster_no"]) == (201, 1), in_cluster_1.text
        assert (in_cluster_2.status_code, in_cluster_2.json()["cluster_no"]) == (201, 2), in_cluster_2.text
        c1, c2 = in_cluster_1.json()["id"], in_cluster_2.json()["id"]

        async def seen(headers: dict[str, str]) -> list[str] | int:
            answer = await incidents.get("/incidents", headers=headers)
            return sorted(i["id"] for i in answer.json()) if answer.status_code == 200 else answer.status_code

        # The token says who the caller is; the registry says they lead cluster 1.
        leader = bearer_header(provider.access_token("cumtruong.1"))
        assert await seen(leader) == [c1]
        schools = (await registry_client.get("/schools", headers=leader)).json()
        assert {s["cluster_no"] for s in schools["items"]} == {1} and DEMO_SCHOOL in {
            s["code"] for s in schools["items"]
        }

        # A new leader's first day closes this one's period: the registry publishes both people again,
        # and the same token loses cluster 1 everywhere at once.
        today = today_in_vietnam()
        appoint = {"staff_code": NEW_LEADER, "role": "leader", "valid_from": today.isoformat()}
        assert (
            await registry_client.post("/clusters/1/members", json=appoint, headers=admin)
        ).status_code == 201
        refused = await registry_client.get("/schools", headers=leader)
        assert refused.status_code == 403 and "DEMO-C1-LEAD" in refused.json()["detail"]

        async def periods_of_the_replaced_leader() -> list[tuple[int, str, Any]]:
            async with runtime_of(incidents_app).sessions() as session:
                query = select(ReplicaMembership).where(ReplicaMembership.staff_code == "DEMO-C1-LEAD")
                rows = (await session.exec(query.order_by(col(ReplicaMembership.valid_from)))).all()
            return [(row.cluster_no, row.role, row.valid_to) for row in rows]

        closed = [(1, "leader", today - timedelta(days=1))]
        await wait_for(periods_of_the_replaced_leader, until=lambda p: p == closed, message="closed period")
        assert await seen(leader) == 403

        # Moved to lead cluster 2: the token they already hold now sees cluster 2, and not cluster 1.
        moved = {"staff_code": "DEMO-C1-LEAD", "role": "leader", "valid_from": today.isoformat()}
        assert (
            await registry_client.post("/clusters/2/members", json=moved, headers=admin)
        ).status_code == 201
        schools = (await registry_client.get("/schools", headers=leader)).json()
        assert [s["code"] for s in schools["items"]] == [CLUSTER_2_SCHOOL]
        assert await wait_for(lambda: seen(leader), until=lambda ids: ids == [c2]) == [c2]
        assert (await incidents.get(f"/incidents/{c1}", headers=leader)).status_code == 404

        # Somebody the registry does not know is told so, by name, in every service.
        stranger = bearer_header(
            provider.mint(subject="kc-x", roles=["cluster_leader"], staff_code="NOBODY-42", name="Ai Đó")
        )
        for client in (incidents, registry_client):
            answer = await client.get("/incidents" if client is incidents else "/schools", headers=stranger)
            assert answer.status_code == 403 and "NOBODY-42" in answer.json()["detail"], answer.text

        # A token without a staff code names its person by email (as the registry spells it or not).
        officer = bearer_header(
            provider.access_token("canbo.xa", staff_code=None, email="CANBO.XA@demo.edu-clusters.vn")
        )
        assert [
            s["code"] for s in (await registry_client.get("/schools", headers=officer)).json()["items"]
        ] == [DEMO_SCHOOL]
        assert await seen(officer) == [c1]

        # A principal acts for the school the registry gives them: a report without a school is theirs.
        principal = bearer_header(provider.access_token("hieutruong.mau"))
        assert await seen(principal) == [c1]
        theirs = await incidents.post(
            "/incidents", json={**incident(DEMO_SCHOOL, "HT"), "school_code": None}, headers=principal
        )
        assert (theirs.status_code, theirs.json()["school_code"]) == (201, DEMO_SCHOOL), theirs.text
        elsewhere = await incidents.post(
            "/incidents", json=incident(CLUSTER_2_SCHOOL, "X"), headers=principal
        )
        assert elsewhere.status_code == 403

        # An integration client acts by its grants, with no registry person behind it.
        dms = bearer_header(provider.client_token("provincial-dms", grants=["cluster:2"]))
        assert await seen(dms) == [c2]


async def test_activities_and_notifications_scope_people_by_their_replicas(
    registry: tuple[FastAPI, httpx.AsyncClient],
    common: dict[str, Any],
    new_database_url: Callable[[str], str],
    provider: LocalProvider,
) -> None:
    activities_app = create_activities(
        ActivitiesSettings(
            **common, **provider.settings(), **CONSUMER_TIMINGS, database_url=new_database_url("activities")
        )
    )
    notifications_app = create_notifications(
        NotificationsSettings(
            **common,
            **provider.settings(),
            **CONSUMER_TIMINGS,
            database_url=new_database_url("notifications"),
            mail_catcher=False,
            delivery_worker_enabled=False,
        )
    )
    async with running(activities_app) as activities, running(notifications_app) as notifications:

        async def memberships_in_activities() -> int:
            async with runtime_of(activities_app).sessions() as session:
                return len((await session.exec(select(ActivitiesMembership))).all())

        async def officer_in_notifications() -> bool:
            async with runtime_of(notifications_app).sessions() as session:
                return await session.get(NotificationsStaff, "DEMO-XA-001") is not None

        await wait_for(memberships_in_activities, until=lambda n: n == 2, message="the demo memberships")
        await wait_for(officer_in_notifications, message="the demo commune officer in notifications")

        # Activities: the registry's leader of cluster 1 proposes for cluster 1 only; its member sees it.
        leader = bearer_header(provider.access_token("cumtruong.1"))
        proposal = {
            "cluster_no": 1,
            "full_name": "Lô Văn Pó",
            "proposed_role": "core_principal",
            "justification": "Hiệu trưởng trường điểm",
        }
        assert (await activities.post("/proposals", json=proposal, headers=leader)).status_code == 201
        other = await activities.post("/proposals", json={**proposal, "cluster_no": 2}, headers=leader)
        assert (other.status_code, other.json()["field"]) == (403, "cluster_no")
        member = bearer_header(provider.access_token("thanhvien.1"))
        listed = await activities.get("/proposals", headers=member)
        assert [p["cluster_no"] for p in listed.json()] == [1], listed.text

        # Notifications: the commune officer the registry knows reads their inbox; a stranger is refused.
        officer = bearer_header(provider.access_token("canbo.xa"))
        assert (await notifications.get("/me/inbox", headers=officer)).status_code == 200
        stranger = bearer_header(
            provider.mint(subject="kc-y", roles=["commune_officer"], email="ai.do@example.vn")
        )
        for client, path in ((notifications, "/me/inbox"), (activities, "/proposals")):
            answer = await client.get(path, headers=stranger)
            assert answer.status_code == 403 and "ai.do@example.vn" in answer.json()["detail"], answer.text
