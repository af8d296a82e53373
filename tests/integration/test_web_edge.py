"""What fuzzing and abuse found at the services' HTTP edge, each fixed and held here.

Every test runs a real service (lifespan, SQLite, the test broker) in-process: the body limits before a
token is read, one short error body, and the 5xx that schemathesis and hand-made requests once caused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.activities.app import create_app as create_activities
from services.activities.settings import ActivitiesSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.notifications.webhooks.domain import is_valid_secret
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.web.errors import ECHO_LIMIT
from tests.support.apps import bearer, running

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

MUONG_XEN = "16813"  # a commune of cluster 1


@pytest.fixture
async def registry(common: dict[str, Any]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_registry(RegistrySettings(**common))
    async with running(app) as client:
        yield app, client


@pytest.fixture
async def notifications(common: dict[str, Any]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_notifications(NotificationsSettings(**common))
    async with running(app) as client:
        yield app, client


def error_of(response: httpx.Response) -> tuple[int, str | None]:
    body = response.json()
    assert set(body) == {"detail", "field", "rule"}, body
    return response.status_code, body["field"]


async def test_an_oversized_body_is_refused_before_its_token_is_read(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = registry
    huge = json.dumps({"cluster_no": 7, "name": "x" * 300_000})  # over the default 256 KiB
    declared = await client.post("/clusters", content=huge, headers={"Content-Type": "application/json"})
    assert error_of(declared) == (413, "body")  # not 401: the body was never read, nor the token checked

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 16_384):
            yield huge[start : start + 16_384].encode()

    streamed = await client.post("/clusters", content=chunked(), headers={"Content-Type": "application/json"})
    assert "content-length" not in streamed.request.headers
    assert error_of(streamed) == (413, "body")


async def test_a_422_names_the_field_and_echoes_no_more_than_a_prefix(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    long_name = "Trường " + "x" * 200_000  # under the body limit, far over the field's 200 characters
    response = await client.patch("/clusters/3", json={"name": long_name}, headers=admin)
    assert error_of(response) == (422, "body.name")
    assert "x" * (ECHO_LIMIT + 1) not in response.text and len(response.content) < 1000
    assert error_of(await client.get("/schools", params={"limit": 0}, headers=admin)) == (422, "query.limit")
    assert error_of(await client.get("/schools")) == (401, None)
    assert error_of(await client.get("/no/such/route", headers=admin)) == (404, None)


async def test_a_core_region_in_a_cluster_that_does_not_exist_is_a_422(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    response = await client.post("/core-regions", json={"cluster_no": 74, "name": "x"}, headers=admin)
    assert error_of(response) == (422, "cluster_no")  # was an IntegrityError at commit: a 500
    for region in ({"cluster_no": 1, "name": "Vùng 1"}, {"cluster_no": None, "name": "Vùng Vinh"}):
        made = await client.post("/core-regions", json=region, headers=admin)
        assert made.status_code == 201, made.text  # in no cluster (Vinh) is allowed, as it was


async def test_a_new_person_needs_a_role_from_the_api_and_from_an_import(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    response = await client.post("/staff", json={"code": "X1", "full_name": "x"}, headers=admin)
    assert error_of(response) == (422, "roles")  # was a ValidationError of the table model: a 500
    row = {"code": "X1", "full_name": "x", "commune_code": MUONG_XEN}
    for dry_run in ("true", "false"):
        report = await client.post(f"/staff/import?dry_run={dry_run}", json=[row], headers=admin)
        assert report.status_code == 422, report.text
        assert [(e["line"], e["field"]) for e in report.json()["errors"]] == [(1, "roles")]
    created = await client.post("/staff/import", json=[{**row, "roles": ["teacher"]}], headers=admin)
    assert created.json()["created"] == 1, created.text
    renamed = await client.post("/staff/import", json=[{**row, "full_name": "y"}], headers=admin)
    assert renamed.json()["updated"] == 1, renamed.text  # an existing person keeps their roles
    assert (await client.get("/staff/X1", headers=admin)).json()["roles"] == ["teacher"]


async def test_an_import_nested_too_deeply_is_a_422_and_a_file_may_be_larger(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = {**bearer(app, Role.DEPARTMENT_ADMIN), "Content-Type": "application/json"}
    nested = b"[" * 100_000 + b"]" * 100_000
    response = await client.post("/schools/import?dry_run=true", content=nested, headers=admin)
    assert error_of(response) == (422, "file")  # was a RecursionError: a 500
    rows = [
        {"code": f"9{n:05d}", "name": f"Trường {n}", "level": "primary", "commune_code": MUONG_XEN}
        for n in range(4000)
    ]
    large = json.dumps(rows).encode()
    assert len(large) > 256 * 1024  # over every other route's limit
    report = await client.post("/schools/import?dry_run=true", content=large, headers=admin)
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 4000


async def test_a_rule_with_too_many_roles_is_refused_and_not_stored(
    notifications: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = notifications
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    before = (await client.get("/rules", headers=admin)).json()
    rule = {
        "name": "x",
        "event_type": "vn.gov.nghean.edu.incidents.incident.reported.v1",
        "channels": ["email"],
    }
    hundred_thousand = await client.post(
        "/rules", json={**rule, "roles": ["cluster_leader"] * 100_000}, headers=admin
    )
    assert error_of(hundred_thousand) == (413, "body")  # 1.7 MB: refused before it is parsed
    thousand = await client.post("/rules", json={**rule, "roles": ["cluster_leader"] * 1000}, headers=admin)
    assert error_of(thousand) == (422, "body.roles")  # under the body limit, over the list's bound
    assert (await client.get("/rules", headers=admin)).json() == before


async def test_a_webhook_secret_that_is_not_base64_is_a_422(
    notifications: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = notifications
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    url = "http://127.0.0.1:9/hook"
    for secret, field in [
        ("é", "body.secret"),
        ("whsec_" + "é" * 32, "body.secret"),
        ("whsec_" + "A" * 25, "secret"),
    ]:
        response = await client.post(
            "/webhooks/subscriptions", json={"url": url, "secret": secret}, headers=admin
        )
        assert error_of(response) == (422, field), secret  # "é" reached base64 decoding: a 500
    assert not is_valid_secret("é") and not is_valid_secret("whsec_é")


async def test_preference_times_are_the_rfc_3339_times_the_document_declares(
    notifications: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = notifications
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    body = {"quiet_start": "22:00", "quiet_end": "00:00:00Z", "digest_at": "17:30:00+07:00"}
    saved = await client.put("/preferences/staff:T1", json=body, headers=admin)
    assert saved.status_code == 200, saved.text
    times = {name: saved.json()[name] for name in body}
    # 00:00 UTC is 07:00 in Vietnam; every answer carries Vietnam's offset (was "22:00:00", no offset).
    assert times == {
        "quiet_start": "22:00:00+07:00",
        "quiet_end": "07:00:00+07:00",
        "digest_at": "17:30:00+07:00",
    }
    declared = app.openapi()["components"]["schemas"]
    output = declared.get("PreferencesPublic", declared.get("PreferencesPublic-Output"))
    assert output is not None
    assert output["properties"]["digest_at"]["format"] == "time"


async def test_a_division_code_follows_its_declared_pattern(common: dict[str, Any]) -> None:
    app = create_activities(ActivitiesSettings(**common))
    async with running(app) as client:
        admin = bearer(app, Role.DEPARTMENT_ADMIN)
        response = await client.post("/divisions", json={"code": "lower case", "name": "x"}, headers=admin)
        assert error_of(response) == (422, "body.code")  # SQLModel dropped regex=: it was stored
