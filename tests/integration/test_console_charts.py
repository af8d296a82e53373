"""The console's charts read the real incidents and activities services with the person's token: what a
chart shows is what the APIs let that person see, and a refusal or an absent service is passed on."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from services.activities.app import create_app as create_activities
from services.activities.replica.models import SchoolReplica
from services.activities.settings import ActivitiesSettings
from services.console.charts.api import charts_router
from services.console.charts.domain import week_label
from services.console.charts.queries import ChartSource
from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaSchool, ReplicaStaff
from services.incidents.settings import IncidentsSettings
from shared.auth import Role
from shared.clock import VIETNAM
from shared.events.topics import REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF
from shared.settings import Environment
from shared.web.errors import install_error_handlers
from tests.integration.test_incidents_api import SCHOOL_3, SCHOOL_4, body, registry_states
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode, node_settings
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

SVG_NS = {"svg": "http://www.w3.org/2000/svg"}
REPORTED = datetime.now(UTC) - timedelta(hours=3)
INCIDENTS, ACTIVITIES = "http://incidents.test", "http://activities.test"


class MovableClock:
    def __init__(self) -> None:
        self.now = REPORTED

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Services:
    incidents: FastAPI
    activities: FastAPI
    client: httpx.AsyncClient
    """Reaches both apps by their base URLs (anything else goes out over the network)."""

    def charts(self, token: str, *, incidents_url: str = INCIDENTS) -> httpx.AsyncClient:
        """A console-like app serving the charts with this person's token."""
        app = FastAPI()
        install_error_handlers(app)

        def source() -> ChartSource:
            return ChartSource(
                incidents_url=incidents_url, activities_url=ACTIVITIES, token=token, client=self.client
            )

        app.include_router(charts_router(source))
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test")

    def token(self, role: Role, **scope: object) -> str:
        return bearer(self.incidents, role, **scope)["Authorization"].removeprefix("Bearer ")


@pytest.fixture
async def services(
    kafka_bootstrap_servers: str, topic_prefix: str, sqlite_url: Callable[[str], str], tmp_path: Path
) -> AsyncIterator[Services]:
    registry = await MessagingNode.start(
        node_settings(
            name="registry",
            bootstrap=kafka_bootstrap_servers,
            prefix=topic_prefix,
            database_url=sqlite_url("r"),
        ),
        publishes=[REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF],
    )
    async with registry.messaging.unit_of_work() as uow:
        for state in registry_states():
            uow.record(state)
        await uow.commit()
    common: dict[str, Any] = {
        "environment": Environment.TEST,
        "data_dir": tmp_path,
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
    }
    incidents = create_incidents(
        IncidentsSettings(**common, database_url=sqlite_url("incidents"), scheduler_enabled=False),
        clock=MovableClock(),
    )
    activities = create_activities(ActivitiesSettings(**common, database_url=sqlite_url("activities")))
    async with running(incidents) as incidents_client, running(activities) as activities_client:

        async def replicas() -> int:
            async with runtime_of(incidents).sessions() as session:
                found = [await session.get(ReplicaSchool, code) for code in (SCHOOL_3, SCHOOL_4)]
                found += [await session.get(ReplicaStaff, code) for code in ("L3", "L4")]
            async with runtime_of(activities).sessions() as session:
                schools = (await session.exec(select(SchoolReplica))).all()
            return sum(row is not None for row in found) + len(schools)

        await wait_for(replicas, until=lambda n: n == 6, message="both replicas of the registry")
        await report_and_support(incidents, incidents_client, activities, activities_client)
        mounts = {
            f"{INCIDENTS.replace('http', 'all')}": httpx.ASGITransport(app=incidents),
            f"{ACTIVITIES.replace('http', 'all')}": httpx.ASGITransport(app=activities),
        }
        async with httpx.AsyncClient(mounts=mounts, timeout=10) as client:
            yield Services(incidents, activities, client)
    await registry.stop()


