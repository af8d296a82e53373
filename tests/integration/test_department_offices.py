"""The Department's desks come from its imported offices: registry, incidents and notifications in-process
on the real broker, a real SMTP server (aiosmtpd). Before any office is imported the coverage report says
the duty desk and the leadership are the addresses in settings; once the registry imports a Văn phòng Sở
and a Ban Giám đốc with their duty contacts, notifications' replica picks them up, the coverage report
names them, and a critical incident's Department step (duty desk and leadership at once) emails the
imported duty contacts, not the settings' addresses. An office made inactive gives its desk back to
settings.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.app import create_app as create_notifications
from services.notifications.devmail.adapters import MailCatcher
from services.notifications.replica.models import OfficeReplica
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from shared.tabular import XLSX_MEDIA_TYPE
from tests.support.apps import bearer, running
from tests.support.department import (
    department_apps,
    import_school,
    incident_deliveries,
    report_incident,
    wait_for_replicas,
)
from tests.support.tables import CSV, both_exports_agree, csv_bytes, send
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

SETTINGS_DESK = "truc-ban-cu@nghean.edu.vn"
SETTINGS_LEADERSHIP = "bgd-cu@nghean.edu.vn"
OFFICES = [
    ["code", "name", "kind", "duty_contact", "email", "phone", "active"],
    ["van-phong-so", "Văn phòng Sở", "department_office", "Trực ban Nguyễn Thị Hà", "truc.ban@nghean.edu.vn",
     "0912345678", "true"],
    ["ban-giam-doc", "Ban Giám đốc Sở", "department_leadership", "Phó Giám đốc Lê Văn Đức",
     "ld.so@nghean.edu.vn", None, "true"],
    ["phong-gdtx", "Phòng GDTX", "department_division", "Trưởng phòng", "gdtx@nghean.edu.vn", None, "true"],
]  # fmt: skip


def desks(report: dict[str, Any]) -> dict[str, tuple[bool, list[tuple[str, str | None]]]]:
    return {
        desk["desk"]: (desk["from_offices"], [(p["key"], p["email"]) for p in desk["people"]])
        for desk in report["desks"]
    }


async def test_the_department_step_reaches_the_imported_offices_duty_contacts(
    quick_common: dict[str, Any], sqlite_url: Callable[[str], str], smtp: MailCatcher
) -> None:
    registry, incidents, notifications = department_apps(
        quick_common, sqlite_url, smtp.port,
        department_duty_desk_email=SETTINGS_DESK, department_leadership_email=SETTINGS_LEADERSHIP,
    )  # fmt: skip
    async with (
        running(registry) as registry_client,
        running(incidents) as incidents_client,
        running(notifications) as client,
    ):
        admin = bearer(registry, Role.DEPARTMENT_ADMIN)
        officer = bearer(notifications, Role.DEPARTMENT_OFFICER)

        async def coverage() -> dict[str, Any]:
            response = await client.get("/coverage", params={"cluster_no": 1}, headers=officer)
            assert response.status_code == 200, response.text
            return dict(response.json())

        # Before any office: the settings' addresses, and the report says so.
        before = desks(await coverage())
        assert before["duty-desk"] == (False, [("department:duty-desk", SETTINGS_DESK)])
        assert before["leadership"] == (False, [("department:leadership", SETTINGS_LEADERSHIP)])
        assert before["province"] == before["leadership"]  # no province recipient: the leadership

        # The Department fills in the registry's own template and sends it back.
        template = await registry_client.get("/offices/import/template", headers=admin)
        assert template.headers["content-type"] == XLSX_MEDIA_TYPE
        book = load_workbook(io.BytesIO(template.content))
        sheet = book.worksheets[0]
        assert [cell.value for cell in sheet[1]] == OFFICES[0]
        for row in OFFICES[1:]:
            sheet.append(row)
        filled = io.BytesIO()
        book.save(filled)
        imported = await send(registry_client, "/offices/import", filled.getvalue(), XLSX_MEDIA_TYPE, admin)
        assert (imported.status_code, imported.json()["created"]) == (200, 3), imported.text
        exported = await both_exports_agree(registry_client, "/offices/export", admin)
        assert ["van-phong-so", "Văn phòng Sở", "department_office", "Trực ban Nguyễn Thị Hà",
                "truc.ban@nghean.edu.vn", "0912345678", "true"] in exported  # fmt: skip
        await import_school(registry_client, admin)

        async def offices(session: AsyncSession) -> bool:
            return all([await session.get(OfficeReplica, row[0]) for row in OFFICES[1:]])

        await wait_for_replicas(
            incidents, notifications, offices, message="the offices and the school in the replicas"
        )

        # The coverage report names the imported duty contacts; a division is no desk.
        after = desks(await coverage())
        assert after["duty-desk"] == (True, [("office:van-phong-so", "truc.ban@nghean.edu.vn")])
        assert after["leadership"] == (True, [("office:ban-giam-doc", "ld.so@nghean.edu.vn")])
        assert after["province"] == after["leadership"]
        report = await coverage()
        desk = next(d for d in report["desks"] if d["desk"] == "duty-desk")
        assert desk["desk_label"] == "Văn phòng Sở"
        assert desk["people"][0]["name"] == "Trực ban Nguyễn Thị Hà (Văn phòng Sở)"
        standing_in = {
            heard["key"]
            for item in report["items"]
            for severity in item["severities"]
            for heard in severity["heard"]
            if heard["stands_in_for"]
        }
        assert standing_in == {"office:van-phong-so"}  # cluster 1 has nobody yet: the imported desk hears

        # A critical incident: its Department step reaches the imported duty contacts, by email.
        incident_officer = bearer(incidents, Role.DEPARTMENT_OFFICER)
        incident = await report_incident(
            incidents_client, incident_officer, category="food_poisoning", severity="critical",
            title="Nhiều trẻ đau bụng", description="60 trẻ nôn sau bữa trưa bán trú",
        )  # fmt: skip

        def deliveries() -> Awaitable[list[dict[str, Any]]]:
            return incident_deliveries(client, officer, incident["id"])

        def emailed(found: list[dict[str, Any]]) -> bool:
            keys = {
                d["recipient_key"] for d in found if d["channel"] == "email" and d["state"] == "delivered"
            }
            return {"office:van-phong-so", "office:ban-giam-doc"} <= keys

        found = await wait_for(deliveries, until=emailed, message="the imported desks' emails", within=60)
        assert not {d["recipient_key"] for d in found} & {"department:duty-desk", "department:leadership"}
        sms = {d["address"] for d in found if d["channel"] == "sms"}
        assert sms <= {"0912345678"}  # the duty contact's phone, when this instance can send SMS
        addresses = {address for mail in smtp.messages() for address in mail.recipients}
        assert {"truc.ban@nghean.edu.vn", "ld.so@nghean.edu.vn"} <= addresses
        assert not addresses & {SETTINGS_DESK, SETTINGS_LEADERSHIP, "gdtx@nghean.edu.vn"}

        # The office closed: its desk falls back to the settings' address.
        closed = [OFFICES[0], [*OFFICES[1][:6], "false"]]
        assert (
            await send(registry_client, "/offices/import", csv_bytes(closed), CSV, admin)
        ).status_code == 200

        def settings_desk(report: dict[str, Any]) -> bool:
            return desks(report)["duty-desk"] == (False, [("department:duty-desk", SETTINGS_DESK)])

        report = await wait_for(coverage, until=settings_desk, message="the desk back to settings", within=60)
        assert desks(report)["leadership"][0] is True


async def test_coverage_without_offices_answers_from_settings(
    common: dict[str, Any], sqlite_url: Callable[[str], str]
) -> None:
    """Without the broker's offices the report still answers: each desk from settings."""
    app = create_notifications(NotificationsSettings(**common, database_url=sqlite_url("notifications")))
    async with running(app) as client:
        response = await client.get("/coverage", headers=bearer(app, Role.DEPARTMENT_ADMIN))
        assert response.status_code == 200, response.text
        found: dict[str, Any] = desks(response.json())
        assert {desk: from_offices for desk, (from_offices, _) in found.items()} == {
            "duty-desk": False,
            "leadership": False,
            "province": False,
        }
