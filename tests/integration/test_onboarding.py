"""Onboarding a Department from spreadsheets: cluster memberships and commune contacts imported from XLSX and
CSV into the seeded registry; then (registry, incidents and notifications in-process on the real broker, a
real SMTP server) an incident at a school of cluster 1, which has members but no leader, reaches the
members and the commune office at once and the timeline names the vacancy; the coverage report shows no
commune of cluster 1 uncovered; the province-level recipient imported as an office is who the "province"
step reaches. Beside it, the import contract of the new files: bad rows by line and field, a dry run writes
nothing, all or nothing, and every export read back by openpyxl and by the csv module gives the same rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.devmail.adapters import MailCatcher
from services.notifications.recipients.domain import DepartmentContacts, Recipient, Target, TargetKind
from services.notifications.recipients.queries import resolve_one
from services.notifications.replica.models import CommuneReplica, MembershipReplica, OfficeReplica
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.tabular import XLSX_MEDIA_TYPE
from tests.support.apps import bearer, running, runtime_of
from tests.support.department import (
    MUONG_XEN,
    SCHOOL,
    department_apps,
    import_school,
    incident_deliveries,
    report_incident,
    wait_for_replicas,
)
from tests.support.tables import CSV, both_exports_agree, csv_bytes, send, xlsx
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

STAFF = (
    "code,full_name,roles,email,phone\n"
    "CB0102,Lô Văn Hùng,department_official,hung.lv@nghean.edu.vn,0912000102\n"
    "CB0103,Vi Thị Lan,department_official,lan.vt@nghean.edu.vn,0912000103\n"
    "CB0201,Nguyễn Văn An,department_official,an.nv@nghean.edu.vn,\n"
    "CB0202,Trần Thị Bình,department_official,binh.tt@nghean.edu.vn,\n"
)
MEMBERSHIPS = [
    ["cluster_no", "staff_code", "role", "valid_from", "valid_to"],
    [1, "CB0102", "member", date(2025, 7, 1), None],
    [1, "CB0103", "unit_representative", "2025-07-01", None],
    [2, "CB0201", "leader", "2025-07-01", None],
    [2, "CB0202", "leader", "2026-01-01", None],  # ends CB0201's period on 2025-12-31
]


async def cluster_1_communes(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/communes", params={"cluster_no": 1, "limit": 200}, headers=headers)
    return list(response.json()["items"])


def contacts_of(communes: list[dict[str, Any]]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["commune_code", "people_committee_head", "people_committee_email", "culture_office_head",
         "culture_office_email", "culture_office_phone"],
    ]  # fmt: skip
    for n, commune in enumerate(communes, start=1):
        rows.append([
            commune["gso_code"], f"Chủ tịch {n}", f"ubnd.{commune['gso_code']}@nghean.gov.vn",
            f"Trưởng phòng {n}", f"vhxh.{commune['gso_code']}@nghean.gov.vn", f"0238{n:07d}",
        ])  # fmt: skip
    return rows


@pytest.fixture
async def registry(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_registry(RegistrySettings(**common, database_url=new_database_url("registry")))
    async with running(app) as client:
        yield app, client


async def test_the_onboarding_files_keep_the_import_contract_and_export_what_they_import(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    assert (await send(client, "/staff/import", STAFF.encode(), CSV, admin)).status_code == 200

    # Bad rows, each by line and field; nothing applied, not even the good rows.
    bad = [
        *MEMBERSHIPS[:2],
        [9, "CB0103", "member", "2025-07-01", None],  # line 3: no cluster 9
        [1, "NOBODY", "member", "2025-07-01", None],  # line 4
        [1, "CB0201", "chair", "2025-07-01", None],  # line 5: not a role
        [1, "CB0202", "member", "2025-07-01", "2025-06-01"],  # line 6: ends before it begins
        [1, "CB0102", "member", "2025-08-01", None],  # line 7: already a member from line 2
    ]
    refused = await send(client, "/memberships/import", xlsx(bad), XLSX_MEDIA_TYPE, admin)
    assert refused.status_code == 422, refused.text
    assert [(e["line"], e["field"]) for e in refused.json()["errors"]] == [
        (3, "cluster_no"), (4, "staff_code"), (5, "role"), (6, "valid_to"), (7, "staff_code"),
    ]  # fmt: skip
    assert refused.json()["applied"] is False
    assert (await client.get("/clusters/1/members", headers=admin)).json() == []

    # A dry run reports what it would do and writes nothing.
    dry = await send(client, "/memberships/import", xlsx(MEMBERSHIPS), XLSX_MEDIA_TYPE, admin, dry_run="true")
    assert (dry.status_code, dry.json()["created"], dry.json()["applied"]) == (200, 4, False)
    assert (await client.get("/clusters/2/members", headers=admin)).json() == []

    done = await send(client, "/memberships/import", xlsx(MEMBERSHIPS), XLSX_MEDIA_TYPE, admin)
    assert (done.status_code, done.json()["created"], done.json()["applied"]) == (200, 4, True), done.text
    history = (await client.get("/clusters/2/members", params={"history": "true"}, headers=admin)).json()
    assert [(m["staff_code"], m["valid_to"]) for m in history] == [("CB0201", "2025-12-31"), ("CB0202", None)]
    assert (await client.get("/clusters/2", headers=admin)).json()["leader_staff_code"] == "CB0202"
    assert (await client.get("/clusters/1", headers=admin)).json()["leader_staff_code"] is None
    # The same file again changes nothing; the export (CSV or XLSX) imports back unchanged.
    again = await send(client, "/memberships/import", csv_bytes(MEMBERSHIPS), CSV, admin)
    assert (again.json()["unchanged"], again.json()["created"]) == (4, 0), again.text
    exported = await both_exports_agree(client, "/memberships/export", admin)
    assert exported[0] == MEMBERSHIPS[0] and len(exported) == 5
    assert ["2", "CB0201", "leader", "2025-07-01", "2025-12-31"] in exported
    exported_csv = (await client.get("/memberships/export", headers=admin)).content
    back = await send(client, "/memberships/import", exported_csv, CSV, admin)
    assert (back.status_code, back.json()["unchanged"]) == (200, 4), back.text

    # Commune contacts from a CSV: an unknown commune and a bad email by line and field.
    communes = await cluster_1_communes(client, admin)
    rows = contacts_of(communes)
    broken = [*rows[:3], ["99999", "x"], [rows[3][0], "x", "not-an-email"]]
    refused = await send(client, "/communes/contacts/import", csv_bytes(broken), CSV, admin)
    assert [(e["line"], e["field"]) for e in refused.json()["errors"]] == [
        (4, "commune_code"), (5, "people_committee_email"),
    ]  # fmt: skip
    assert (await client.get(f"/communes/{rows[1][0]}", headers=admin)).json()["culture_office_email"] is None
    done = await send(client, "/communes/contacts/import", csv_bytes(rows), CSV, admin)
    assert (done.status_code, done.json()["updated"]) == (200, len(communes)), done.text
    commune = (await client.get(f"/communes/{rows[1][0]}", headers=admin)).json()
    assert (commune["people_committee_head"], commune["culture_office_phone"]) == (
        "Chủ tịch 1",
        "02380000001",
    )
    exported = await both_exports_agree(client, "/communes/contacts/export", admin)
    assert len(exported) == 131 and exported[0][0] == "commune_code"
    back = await send(
        client, "/communes/contacts/import", xlsx([[*r] for r in exported]), XLSX_MEDIA_TYPE, admin
    )
    assert (back.status_code, back.json()["unchanged"]) == (200, 130), back.text

    # The existing imports read XLSX too, and every registry export is both files with the same rows.
    schools = [["code", "name", "level", "commune_code"], [SCHOOL, "Trường Tiểu học Mường Xén 1", "primary",
                MUONG_XEN], ["29100102", "+Trường Tiểu học Mường Xén 2", "primary", MUONG_XEN]]  # fmt: skip
    assert (await send(client, "/schools/import", xlsx(schools), XLSX_MEDIA_TYPE, admin)).json()[
        "created"
    ] == 2
    exported = await both_exports_agree(client, "/schools/export", admin)
    assert {row[1] for row in exported[1:]} == {"Trường Tiểu học Mường Xén 1", "+Trường Tiểu học Mường Xén 2"}
    raw = (await client.get("/schools/export", headers=admin)).content.decode("utf-8-sig")
    assert "'+Trường Tiểu học Mường Xén 2" in raw  # no spreadsheet runs it as a formula
    await both_exports_agree(client, "/staff/export", admin)
    unreadable = await send(
        client, "/memberships/import", b"PK\x03\x04 not a workbook", XLSX_MEDIA_TYPE, admin
    )
    assert (unreadable.status_code, unreadable.json()["field"]) == (422, "file")
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=1)
    assert (await send(client, "/memberships/import", csv_bytes(MEMBERSHIPS), CSV, leader)).status_code == 403


async def test_after_the_two_spreadsheets_an_incident_in_a_cluster_without_a_leader_reaches_its_people(
    quick_common: dict[str, Any], sqlite_url: Callable[[str], str], smtp: MailCatcher
) -> None:
    registry, incidents, notifications = department_apps(quick_common, sqlite_url, smtp.port)
    async with (
        running(registry) as registry_client,
        running(incidents) as incidents_client,
        running(notifications) as client,
    ):
        admin = bearer(registry, Role.DEPARTMENT_ADMIN)
        assert (await send(registry_client, "/staff/import", STAFF.encode(), CSV, admin)).status_code == 200
        imported = await send(
            registry_client, "/memberships/import", xlsx(MEMBERSHIPS), XLSX_MEDIA_TYPE, admin
        )
        assert imported.status_code == 200, imported.text
        communes = await cluster_1_communes(registry_client, admin)
        contacts = csv_bytes(contacts_of(communes))
        imported = await send(registry_client, "/communes/contacts/import", contacts, CSV, admin)
        assert imported.status_code == 200, imported.text
        offices = [
            ["code", "name", "kind", "duty_contact", "email", "phone"],
            ["van-phong-so", "Văn phòng Sở", "department_office", "Trực ban", "vanphong@nghean.edu.vn", None],
            ["ubnd-tinh", "Văn phòng UBND tỉnh Nghệ An", "province", "Trực ban VP UBND tỉnh",
             "vpubnd@nghean.gov.vn", "02383844444"],
        ]  # fmt: skip
        assert (await send(registry_client, "/offices/import", xlsx(offices), XLSX_MEDIA_TYPE, admin)).json()[
            "created"
        ] == 2
        await both_exports_agree(registry_client, "/offices/export", admin)
        await import_school(registry_client, admin)

        async def imported_people(session: AsyncSession) -> bool:
            office = await session.get(CommuneReplica, MUONG_XEN)
            member = await session.get(MembershipReplica, 1)
            province = await session.get(OfficeReplica, "ubnd-tinh")
            desk = await session.get(OfficeReplica, "van-phong-so")
            return bool(office and office.culture_office_email and member and province and desk)

        await wait_for_replicas(
            incidents, notifications, imported_people, message="the imports in both replicas"
        )

        # The coverage report: no commune of cluster 1 is left without someone of its own.
        officer = bearer(notifications, Role.DEPARTMENT_OFFICER)

        async def coverage() -> dict[str, Any]:
            response = await client.get("/coverage", params={"cluster_no": 1}, headers=officer)
            return dict(response.json())

        def all_known(report: dict[str, Any]) -> bool:
            return all(
                [gap["role"] for gap in item["gaps"]] == ["cluster_leader"] for item in report["items"]
            )

        report = await wait_for(
            coverage, until=all_known, message="cluster 1's members and offices", within=60
        )
        assert report["communes"] == len(communes) and report["nobody_local"] == 0

        # An incident at a school of cluster 1: the members and the commune office hear at once.
        incident_officer = bearer(incidents, Role.DEPARTMENT_OFFICER)
        incident = await report_incident(
            incidents_client, incident_officer, category="dangerous_building", severity="high",
            title="Tường lớp học nứt", description="Tường phía tây nứt sau mưa lớn",
        )  # fmt: skip
        timeline = await incidents_client.get(
            f"/incidents/{incident['id']}/timeline", headers=incident_officer
        )
        routed = next(entry for entry in timeline.json() if entry["kind"] == "routed")
        assert routed["detail"].endswith("cụm 1 chưa có cụm trưởng: chuyển Văn phòng Sở"), routed["detail"]

        def deliveries() -> Awaitable[list[dict[str, Any]]]:
            return incident_deliveries(client, officer, incident["id"])

        office_key = f"commune-office:{MUONG_XEN}"
        wanted = {"staff:CB0102", "staff:CB0103", office_key, "office:van-phong-so"}

        def reached(found: list[dict[str, Any]]) -> bool:
            emails = {
                d["recipient_key"] for d in found if d["channel"] == "email" and d["state"] == "delivered"
            }
            return wanted <= emails

        found = await wait_for(deliveries, until=reached, message="the members and the office", within=60)
        assert {d["recipient_key"] for d in found} == wanted
        # The imported Văn phòng Sở is the duty desk that stands in for the missing leader.
        assert {d["recipient_key"] for d in found if d["stands_in_for"]} == {"office:van-phong-so"}
        addresses = {address for mail in smtp.messages() for address in mail.recipients}
        assert {
            "hung.lv@nghean.edu.vn",
            "lan.vt@nghean.edu.vn",
            f"vhxh.{MUONG_XEN}@nghean.gov.vn",
        } <= addresses

        # The "province" step reaches the province-level recipient the registry names, not the leadership.
        department = DepartmentContacts(
            Recipient("department:duty-desk", "x"), Recipient("department:leadership", "y")
        )
        async with runtime_of(notifications).messaging.unit_of_work() as uow:
            province = await resolve_one(
                uow=uow,
                target=Target(TargetKind.PROVINCE, "province"),
                department=department,
                today=date.today(),
            )
        assert [(r.key, r.email, r.phone) for r in province] == [
            ("office:ubnd-tinh", "vpubnd@nghean.gov.vn", "02383844444")
        ]
