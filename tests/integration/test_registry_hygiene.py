"""The registry against poison input and heavy loads (issue 18), over HTTP with the real broker.

- Names, titles, emails and phone numbers are checked where people type them: a 422 naming the field.
- A CSV export cannot carry a formula into the Department's spreadsheet, and still imports back.
- Data-shaped 5xx the fuzzer found are 422s naming the field.
- A large sample-data load is applied in chunks: the service stays live and other writes get through.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from services.incidents.app import create_app as create_incidents
from services.incidents.settings import IncidentsSettings
from services.registry.app import create_app
from services.registry.bulk.domain import MAX_IMPORT_ROWS
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.db.messaging_tables import OutboxMessage
from tests.support.apps import bearer, running, runtime_of

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

MUONG_XEN = "16813"  # cluster 1
THANH_VINH = "16681"  # a ward of Vinh: in no cluster


@pytest.fixture
async def registry(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(RegistrySettings(**common, database_url=new_database_url("registry")))
    async with running(app) as client:
        yield app, client


def refused_field(response: httpx.Response) -> str | None:
    """The field a 422 names: ``title`` from a use case, ``body.title`` from validation (as ``title``)."""
    assert response.status_code == 422, (response.status_code, response.text)
    field = response.json()["field"]
    return None if field is None else str(field).removeprefix("body.")


def school(code: str, **fields: object) -> dict[str, object]:
    return {
        "code": code,
        "name": "Trường Tiểu học Mường Xén",
        "level": "primary",
        "commune_code": MUONG_XEN,
    } | fields


async def test_names_emails_and_phones_are_checked_where_people_type_them(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    injected = "Trường A\r\nBcc: spy@evil.example"
    for body, field in [
        (school("29001", name=injected), "name"),
        (school("29001", principal_name="Lê Văn\nA"), "principal_name"),
        (school("29001", email="hieutruong"), "email"),
        (school("29001", email="a@nghean.edu.vn, spy@evil.example"), "email"),
        (school("29001", phone="12345"), "phone"),
    ]:
        assert refused_field(await client.post("/schools", json=body, headers=admin)) == field
    created = await client.post(
        "/schools", json=school("29001", phone="0238 3.844-123", email="C1@NgheAn.edu.vn"), headers=admin
    )
    assert created.status_code == 201, created.text
    assert (created.json()["phone"], created.json()["email"]) == ("02383844123", "C1@nghean.edu.vn")
    tabbed = await client.patch("/schools/29001", json={"address": "a\tb"}, headers=admin)
    assert refused_field(tabbed) == "address"

    person = {"code": "GV-1", "full_name": "Lương Thị Mai", "roles": ["teacher"], "school_code": "29001"}
    named = await client.post("/staff", json={**person, "full_name": injected}, headers=admin)
    assert refused_field(named) == "full_name"
    short = await client.post("/staff", json={**person, "phone": "0912"}, headers=admin)
    assert refused_field(short) == "phone"
    added = await client.post("/staff", json={**person, "phone": "+84 912 345 678"}, headers=admin)
    assert (added.status_code, added.json()["phone"]) == (201, "+84912345678")
    assert refused_field(await client.patch("/staff/GV-1", json={"email": "x@"}, headers=admin)) == "email"

    commune = f"/communes/{THANH_VINH}"
    office = await client.patch(commune, json={"culture_office_email": "vhxh"}, headers=admin)
    assert refused_field(office) == "culture_office_email"
    head = await client.patch(commune, json={"culture_office_head": injected}, headers=admin)
    assert refused_field(head) == "culture_office_head"
    assert refused_field(await client.patch("/clusters/1", json={"name": injected}, headers=admin)) == "name"

    rows = [school("29002", name=injected), school("29003", email="nope")]
    report = await client.post("/schools/import", json=rows, headers=admin)
    assert report.status_code == 422
    assert [(e["line"], e["field"]) for e in report.json()["errors"]] == [(1, "name"), (2, "email")]


async def test_incident_and_activity_titles_are_one_line_and_descriptions_keep_their_line_breaks(
    common: dict[str, Any], sqlite_url: Callable[[str], str]
) -> None:
    incidents = create_incidents(
        IncidentsSettings(**common, database_url=sqlite_url("incidents"), scheduler_enabled=False)
    )
    async with running(incidents) as client:
        report = {
            "commune_code": THANH_VINH,
            "category": "natural_disaster",
            "title": "Lũ quét\r\nBcc: spy@evil.example",
            "description": "Nước lên nhanh.\nĐã sơ tán.",
            "occurred_at": "2026-03-02T05:00:00Z",
        }
        headers = {**bearer(incidents, Role.DEPARTMENT_ADMIN), "Idempotency-Key": "k1"}
        assert refused_field(await client.post("/incidents", json=report, headers=headers)) == "title"
        control = {**report, "title": "Lũ quét", "description": "Nước\x1b[2J lên"}
        assert refused_field(await client.post("/incidents", json=control, headers=headers)) == "description"


async def test_a_csv_export_runs_no_formula_in_a_spreadsheet_and_imports_back_unchanged(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    hyperlink = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
    rows = [school("29001", name=hyperlink), school("29002", name="+1+2", address="@SUM(A1:A9)")]
    assert (await client.post("/schools/import", json=rows, headers=admin)).status_code == 200
    exported = await client.get("/schools/export", headers=admin)
    assert exported.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    table = {row["code"]: row for row in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert table["29001"]["name"] == "'" + hyperlink  # a spreadsheet shows it as text
    assert (table["29002"]["name"], table["29002"]["address"]) == ("'+1+2", "'@SUM(A1:A9)")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table.values() for cell in row.values())
    again = await client.post(
        "/schools/import", content=exported.text, headers={**admin, "Content-Type": "text/csv"}
    )
    assert (again.status_code, again.json()["unchanged"], again.json()["updated"]) == (200, 2, 0)


async def test_data_shaped_server_errors_are_422s_naming_the_field(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    region = await client.post("/core-regions", json={"name": "Vùng lõi", "cluster_no": 42}, headers=admin)
    assert refused_field(region) == "cluster_no" and "42" in region.json()["detail"]

    nobody = {"code": "GV-9", "full_name": "Không Vai Trò", "commune_code": THANH_VINH}
    assert refused_field(await client.post("/staff", json=nobody, headers=admin)) == "roles"
    imported = await client.post("/staff/import", json=[nobody], headers=admin)
    assert imported.status_code == 422
    assert [(e["line"], e["field"]) for e in imported.json()["errors"]] == [(1, "roles")]

    json_headers = {**admin, "Content-Type": "application/json"}
    deep = await client.post(
        "/schools/import",
        params={"dry_run": True},
        content="[" * 100_000 + "]" * 100_000,
        headers=json_headers,
    )
    assert refused_field(deep) == "file" and "nested too deeply" in deep.json()["detail"]
    nested = json.dumps([{"code": "1", "name": [[[[[[[[]]]]]]]]}])
    assert (await client.post("/schools/import", content=nested, headers=json_headers)).status_code == 422


async def test_a_file_too_large_for_one_short_transaction_is_refused_asking_to_split_it(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    empty_rows = "code,name\n" + ",\n" * 100_000  # the fuzzer's 100,000 empty rows
    refused = await client.post(
        "/schools/import",
        params={"dry_run": True},
        content=empty_rows,
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert refused_field(refused) == "file"
    assert f"{MAX_IMPORT_ROWS:,}" in refused.json()["detail"] and "split" in refused.json()["detail"]

    garbage = "code,name\n" + ",\n" * MAX_IMPORT_ROWS  # as large as allowed, every row wrong
    report = await client.post(
        "/schools/import",
        params={"dry_run": True},
        content=garbage,
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert report.status_code == 422
    assert len(report.json()["errors"]) == 1_000
    assert report.json()["errors_not_listed"] == MAX_IMPORT_ROWS * 4 - 1_000


@pytest.mark.parametrize("database_kind", ["sqlite"])  # the one write lock is SQLite's
async def test_a_large_sample_load_leaves_the_service_live_and_lets_other_writes_through(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """Sample data is applied in chunks, each its own transaction. While 3,000 schools and their staff
    load, every liveness poll is answered, and small writes made meanwhile all succeed and commit between
    the load's chunks: the outbox (ids in commit order, SQLite having one writer) shows load rows before
    and after one of them. One transaction for the whole load kept every write waiting on the lock until
    its end (or failed it with "database is locked" after 10 s, the relay's too)."""
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    load = asyncio.create_task(client.post("/admin/sample-data", params={"schools": 3000}, headers=admin))

    async def small_writes() -> list[int]:
        statuses = []
        while not load.done():
            body = school(f"29{len(statuses):03d}", commune_code=THANH_VINH)
            statuses.append((await client.post("/schools", json=body, headers=admin)).status_code)
        return statuses

    writes = asyncio.create_task(small_writes())
    polls: list[tuple[int, bool]] = []
    while not load.done():
        live = await client.get("/health/live")
        polls.append((live.status_code, not load.done()))
        await asyncio.sleep(0.05)
    loaded, statuses = await load, await writes
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["schools"]["created"] == 3000
    assert statuses and set(statuses) == {201}, statuses  # every concurrent write succeeded
    assert all(status == 200 for status, _ in polls), polls
    assert len([during for _, during in polls if during]) >= 5, polls  # live answered during the load

    async with runtime_of(app).sessions() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    ids_of_load = [row.id for row in rows if row.message_key.startswith("MAU")]
    ids_of_writes = [row.id for row in rows if row.message_key.startswith("29")]
    assert any(min(ids_of_load) < i < max(ids_of_load) for i in ids_of_writes), (ids_of_writes, ids_of_load)
    assert not [row.last_error for row in rows if row.last_error]  # the relay never found the db locked