async def report_and_support(
    incidents: FastAPI, to_incidents: httpx.AsyncClient, activities: FastAPI, to_activities: httpx.AsyncClient
) -> None:
    """Cluster 3: two incidents, one acknowledged 20 minutes after its report; cluster 4: one, open. A
    cluster-4 school helps a cluster-3 school with money in 2025-2026 and equipment in 2026-2027."""
    officer = bearer(incidents, Role.DEPARTMENT_OFFICER)
    occurred = (REPORTED - timedelta(minutes=30)).isoformat()
    ids = []
    for school in (SCHOOL_3, SCHOOL_3, SCHOOL_4):
        answer = await to_incidents.post(
            "/incidents", json=body(school_code=school, occurred_at=occurred), headers=officer
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    incidents.state.clock.now = REPORTED + timedelta(minutes=20)
    leader_3 = bearer(incidents, Role.CLUSTER_LEADER, cluster_no=3)
    acknowledged = await to_incidents.post(f"/incidents/{ids[0]}/acknowledge", headers=leader_3)
    assert acknowledged.status_code == 200, acknowledged.text

    department = bearer(activities, Role.DEPARTMENT_OFFICER)
    pairing = await to_activities.post(
        "/support/pairings",
        json={
            "helper": {"kind": "school", "code": SCHOOL_4},
            "helped": {"kind": "school", "code": SCHOOL_3},
            "period_from": "2025-09-01",
            "period_to": "2028-08-31",
        },
        headers=department,
    )
    assert pairing.status_code == 201, pairing.text
    for kind, value, on in (("money", 15_000_000, "2025-10-01"), ("equipment", 42_500_000, "2026-09-15")):
        recorded = await to_activities.post(
            f"/support/pairings/{pairing.json()['id']}/contributions",
            json={"kind": kind, "value_vnd": value, "description": kind, "contributed_on": on},
            headers=department,
        )
        assert recorded.status_code == 201, recorded.text


async def svg_of(charts: httpx.AsyncClient, path: str, **params: Any) -> ET.Element:
    answer = await charts.get(path, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["cache-control"].startswith("private")
    return ET.fromstring(answer.text)  # noqa: S314 - the console's own output


def bars_of(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:rect[@class='bar']", SVG_NS)


def counts_by_series(root: ET.Element) -> dict[str, float]:
    totals: dict[str, float] = {}
    for bar in bars_of(root):
        totals[bar.get("data-series", "")] = totals.get(bar.get("data-series", ""), 0) + float(
            bar.get("data-value", "0")
        )
    return totals


async def test_each_chart_shows_what_the_persons_token_may_see(services: Services) -> None:
    week = week_label(
        REPORTED.astimezone(VIETNAM).date() - timedelta(days=REPORTED.astimezone(VIETNAM).weekday())
    )
    async with services.charts(services.token(Role.DEPARTMENT_OFFICER)) as charts:
        weekly = await svg_of(charts, "/charts/incidents-per-week.svg", weeks=4)
        assert counts_by_series(weekly) == {"Cụm 3": 2, "Cụm 4": 1}
        assert {bar.get("data-category") for bar in bars_of(weekly)} == {week}
        grouped = await svg_of(charts, "/charts/incidents-per-week.svg", weeks=4, layout="grouped", lang="en")
        assert counts_by_series(grouped) == {"Cluster 3": 2, "Cluster 4": 1}

        times = await svg_of(charts, "/charts/time-to-acknowledge.svg", lang="en")
        assert [(bar.get("data-category"), bar.get("data-value")) for bar in bars_of(times)] == [
            ("Cluster 3", "20")
        ]
        labels = [g.get("aria-label") for g in times.findall(".//svg:g[@class='bars']/svg:g", SVG_NS)]
        assert labels == [
            "Cluster 3: Median 20 min, 90th percentile 20 min",
            "Cluster 4: Median none, 90th percentile none",
        ]

        support = await svg_of(charts, "/charts/support-totals.svg")
        assert [
            (b.get("data-category"), b.get("data-series"), b.get("data-value")) for b in bars_of(support)
        ] == [
            ("2025-2026", "Tiền", "1.5e+07"),
            ("2026-2027", "Thiết bị", "4.25e+07"),
        ]
        one_year = await svg_of(charts, "/charts/support-totals.svg", school_year="2025-2026")
        assert {bar.get("data-category") for bar in bars_of(one_year)} == {"2025-2026"}
        nothing = await svg_of(charts, "/charts/support-totals.svg", school_year="2023-2024")
        assert bars_of(nothing) == [] and "Chưa có dữ liệu" in ET.tostring(nothing, encoding="unicode")

        for path, params in (
            ("/charts/incidents-per-week.svg", {"weeks": "0"}),
            ("/charts/support-totals.svg", {"school_year": "2025"}),
            ("/charts/time-to-acknowledge.svg", {"lang": "fr"}),
        ):
            assert (await charts.get(path, params=params)).status_code == 422

    async with services.charts(services.token(Role.CLUSTER_LEADER, cluster_no=4)) as charts:
        weekly = await svg_of(charts, "/charts/incidents-per-week.svg", weeks=4)
        assert counts_by_series(weekly) == {"Cụm 4": 1}
        times = await svg_of(charts, "/charts/time-to-acknowledge.svg")
        assert bars_of(times) == [] and "Chưa có dữ liệu" in ET.tostring(times, encoding="unicode")


async def test_a_refused_token_and_an_absent_service_are_passed_on(services: Services) -> None:
    async with services.charts("not-a-token") as charts:
        refused = await charts.get("/charts/incidents-per-week.svg")
        assert refused.status_code == 401  # the console sends the person to sign in again
    async with services.charts(
        services.token(Role.DEPARTMENT_OFFICER), incidents_url="http://127.0.0.1:9"
    ) as charts:
        absent = await charts.get("/charts/time-to-acknowledge.svg")
        assert absent.status_code == 502
        assert "did not answer" in absent.json()["detail"]
