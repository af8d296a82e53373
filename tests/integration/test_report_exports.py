"""Every report and export as the Department opens it: XLSX read back by openpyxl and CSV by Python's csv
module (after the UTF-8 byte-order mark) give the same rows, Vietnamese diacritics intact, a cell that
begins like a formula escaped in the CSV and stored as text in the XLSX, an unknown format a 422 naming
``query.format``.

The routes come from each service's route table (every GET route that declares a ``format`` query
parameter): those without path parameters answer both files on an empty database; those that need an
activity to exist are covered by the seeded tests below, and a new one fails here until it is.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from openpyxl import load_workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from services.incidents.replica.models import ReplicaCommune, ReplicaSchool
from shared.auth import Role
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.registry import ClusterMembershipV1
from shared.tabular import XLSX_MEDIA_TYPE
from tests.integration.test_strict_inputs import SERVICES, known_parameters
from tests.support.activities import Registry, feed_registry, open_contest
from tests.support.apps import bearer, running
from tests.support.incidents import FixedClock, StartIncidents
from tests.support.tables import both_exports_agree, raw_csv_rows

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

SEEDED = {
    ("activities", "/activities/{activity_id}/registrations"),
    ("activities", "/activities/{activity_id}/results"),
    ("activities", "/activities/{activity_id}/awards"),
}
"""Routes with a format that need data to answer: the seeded tests below read each back."""

ELSEWHERE = {("notices", "/notices/{notice_id}/return/rates")}
"""Routes with a format whose data another test seeds: a return's rates (tests/integration/
test_notices_returns.py reads the CSV and the XLSX back; its XLSX has a second sheet of the schools)."""

EXPECTED = {
    ("incidents", "/reports/statistics"),
    ("incidents", "/reports/daily-summary"),
    ("activities", "/support/totals"),
    ("activities", "/support/awards"),
    ("registry", "/memberships/export"),
    ("registry", "/communes/contacts/export"),
    ("registry", "/offices/export"),
    ("registry", "/schools/export"),
    ("registry", "/staff/export"),
    ("registry", "/memberships/import/template"),
    ("registry", "/communes/contacts/import/template"),
    ("registry", "/offices/import/template"),
}
"""What the route table must at least yield, so that the generated test never passes by finding none."""


def _declares_format(dependant: Dependant) -> bool:
    return any(field.alias == "format" for field in dependant.query_params) or any(
        _declares_format(sub) for sub in dependant.dependencies
    )


def file_routes(app: FastAPI) -> list[APIRoute]:
    """The app's GET routes that declare a ``format`` query parameter, in its own signature or a
    dependency's (``shared.web.tables.export_format``)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and "GET" in route.methods and _declares_format(route.dependant):
            found.append(route)
    return found


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_route_with_a_format_answers_both_files_with_the_same_rows(
    service: str, common: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    app = SERVICES[service](common)
    routes = file_routes(app)
    found = {(service, route.path) for route in routes}
    assert {item for item in EXPECTED if item[0] == service} <= found, found
    unseeded = [route for route in routes if route.dependant.path_params]
    assert {(service, route.path) for route in unseeded} <= SEEDED | ELSEWHERE, "seed and check the new route"
    headers = bearer(app, Role.DEPARTMENT_ADMIN)
    async with running(app) as client:
        for route in routes:
            if route.dependant.path_params:
                continue
            params = {k: v for k, v in known_parameters(route).items() if k != "format"}
            rows = await both_exports_agree(client, route.path, headers, **params)
            assert rows and all(rows[0]), f"{route.path}: the first row names every column: {rows[:1]}"


def xlsx_cells(response: httpx.Response) -> dict[str, tuple[str, Any]]:
    """Each non-empty cell of an XLSX as openpyxl reads it, by its text: (data type, value). A formula is
    of type ``f``; text is ``s``."""
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return {
        str(cell.value): (cell.data_type, cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


async def formula_stays_text(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], text: str, **params: Any
) -> None:
    """A cell that begins like a formula: escaped with ' in the CSV, a text cell in the XLSX."""
    as_csv = await client.get(path, params={**params, "format": "csv"}, headers=headers)
    assert any("'" + text in row for row in raw_csv_rows(as_csv)), (path, as_csv.text)
    assert text not in {cell for row in raw_csv_rows(as_csv) for cell in row}, path
    as_xlsx = await client.get(path, params={**params, "format": "xlsx"}, headers=headers)
    assert xlsx_cells(as_xlsx)[text] == ("s", text), path


# Incidents: statistics by every grouping and the daily summary, with the catalog's Vietnamese names.

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Vinh: the day of the summary
SCHOOL, COMMUNE = "29100101", "16813"
FORMULA_CATEGORY = '=HYPERLINK("http://x.invalid";"Sự cố ở bếp ăn")'


def registry_states() -> list[Any]:
    leader = StaffStateV1(
        code="L1",
        full_name="Hà Văn Đức",
        roles=["department_official"],
        memberships=[ClusterMembershipV1(cluster_no=1, role="leader", valid_from=date(2025, 7, 1))],
        version=1,
        updated_at=NOW,
    )
    return [
        ClusterStateV1(
            cluster_no=1,
            name="Cụm 1",
            office_host_unit="x",
            leader_staff_code="L1",
            version=1,
            updated_at=NOW,
        ),
        leader,
        CommuneStateV1(
            gso_code=COMMUNE,
            name="Xã Mường Xén",
            kind="commune",
            old_district_code="0",
            old_district_name="Kỳ Sơn",
            cluster_no=1,
            version=1,
            updated_at=NOW,
        ),
        SchoolStateV1(
            code=SCHOOL,
            name="Trường Tiểu học Mường Xén 1",
            level="primary",
            commune_code=COMMUNE,
            cluster_no=1,
            version=1,
            updated_at=NOW,
        ),
    ]


@pytest.fixture
async def incidents(start_incidents: StartIncidents) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async def replicated(session: AsyncSession) -> bool:
        return bool(await session.get(ReplicaSchool, SCHOOL) and await session.get(ReplicaCommune, COMMUNE))

    clock = FixedClock(NOW)
    async with start_incidents(
        states=registry_states(),
        clock=clock,
        replicated=replicated,
        what="the school and commune in the replica",
    ) as served:
        yield served


async def test_incident_reports_read_back_the_same_in_both_files_in_vietnamese(
    incidents: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = incidents
    admin, officer = bearer(app, Role.DEPARTMENT_ADMIN), bearer(app, Role.DEPARTMENT_OFFICER)
    category = {
        "code": "bep_an", "name_vi": FORMULA_CATEGORY, "name_en": "Kitchen", "default_severity": "medium",
    }  # fmt: skip
    created = await client.post("/catalog/categories", json=category, headers=admin)
    assert created.status_code == 201, created.text
    for kind, severity in (("food_poisoning", "critical"), ("bep_an", "medium"), ("food_poisoning", "high")):
        reported = await client.post(
            "/incidents",
            json={
                "school_code": SCHOOL, "category": kind, "severity": severity, "title": "Nhiều trẻ đau bụng",
                "description": "Trẻ nôn sau bữa trưa", "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
            },
            headers=officer,
        )  # fmt: skip
        assert reported.status_code == 201, reported.text

    labels = {}
    for group_by in ("cluster", "commune", "category", "severity", "day", "week", "month"):
        rows = await both_exports_agree(client, "/reports/statistics", officer, group_by=group_by)
        json_rows = (
            await client.get("/reports/statistics", params={"group_by": group_by}, headers=officer)
        ).json()
        assert rows[0][:3] == ["group", "label", "count"]
        assert [row[:3] for row in rows[1:]] == [
            [g["group"], g["label"] or "", str(g["count"])] for g in json_rows
        ], group_by  # the file says what the JSON says
        labels[group_by] = {row[0]: row[1] for row in rows[1:]}
    assert labels["cluster"] == {"1": "Cụm 1"}
    assert labels["commune"] == {COMMUNE: "Xã Mường Xén"}
    assert labels["category"] == {"bep_an": FORMULA_CATEGORY, "food_poisoning": "Ngộ độc thực phẩm"}
    assert labels["severity"] == {
        "critical": "Đặc biệt nghiêm trọng",
        "high": "Nghiêm trọng",
        "medium": "Trung bình",
    }
    await formula_stays_text(client, "/reports/statistics", officer, FORMULA_CATEGORY, group_by="category")

    rows = await both_exports_agree(client, "/reports/daily-summary", officer, cluster_no=1)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["section", "name", "value", "category", "category_label"]
    assert body[[r[1] for r in body].index("reported")][:3] == ["total", "reported", "3"]
    by_category = {row[1]: row[4] for row in body if row[0] == "reported by category"}
    assert by_category == {"food_poisoning": "Ngộ độc thực phẩm", "bep_an": FORMULA_CATEGORY}
    open_rows = [dict(zip(header, row, strict=True)) for row in body if row[0] == "open incident"]
    assert [(r["severity_label"], r["category_label"]) for r in open_rows] == [
        ("Đặc biệt nghiêm trọng", "Ngộ độc thực phẩm"),
        ("Nghiêm trọng", "Ngộ độc thực phẩm"),
        ("Trung bình", FORMULA_CATEGORY),
    ]
    await formula_stays_text(client, "/reports/daily-summary", officer, FORMULA_CATEGORY, cluster_no=1)
    by_accept = await client.get("/reports/daily-summary", params={"cluster_no": 1}, headers={
        **officer, "Accept": "text/csv"})  # fmt: skip
    assert by_accept.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="daily-summary-cluster-1-2026-11-23.csv"' in by_accept.headers["content-disposition"]


# Activities: a pupil contest's registrations, results and awards; the support program's totals and awards.

FORMULA_PUPIL = "-Hồ Văn Đạt"
FORMULA_AWARD = "=Tập thể Tổ Toán - Trường S1"


@pytest.fixture
def database_kind() -> str:
    """The activities app of these tests on SQLite only (``activities_service``'s database)."""
    return "sqlite"


async def test_activity_reports_read_back_the_same_in_both_files_in_vietnamese(
    activities_service: tuple[FastAPI, httpx.AsyncClient], registry_feed: Registry
) -> None:
    app, client = activities_service
    await feed_registry(app, registry_feed)
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    activity_id = await open_contest(
        client, officer, kind="pupil_contest", title="Hội thi “Em yêu Tiếng Việt” cụm 3", capacity=5,
        venue_school_code=None, eligibility={"participant_kind": "pupil"},
    )  # fmt: skip
    ids = []
    for school_code, name in (("S1", "Nguyễn Thị Ánh Tuyết"), ("S2", FORMULA_PUPIL)):
        registered = await client.post(
            f"/activities/{activity_id}/registrations",
            json={"school_code": school_code, "participant_kind": "pupil", "full_name": name,
                  "birth_date": "2015-03-08", "grade": 5},
            headers=bearer(app, Role.SCHOOL_PRINCIPAL, school_id=school_code),
        )  # fmt: skip
        assert registered.status_code == 201, registered.text
        ids.append(registered.json()["id"])
    path = f"/activities/{activity_id}/registrations"
    rows = await both_exports_agree(client, path, officer)
    names = {row[rows[0].index("full_name")] for row in rows[1:]}
    assert names == {"Nguyễn Thị Ánh Tuyết", FORMULA_PUPIL}
    await formula_stays_text(client, path, officer, FORMULA_PUPIL)

    for status in ("registration_closed", "in_progress"):
        changed = await client.post(
            f"/activities/{activity_id}/status", json={"status": status}, headers=officer
        )
        assert changed.status_code == 200, changed.text
    sheet = {
        "entries": [
            {"registration_id": ids[0], "score": 19.5, "award": "first"},
            {"registration_id": ids[1], "score": 17.25, "award": "second"},
        ],
        "decision_number": "45/QĐ-SGDĐT",
        "decision_date": "2026-12-10",
    }
    published = await client.post(f"/activities/{activity_id}/results", json=sheet, headers=officer)
    assert published.status_code == 201, published.text
    for path in (f"/activities/{activity_id}/results", f"/activities/{activity_id}/awards"):
        rows = await both_exports_agree(client, path, officer)
        header = rows[0]
        assert [(r[header.index("full_name")], r[header.index("school_name")]) for r in rows[1:]] == [
            ("Nguyễn Thị Ánh Tuyết", "Trường S1"),
            (FORMULA_PUPIL, "Trường S2"),
        ], path
        await formula_stays_text(client, path, officer, FORMULA_PUPIL)
    awards = await both_exports_agree(client, f"/activities/{activity_id}/awards", officer)
    assert awards[1][awards[0].index("decision_number")] == "45/QĐ-SGDĐT"

    pairing = await client.post(
        "/support/pairings",
        json={"helper": {"kind": "school", "code": "S4"}, "helped": {"kind": "school", "code": "S1"},
              "period_from": "2025-09-01", "period_to": "2028-08-31"},
        headers=officer,
    )  # fmt: skip
    assert pairing.status_code == 201, pairing.text
    for kind, value, on in (("money", 15_000_000, "2025-10-01"), ("equipment", 42_500_000, "2026-09-15")):
        recorded = await client.post(
            f"/support/pairings/{pairing.json()['id']}/contributions",
            json={"kind": kind, "value_vnd": value, "description": "Sách giáo khoa", "contributed_on": on},
            headers=leader,
        )
        assert recorded.status_code == 201, recorded.text
    for by in ("school_year", "kind", "helper_unit", "helped_unit", "helper_cluster", "helped_cluster"):
        rows = await both_exports_agree(client, "/support/totals", officer, by=by)
        json_rows = (await client.get("/support/totals", params={"by": by}, headers=officer)).json()
        assert rows[1:] == [[t["group"], str(t["contributions"]), str(t["value_vnd"])] for t in json_rows], by
    totals = await both_exports_agree(client, "/support/totals", officer, by="school_year")
    assert totals[1:] == [["2026-2027", "1", "42500000"], ["2025-2026", "1", "15000000"]]

    award = {
        "school_year": "2025-2026", "recipient_kind": "group", "recipient_name": FORMULA_AWARD,
        "unit_code": "S1", "cluster_no": 3, "title": "Bằng khen của Giám đốc Sở",
        "decision_number": "12/QĐ-SGDĐT", "decision_date": "2026-06-01",
    }  # fmt: skip
    assert (
        await client.post("/support/awards", json=award, headers=bearer(app, Role.DEPARTMENT_ADMIN))
    ).status_code == 201
    rows = await both_exports_agree(client, "/support/awards", officer)
    header = rows[0]
    assert [(r[header.index("recipient_name")], r[header.index("title")]) for r in rows[1:]] == [
        (FORMULA_AWARD, "Bằng khen của Giám đốc Sở")
    ]
    await formula_stays_text(client, "/support/awards", officer, FORMULA_AWARD)
    assert (
        await client.get("/support/awards", params={"format": "XLSX"}, headers=officer)
    ).status_code == 422
    accepted = await client.get("/support/awards", headers={**officer, "Accept": XLSX_MEDIA_TYPE})
    assert accepted.headers["content-type"] == XLSX_MEDIA_TYPE
