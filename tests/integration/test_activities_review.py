"""Defects found in review of the activities service, each pinned by a test on the real broker and on
SQLite and PostgreSQL: registrations of another cluster's schools, and bad input that once answered 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from tests.support.activities import Registry, contest, replica_counts, school, teacher
from tests.support.apps import bearer
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]


async def test_a_province_wide_contest_lists_registrations_within_the_callers_scope(
    activities_service: tuple[FastAPI, httpx.AsyncClient], registry_feed: Registry
) -> None:
    """Names and birth dates of another cluster's teachers and pupils once showed to every cluster."""
    app, client = activities_service
    for state in (school("S3", 3), school("S3B", 3), school("S4", 4)):
        await registry_feed.publish(state)
    for staff in (
        teacher("T3", "S3", "core_teacher"),
        teacher("T3B", "S3B", "core_teacher"),
        teacher("T4", "S4", "core_teacher"),
    ):
        await registry_feed.publish(staff)
    await wait_for(lambda: replica_counts(app), until=lambda c: c == (3, 3), message="3 schools, 3 staff")

    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    planned = await client.post(
        "/activities", json=contest(cluster_nos=[], whole_province=True, capacity=1), headers=officer
    )
    assert planned.status_code == 201, planned.text
    url = f"/activities/{planned.json()['id']}/registrations"
    opened = await client.post(
        url.replace("registrations", "status"), json={"status": "registration_open"}, headers=officer
    )
    assert opened.status_code == 200, opened.text
    for school_code, staff_code in (("S4", "T4"), ("S3", "T3"), ("S3B", "T3B")):
        body = {"school_code": school_code, "participant_kind": "teacher", "staff_code": staff_code}
        assert (await client.post(url, json=body, headers=officer)).status_code == 201

    async def listed(headers: dict[str, str]) -> list[tuple[Any, ...]]:
        rows = (await client.get(url, headers=headers)).json()
        return [(row["school_code"], row["status"], row["waitlist_position"]) for row in rows]

    everyone = [("S4", "registered", None), ("S3", "waitlisted", 1), ("S3B", "waitlisted", 2)]
    assert await listed(officer) == everyone
    assert await listed(bearer(app, Role.CLUSTER_MEMBER, cluster_no=3)) == everyone[1:]
    assert await listed(bearer(app, Role.CLUSTER_LEADER, cluster_no=4)) == everyone[:1]
    # A principal sees their own school's, at its true place in the queue.
    assert await listed(bearer(app, Role.SCHOOL_PRINCIPAL, school_id="S3B")) == everyone[2:]


SEMINAR = {
    "title": "t",
    "kind": "thematic_seminar",
    "division_code": "GDPT",
    "levels": ["primary"],
    "starts_at": "2030-01-01T00:00:00Z",
    "ends_at": "2030-01-02T00:00:00Z",
}
OUT_OF_RANGE: list[tuple[str, str, dict[str, Any] | None, str]] = [
    # A naive moment, dates whose conversion to UTC leaves the calendar, numbers past the database's.
    ("GET", "/activities?starts_from=2026-01-01T00:00:00", None, "starts_from"),
    ("GET", "/activities?cluster_no=99999999999999999999", None, "cluster_no"),
    ("GET", "/calendar?cluster_no=99999999999999999999&week=2026-W10", None, "cluster_no"),
    ("GET", "/calendar?cluster_no=3&week=0001-W01", None, "week"),
    ("GET", "/calendar?cluster_no=3&week=9999-W52", None, "week"),
    ("GET", "/activities/x/results?version=99999999999999999999", None, "version"),
    ("POST", "/delegations/x/recommendations/99999999999999999999/done", None, "recommendation_id"),
    ("GET", "/support/totals?cluster_no=99999999999999999999", None, "cluster_no"),
    ("POST", "/activities", {**SEMINAR, "cluster_nos": [10**20]}, "cluster_nos"),
    (
        "POST",
        "/activities",
        {
            **SEMINAR,
            "cluster_nos": [3],
            "starts_at": "9999-12-31T23:00-05:00",
            "ends_at": "9999-12-31T23:59-05:00",
        },
        "starts_at",
    ),
]


async def test_out_of_range_dates_and_numbers_are_a_422_naming_the_field(
    activities_service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = activities_service
    headers = bearer(app, Role.DEPARTMENT_ADMIN)
    answers = []
    for method, url, body, field in OUT_OF_RANGE:
        response = await client.request(method, url, json=body, headers=headers)
        named = response.json().get("field") or str(response.json().get("detail"))
        answers.append((url, response.status_code, field in named))
    assert answers == [(url, 422, True) for _, url, _, _ in OUT_OF_RANGE]
