"""The coverage report on the seeded province: the registry app seeds the 5 clusters and 130 communes (no
leaders, no members, no commune office contacts, as a fresh `make run`), notifications mirrors them, and
``GET /coverage`` says, commune by commune, who would hear of an incident at each severity. Appointing a
leader and giving a commune its office contact in the registry shows up in the report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import select

from services.notifications.app import create_app as create_notifications
from services.notifications.replica.models import CommuneReplica
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.support.apps import bearer, running, runtime_of
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

MUONG_XEN, THANH_VINH = "16813", "16681"
DESKS = {"department:duty-desk", "department:leadership"}


@pytest.fixture
async def province(
    common: dict[str, Any],
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, FastAPI, httpx.AsyncClient]]:
    registry = create_registry(RegistrySettings(**common))
    notifications = create_notifications(NotificationsSettings(**common, delivery_worker_enabled=False))
    async with running(registry) as registry_client, running(notifications) as client:

        async def communes() -> int:
            async with runtime_of(notifications).sessions() as session:
                return int((await session.exec(select(func.count()).select_from(CommuneReplica))).one())

        await wait_for(communes, until=lambda n: n == 130, message="130 communes in the replica")
        yield registry, registry_client, notifications, client


async def coverage(app: FastAPI, client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/coverage", params=params, headers=bearer(app, Role.DEPARTMENT_OFFICER))
    assert response.status_code == 200, response.text
    return dict(response.json())


def by_commune(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["commune_code"]: item for item in report["items"]}


def heard_at(item: dict[str, Any], severity: str) -> dict[str, dict[str, Any]]:
    [level] = [s for s in item["severities"] if s["severity"] == severity]
    return {heard["key"]: heard for heard in level["heard"]}


async def test_the_seeded_province_shows_that_nobody_local_would_hear_anywhere_until_the_registry_says_who(
    province: tuple[FastAPI, httpx.AsyncClient, FastAPI, httpx.AsyncClient],
) -> None:
    registry, registry_client, notifications, client = province
    report = await coverage(notifications, client)
    # 108 communes are in a cluster with nobody; the other 22 the Department directs, its duty desk hears.
    assert (report["communes"], report["nobody_local"]) == (130, 108)
    assert report["gaps"] == {"cluster_leader": 108, "cluster_members": 108, "commune_office": 130}

    muong_xen = by_commune(report)[MUONG_XEN]
    assert (muong_xen["commune_name"], muong_xen["cluster_no"], muong_xen["nobody_local"]) == (
        "Xã Mường Xén",
        1,
        True,
    )
    assert [gap["text"] for gap in muong_xen["gaps"]] == [
        "Cụm 1 chưa có cụm trưởng",
        "Cụm 1 chưa có thành viên",
        "Xã Mường Xén chưa có đầu mối Phòng Văn hóa - Xã hội",
    ]
    assert [s["severity_label"] for s in muong_xen["severities"]] == [
        "Đặc biệt nghiêm trọng",
        "Nghiêm trọng",
        "Trung bình",
        "Thấp",
    ]
    critical, low = heard_at(muong_xen, "critical"), heard_at(muong_xen, "low")
    assert set(critical) == DESKS and set(low) == {"department:duty-desk"}  # someone, always
    desk = low["department:duty-desk"]
    assert sorted(desk["stands_in_for"]) == ["cluster_leader", "cluster_members", "commune_office"]
    assert desk["email"] == "vanphong@nghean.edu.vn" and "Cụm trưởng" in desk["stands_in_for_labels"]
    # A ward the Department directs itself: its duty desk is the cluster there, only the office is missing.
    vinh = by_commune(report)[THANH_VINH]
    assert (vinh["cluster_no"], [gap["role"] for gap in vinh["gaps"]]) == (None, ["commune_office"])
    assert vinh["nobody_local"] is False
    assert heard_at(vinh, "low")["department:duty-desk"]["roles"] == ["cluster_leader", "cluster_members"]

    # The registry appoints cluster 1's leader and gives Mường Xén its office's contact.
    admin = bearer(registry, Role.DEPARTMENT_ADMIN)
    created = await registry_client.post(
        "/staff",
        json={
            "code": "CB0101",
            "full_name": "Lữ Văn Thanh",
            "roles": ["department_official"],
            "email": "thanh.lv@nghean.edu.vn",
            "phone": "0912345678",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    appointed = await registry_client.post(
        "/clusters/1/members",
        json={"staff_code": "CB0101", "role": "leader", "valid_from": "2025-07-01"},
        headers=admin,
    )
    assert appointed.status_code == 201, appointed.text
    office = await registry_client.patch(
        f"/communes/{MUONG_XEN}",
        json={"culture_office_head": "Vi Thị Hoa", "culture_office_email": "vhxh.muongxen@nghean.gov.vn"},
        headers=admin,
    )
    assert office.status_code == 200, office.text

    def known(report: dict[str, Any]) -> bool:  # both changes reached the replica (in either order)
        return [gap["role"] for gap in by_commune(report)[MUONG_XEN]["gaps"]] == ["cluster_members"]

    report = await wait_for(
        lambda: coverage(notifications, client, cluster_no=1), until=known, message="the leader"
    )
    muong_xen = by_commune(report)[MUONG_XEN]
    assert muong_xen["nobody_local"] is False
    critical = heard_at(muong_xen, "critical")
    assert (critical["staff:CB0101"]["name"], critical["staff:CB0101"]["roles"]) == (
        "Lữ Văn Thanh",
        ["cluster_leader"],
    )
    assert critical[f"commune-office:{MUONG_XEN}"]["email"] == "vhxh.muongxen@nghean.gov.vn"
    assert critical["department:duty-desk"]["stands_in_for"] == ["cluster_members"]
    assert all(s["reaches_locally"] for s in muong_xen["severities"])
    # Every commune of cluster 1 now has its leader; the other clusters still have nobody.
    assert report["nobody_local"] == 0 and report["communes"] == len(report["items"])
    everywhere = await coverage(notifications, client, nobody_local_only=True)
    assert everywhere["nobody_local"] == 108 - report["communes"] == len(everywhere["items"])

    leader = await client.get("/coverage", headers=bearer(notifications, Role.CLUSTER_LEADER, cluster_no=1))
    assert leader.status_code == 403  # the report is the Department's
