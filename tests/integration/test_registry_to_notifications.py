"""The thin proof: the registry publishes a cluster through its outbox, notifications applies it to its
replica through the inbox. Both services run in-process on their own databases and the real broker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from services.notifications.app import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.support.apps import bearer, running
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture
async def registry(common: dict[str, object]) -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    app = create_registry(RegistrySettings(**common))  # type: ignore[arg-type]
    async with running(app) as client:
        yield app, client


@pytest.fixture
async def notifications(common: dict[str, object]) -> AsyncIterator[tuple[object, httpx.AsyncClient]]:
    app = create_notifications(NotificationsSettings(**common))  # type: ignore[arg-type]
    async with running(app) as client:
        yield app, client


async def replica(notifications: tuple[object, httpx.AsyncClient]) -> list[dict[str, object]]:
    app, client = notifications
    response = await client.get("/replica/clusters", headers=bearer(app, Role.DEPARTMENT_OFFICER))  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_seeded_clusters_reach_the_notifications_replica(
    registry: tuple[object, httpx.AsyncClient],
    notifications: tuple[object, httpx.AsyncClient],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    clusters = await wait_for(
        lambda: replica(notifications), until=lambda r: len(r) == 5, message="5 clusters"
    )
    assert [c["cluster_no"] for c in clusters] == [1, 2, 3, 4, 5]
    assert clusters[2]["office_host_unit"] == "Trung tâm GDTX Quỳ Châu"

    records = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.clusters", expected=5)
    assert sorted(record.key for record in records) == [b"1", b"2", b"3", b"4", b"5"]
    headers = headers_of(records[0])
    assert headers["ce_type"] == "vn.gov.nghean.edu.registry.cluster.v1"
    assert headers["ce_source"] == "/edu-clusters/registry"
    assert headers["ce_subject"] == f"cluster/{records[0].key.decode()}"
    assert headers["content-type"] == "application/json"
    assert headers["ce_specversion"] == "1.0"


async def test_an_update_over_http_reaches_the_replica_once_with_its_trace(
    registry: tuple[object, httpx.AsyncClient],
    notifications: tuple[object, httpx.AsyncClient],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    app, client = registry
    await wait_for(lambda: replica(notifications), until=lambda r: len(r) == 5, message="5 clusters")

    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = await client.patch(
        "/clusters/3",
        json={"name": "Cụm chuyên môn số 3 (Quỳ Hợp)"},
        headers={
            **bearer(app, Role.DEPARTMENT_ADMIN),  # type: ignore[arg-type]
            "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2

    clusters = await wait_for(
        lambda: replica(notifications), until=lambda r: r[2]["version"] == 2, message="version 2 of cluster 3"
    )
    assert clusters[2]["name"] == "Cụm chuyên môn số 3 (Quỳ Hợp)"
    records = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.clusters", expected=6)
    cluster_3 = [record for record in records if record.key == b"3"]
    update = headers_of(max(cluster_3, key=lambda record: record.offset))
    assert update["traceparent"].split("-")[1] == trace_id  # the request's trace travels with the event


async def test_the_registry_api_refuses_missing_tokens_wrong_roles_and_bad_fields(
    registry: tuple[object, httpx.AsyncClient],
) -> None:
    app, client = registry
    assert (await client.get("/clusters")).status_code == 401
    officer = bearer(app, Role.DEPARTMENT_OFFICER)  # type: ignore[arg-type]
    forbidden = await client.patch("/clusters/3", json={"name": "x"}, headers=officer)
    assert forbidden.status_code == 403
    admin = bearer(app, Role.DEPARTMENT_ADMIN)  # type: ignore[arg-type]
    bad = await client.patch("/clusters/3", json={"name": ""}, headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "body.name")
    missing = await client.get("/clusters/9", headers=admin)
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "cluster 9 does not exist",
        "field": "cluster_no",
        "rule": None,
    }
    duplicate = await client.post(
        "/clusters", json={"cluster_no": 3, "name": "x", "office_host_unit": "y"}, headers=admin
    )
    assert duplicate.status_code == 409


async def test_health_metrics_and_asyncapi_are_served(
    registry: tuple[object, httpx.AsyncClient],
) -> None:
    _app, client = registry
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "outbox_published_total" in metrics.text
    assert "http_request_duration_seconds" in metrics.text
    asyncapi = await client.get("/asyncapi.json")
    assert asyncapi.status_code == 200
    document = asyncapi.json()
    assert document["asyncapi"].startswith("3.")
    assert document["channels"]["registry.clusters:publish"]["address"].endswith("registry.clusters")
    assert "ClusterStateV1" in document["components"]["schemas"]


async def test_the_registry_seeds_the_real_communes_once_and_publishes_them(
    common: dict[str, object], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    for _start in range(2):  # a second start on the same database seeds nothing new
        app = create_registry(RegistrySettings(**common))  # type: ignore[arg-type]
        async with running(app) as client:
            headers = bearer(app, Role.DEPARTMENT_OFFICER)  # type: ignore[arg-type]
            communes = (await client.get("/communes", params={"limit": 200}, headers=headers)).json()["items"]
            in_cluster_3 = (await client.get("/communes", params={"cluster_no": 3}, headers=headers)).json()
            unclustered = (
                await client.get("/communes", params={"unclustered": True}, headers=headers)
            ).json()
            vinh = (await client.get("/communes/16681", headers=headers)).json()
            districts = (await client.get("/old-districts", headers=headers)).json()
            unknown = await client.get("/communes/99999", headers=headers)
    assert (len(communes), in_cluster_3["total"], unclustered["total"]) == (130, 26, 22)
    assert vinh["name"] == "Phường Thành Vinh"
    assert vinh["kind"] == "ward"
    assert vinh["cluster_no"] is None
    assert (districts[0]["name"], districts[0]["kind"]) == ("Thành phố Vinh", "city")
    assert unknown.status_code == 404

    records = await read_topic(
        kafka_bootstrap_servers, topic_prefix + "registry.communes", expected=131, timeout_s=5
    )
    assert len(records) == 130  # seeded once, not twice
    assert {headers_of(r)["ce_type"] for r in records} == {"vn.gov.nghean.edu.registry.commune.v1"}
    by_key = {record.key: record for record in records}
    assert json.loads(by_key[b"16681"].value)["old_district_name"] == "Thành phố Vinh"


async def test_moving_a_commune_keeps_its_history_and_publishes_its_new_cluster(
    registry: tuple[object, httpx.AsyncClient], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)  # type: ignore[arg-type]
    commune = (await client.get("/communes", params={"cluster_no": 3}, headers=admin)).json()["items"][0]
    code = commune["gso_code"]

    moved = await client.post(
        f"/communes/{code}/move", json={"cluster_no": 4, "effective_from": "2026-03-01"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["cluster_no"], moved.json()["version"]) == (4, 2)
    history = (await client.get(f"/communes/{code}/assignments", headers=admin)).json()
    assert history == [
        {"cluster_no": 3, "valid_from": "2025-07-01", "valid_to": "2026-02-28"},
        {"cluster_no": 4, "valid_from": "2026-03-01", "valid_to": None},
    ]
    too_early = await client.post(
        f"/communes/{code}/move", json={"cluster_no": 5, "effective_from": "2026-03-01"}, headers=admin
    )
    assert too_early.status_code == 422
    assert too_early.json()["field"] == "effective_from"
    officer = bearer(app, Role.DEPARTMENT_OFFICER)  # type: ignore[arg-type]
    refused = await client.post(
        f"/communes/{code}/move", json={"cluster_no": 5, "effective_from": "2027-01-01"}, headers=officer
    )
    assert refused.status_code == 403

    records = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.communes", expected=131)
    latest = max((r for r in records if r.key == code.encode()), key=lambda r: r.offset)
    assert json.loads(latest.value)["cluster_no"] == 4
