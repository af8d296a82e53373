"""A start-of-year return, over the real broker, on SQLite and PostgreSQL: the Department's notice asks
every school of clusters 1 and 2 for it; two schools file on time (one corrects itself, both versions
kept), one files after the due date (taken, marked late), one files nothing. The rates per cluster,
commune, level and school say so, in JSON, CSV and XLSX; past the due date the missing schools are
reported once (two instances race for it) and the cluster leader hears of them once by email. Bad
answers are refused naming the field and the bound; a school outside the audience is refused."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from services.notices.app import create_app as create_notices
from services.notices.replica.models import SchoolReplica
from services.notices.returns.service import report_overdue
from services.notices.settings import NoticesSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.devmail.adapters import MailCatcher
from services.notifications.replica.models import StaffReplica
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from shared.events.base import EventPayload
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.notices import email_of, notice_body, registry_states, start_of_year_values
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

TYPE = "vn.gov.nghean.edu.notices."


@pytest.fixture
def registry_seed() -> list[EventPayload]:
    """The province of ``tests.support.notices``: its clusters, communes, schools and people."""
    return registry_states()


async def ready(notices: FastAPI, notifications: FastAPI) -> bool:
    async with runtime_of(notices).sessions() as session:
        schools = [await session.get(SchoolReplica, code) for code in ("S11A", "S11B", "S12", "S21")]
    async with runtime_of(notifications).sessions() as session:
        leaders = [await session.get(StaffReplica, code) for code in ("L1", "L2")]
    return all(schools) and all(leaders)


async def _value(value: Any) -> Any:
    return value


def principal(app: FastAPI, school: str) -> dict[str, str]:
    return bearer(app, Role.SCHOOL_PRINCIPAL, school_id=school)


async def submit(
    client: httpx.AsyncClient, app: FastAPI, notice_id: str, school: str, values: dict[str, Any], key: str
) -> httpx.Response:
    return await client.post(
        f"/notices/{notice_id}/return",
        json={"values": values},
        headers={**principal(app, school), "Idempotency-Key": key},
    )


def rate_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (r["group"], r["expected"], r["submitted"], r["on_time"], r["late"], r["missing"])
        for r in report["rates"]
    ]


async def test_a_start_of_year_return_gives_the_right_rates_and_the_leader_hears_of_the_missing_once(
    common: dict[str, Any],
    new_database_url: Callable[[str], str],
    registry_node: MessagingNode,
    smtp: MailCatcher,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    database = new_database_url("notices")
    quiet = {"kafka_session_timeout_ms": 6_000, "kafka_heartbeat_interval_ms": 500}
    notices = create_notices(
        NoticesSettings(**common, **quiet, database_url=database, jobs_enabled=False, metrics_interval_s=0.2)
    )
    notifications = create_notifications(
        NotificationsSettings(
            **common,
            **quiet,
            database_url=new_database_url("notifications"),
            smtp_port=smtp.port,
            delivery_poll_interval_s=0.05,
        )
    )
    async with running(notices) as client, running(notifications):
        await wait_for(lambda: ready(notices, notifications), message="both replicas")
        officer = bearer(notices, Role.DEPARTMENT_OFFICER)
        forms = await client.get("/return-forms", headers=officer)
        [form] = [f for f in forms.json() if f["code"] == "start_of_year"]
        fields = [field["code"] for section in form["definition"]["sections"] for field in section["fields"]]
        assert fields[:12] == [f"pupils_grade_{n}" for n in range(1, 13)]
        assert {"classes", "teachers", "boarding_pupils", "classrooms_unusable"} <= set(fields)

        due = datetime.now(UTC) + timedelta(seconds=6)
        created = await client.post(
            "/notices",
            json=notice_body(
                subject="Báo cáo thống kê đầu năm học 2026-2027",
                audience={"principal_groups": [{"cluster_nos": [1, 2]}]},
                return_request={
                    "form_code": "start_of_year",
                    "school_year": "2026-2027",
                    "due_at": due.isoformat(),
                },
            ),
            headers=officer,
        )
        assert created.status_code == 201, created.text
        notice_id = created.json()["id"]
        assert (await client.post(f"/notices/{notice_id}/publish", headers=officer)).status_code == 200

        # On time: S11A once (a retry with the same key counts once), S11B twice (a correction: version 2).
        first = await submit(client, notices, notice_id, "S11A", start_of_year_values(30), "s11a-1")
        assert (first.status_code, first.json()["version"], first.json()["late"]) == (201, 1, False)
        retried = await submit(client, notices, notice_id, "S11A", start_of_year_values(30), "s11a-1")
        assert (retried.status_code, retried.json()["version"]) == (200, 1)
        assert (
            await submit(client, notices, notice_id, "S11B", start_of_year_values(20), "s11b-1")
        ).status_code == 201
        corrected = await submit(client, notices, notice_id, "S11B", start_of_year_values(25), "s11b-2")
        assert (corrected.status_code, corrected.json()["version"]) == (201, 2)

        # Bad answers name the field and the bound; a school outside the audience is refused.
        for values, field, bound in (
            (start_of_year_values(30, pupils_grade_1=-1), "values.pupils_grade_1", "at least 0"),
            (start_of_year_values(30, classes=301), "values.classes", "at most 300"),
            (start_of_year_values(30, teachers="many"), "values.teachers", "whole number"),
            ({"pupils_grade_1": 3}, "values.classes", "required"),
            (start_of_year_values(30, swimming_pools=1), "values.swimming_pools", "no field"),
        ):
            refused = await submit(client, notices, notice_id, "S12", values, "bad")
            assert (refused.status_code, refused.json()["field"]) == (422, field), refused.text
            assert bound in refused.json()["detail"]
        outside = await submit(client, notices, notice_id, "S99", start_of_year_values(), "outside")
        # Not addressed to S99: the notice does not exist for its principal, as GET /notices/{id} answers.
        assert (outside.status_code, outside.json()["field"]) == (404, "notice_id"), outside.text
        officer_files = await client.post(
            f"/notices/{notice_id}/return", json={"values": start_of_year_values()}, headers=officer
        )
        assert officer_files.status_code == 403  # returns come from the schools' principals
        other = await client.post(
            "/notices", json=notice_body(audience={"school_codes": ["S11A"]}), headers=officer
        )
        await client.post(f"/notices/{other.json()['id']}/publish", headers=officer)
        no_return = await submit(client, notices, other.json()["id"], "S11A", start_of_year_values(), "x")
        assert no_return.status_code == 404  # that notice asks for no return

        await wait_for(lambda: _value(datetime.now(UTC) > due), message="the due date to pass", within=20)
        late = await submit(client, notices, notice_id, "S21", start_of_year_values(40), "s21-1")
        assert (late.status_code, late.json()["late"]) == (201, True)  # taken after the due date, marked late
        too_late = await submit(client, notices, notice_id, "S11A", start_of_year_values(31), "s11a-2")
        assert (too_late.status_code, too_late.json()["rule"]) == (409, "return_closed")
        versions = await client.get(f"/notices/{notice_id}/return/schools/S11B", headers=officer)
        assert [(v["version"], v["values"]["pupils_grade_1"]) for v in versions.json()] == [(1, 20), (2, 25)]

        by = {}
        for group_by in ("cluster", "commune", "level", "school"):
            response = await client.get(
                f"/notices/{notice_id}/return/rates", params={"group_by": group_by}, headers=officer
            )
            assert response.status_code == 200, response.text
            by[group_by] = response.json()
        assert rate_rows(by["cluster"]) == [("1", 3, 2, 2, 0, 1), ("2", 1, 1, 0, 1, 0)]
        assert rate_rows(by["commune"]) == [
            ("16001", 2, 2, 2, 0, 0),
            ("16002", 1, 0, 0, 0, 1),
            ("16003", 1, 1, 0, 1, 0),
        ]
        assert rate_rows(by["level"]) == [
            ("lower_secondary", 1, 1, 1, 0, 0),
            ("preschool", 1, 0, 0, 0, 1),
            ("primary", 2, 2, 1, 1, 0),
        ]
        assert {r["group"]: r["missing"] for r in by["school"]["rates"]} == {
            "S11A": 0,
            "S11B": 0,
            "S12": 1,
            "S21": 0,
        }
        assert by["cluster"]["totals"]["reporting_rate"] == 0.75
        assert by["cluster"]["totals"]["on_time_rate"] == 0.5
        leader_1 = await client.get(
            f"/notices/{notice_id}/return/rates",
            params={"cluster_no": 2},
            headers=bearer(notices, Role.CLUSTER_LEADER, cluster_no=1),
        )
        assert leader_1.status_code == 403  # a cluster's people see their own cluster

        exported = await client.get(
            f"/notices/{notice_id}/return/rates",
            params={"group_by": "school", "format": "csv"},
            headers=officer,
        )
        assert exported.content.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert [(r["school_code"], r["status"], r["pupils_grade_1"]) for r in rows] == [
            ("S11A", "on_time", "30"),
            ("S11B", "on_time", "25"),
            ("S12", "missing", ""),
            ("S21", "late", "40"),
        ]
        book = await client.get(
            f"/notices/{notice_id}/return/rates",
            params={"group_by": "cluster", "format": "xlsx"},
            headers=officer,
        )
        sheet = load_workbook(io.BytesIO(book.content)).worksheets[0]
        assert [tuple(cell.value for cell in row[:7]) for row in sheet.iter_rows(min_row=2)] == [
            ("1", 1, 3, 2, 2, 0, 1),
            ("2", 2, 1, 1, 0, 1, 0),
            ("all", None, 4, 3, 2, 1, 1),
        ]

        # The operators' gauge: one school of cluster 1 has filed nothing past the due date.
        await wait_for(
            lambda: client.get("/metrics"),
            until=lambda r: 'notices_returns_missing{cluster="1"} 1.0' in r.text,
            message="the missing-returns gauge",
        )

        # Past the due date, two instances race to report the missing schools: it happens once.
        settings = NoticesSettings(
            **common, **quiet, database_url=database, seed_on_start=False, overdue_returns_interval_s=0.2
        )
        async with running(create_notices(settings)) as second, running(create_notices(settings)):
            await wait_for(
                lambda: _value([m for m in smtp.messages() if m.subject.startswith("[Quá hạn báo cáo]")]),
                message="the leader's email about the missing school",
                within=60,
            )
            del second
        async with runtime_of(notices).messaging.unit_of_work() as uow:
            assert await report_overdue(uow=uow, now=datetime.now(UTC)) == 0  # nothing left to report
        records = await read_topic(
            kafka_bootstrap_servers, topic_prefix + "notices.events", expected=100, timeout_s=3
        )
        # Relays of instances sharing one SQLite file may each publish a row (at least once); consumers keep
        # one per event id, and so does this count.
        records = list({headers_of(r)["ce_id"]: r for r in records}.values())
        kinds = [headers_of(r)["ce_type"].removeprefix(TYPE) for r in records]
        assert (kinds.count("return.requested.v1"), kinds.count("return.submitted.v1")) == (1, 3)
        corrections = [
            json.loads(r.value) for r in records if headers_of(r)["ce_type"] == TYPE + "return.corrected.v1"
        ]
        assert [(c["school_code"], c["version"], c["supersedes_version"]) for c in corrections] == [
            ("S11B", 2, 1)
        ]
        overdue = [
            json.loads(r.value) for r in records if headers_of(r)["ce_type"] == TYPE + "return.overdue.v1"
        ]
        assert [
            (o["cluster_no"], [m["school_code"] for m in o["missing"]], o["expected_count"]) for o in overdue
        ] == [(1, ["S12"], 3)]  # cluster 2 has nobody missing: nothing to say
        figures = [
            json.loads(r.value)
            for r in records
            if headers_of(r)["ce_type"] == TYPE + "school.figures_reported.v1"
        ]
        assert sorted(
            (f["school_code"], f["version"], f["pupils"], f["classes"], f["teachers"]) for f in figures
        ) == [
            ("S11A", 1, 150, 10, 15),
            ("S11B", 1, 100, 10, 15),
            ("S11B", 2, 125, 10, 15),
            ("S21", 1, 200, 10, 15),
        ]
        leader_mail = [m for m in smtp.messages() if m.subject.startswith("[Quá hạn báo cáo]")]
        assert [m.recipients for m in leader_mail] == [[email_of("L1")]]  # once, to cluster 1's leader
        assert "Trường S12 (S12)" in leader_mail[0].body
