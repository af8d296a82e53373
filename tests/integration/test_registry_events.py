"""The registry's events on the real broker: keys, CloudEvents headers, tombstones, and a replica built
from the start of a compacted topic that ends exactly where the registry is."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.registry.app import create_app
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.support.apps import bearer, running
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture
async def registry(common: dict[str, Any]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(RegistrySettings(**common))
    async with running(app) as client:
        yield app, client


def fold(records: list[Any]) -> dict[str, dict[str, Any]]:
    """What a replica holds after reading a compacted topic from the start: the last value per key."""
    state: dict[str, dict[str, Any]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        key = record.key.decode()
        if record.value is None:
            state.pop(key, None)
        else:
            state[key] = json.loads(record.value)
    return state


async def test_school_and_staff_states_carry_their_key_and_cloudevents_headers(
    registry: tuple[FastAPI, httpx.AsyncClient], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    body = {"code": "29001", "name": "Trường Tiểu học Mường Xén", "level": "primary", "commune_code": "16813"}
    assert (await client.post("/schools", json=body, headers=admin)).status_code == 201
    person = {"code": "HT-1", "full_name": "Lô Văn An", "roles": ["principal"], "school_code": "29001"}
    assert (await client.post("/staff", json=person, headers=admin)).status_code == 201
    assert (await client.delete("/staff/HT-1", headers=admin)).status_code == 204

    [school] = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.schools", expected=1)
    headers = headers_of(school)
    assert school.key == b"29001"
    assert (headers["ce_type"], headers["ce_subject"], headers["ce_source"]) == (
        "vn.gov.nghean.edu.registry.school.v1",
        "school/29001",
        "/edu-clusters/registry",
    )
    assert {"ce_id", "ce_time", "ce_specversion", "content-type"} <= headers.keys()
    state = json.loads(school.value)
    assert [state[name] for name in ("code", "cluster_no", "level", "status", "version", "sample")] == [
        "29001", 1, "primary", "active", 1, False,
    ]  # fmt: skip

    staff = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.staff", expected=2)
    assert [(r.key, r.value is None) for r in staff] == [(b"HT-1", False), (b"HT-1", True)]
    assert headers_of(staff[1])["ce_type"] == "vn.gov.nghean.edu.registry.staff.v1"
    assert json.loads(staff[0].value)["roles"] == ["principal"]


async def test_a_replica_read_from_the_start_of_the_topic_ends_with_the_registry_state(
    registry: tuple[FastAPI, httpx.AsyncClient], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    loaded = await client.post("/admin/sample-data", params={"schools": 60, "seed": 3}, headers=admin)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["schools"]["created"] == 60
    schools = (await client.get("/schools", params={"limit": 100}, headers=admin)).json()["items"]
    for row in schools[:5]:  # changes, a closure, a deletion and a move all happen after the first states
        await client.patch(f"/schools/{row['code']}", json={"pupils": 1}, headers=admin)
    await client.patch(f"/schools/{schools[5]['code']}", json={"status": "closed"}, headers=admin)
    gone = schools[6]["code"]
    for person in (await client.get("/staff", params={"school": gone}, headers=admin)).json()["items"]:
        await client.delete(f"/staff/{person['code']}", headers=admin)
    assert (await client.delete(f"/schools/{gone}", headers=admin)).status_code == 204
    commune = schools[7]["commune_code"]
    target = 5 if schools[7]["cluster_no"] != 5 else 4
    move = {"cluster_no": target, "effective_from": "2026-06-01"}
    assert (await client.post(f"/communes/{commune}/move", json=move, headers=admin)).status_code == 200

    now = (await client.get("/schools", params={"limit": 100}, headers=admin)).json()["items"]
    expected = {s["code"]: (s["version"], s["cluster_no"], s["status"], s["pupils"]) for s in now}
    assert len(expected) == 59 and gone not in expected

    async def replica() -> dict[str, tuple[Any, ...]] | None:
        records = await read_topic(
            kafka_bootstrap_servers, topic_prefix + "registry.schools", expected=10**6, timeout_s=1
        )
        state = {
            k: (v["version"], v["cluster_no"], v["status"], v["pupils"]) for k, v in fold(records).items()
        }
        return state if state == expected else None

    assert await wait_for(replica, within=30) == expected


async def test_republishing_sends_every_current_state_again(
    registry: tuple[FastAPI, httpx.AsyncClient], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    await client.post("/admin/sample-data", params={"schools": 10}, headers=admin)
    refused = await client.post("/admin/republish", headers=bearer(app, Role.CLUSTER_LEADER, cluster_no=1))
    assert refused.status_code == 403
    counts = (await client.post("/admin/republish", headers=admin)).json()
    # No office is seeded: the Department imports its offices (POST /offices/import).
    assert counts == {"clusters": 5, "communes": 130, "schools": 10, "staff": counts["staff"], "offices": 0}
    assert counts["staff"] >= 10
    records = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.schools", expected=20)
    assert len(records) == 20
    assert len(fold(records)) == 10
