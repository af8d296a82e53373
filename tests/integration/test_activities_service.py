"""The activities service on the real broker, on SQLite and PostgreSQL: the registry's schools and staff
arrive over Kafka into the replica; a contest is planned, opened, filled (with a waiting list), run, scored
and published; delegations, support and proposals; roles, bad input and bursts; every step an event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.activities.jobs.registration_closing import close_due_registrations
from shared.auth import Role
from shared.events import SchoolStateV2
from tests.support.activities import (
    NOW,
    Registry,
    contest,
    feed_registry,
    open_contest,
    replica_counts,
    school,
    teacher,
)
from tests.support.apps import bearer, runtime_of
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

TYPE = "vn.gov.nghean.edu.activities."
VIETNAM = timezone(timedelta(hours=7))


Events = list[tuple[str, dict[str, Any], str]]
"""The test's activities events in order: (type without the prefix, body, key)."""


@pytest.fixture
def activity_events(kafka_bootstrap_servers: str, topic_prefix: str) -> Callable[[int], Awaitable[Events]]:
    """Reads this test's activities events, once ``expected`` of them are on the topic."""

    async def read(expected: int) -> Events:
        records = await read_topic(
            kafka_bootstrap_servers, topic_prefix + "activities.events", expected=expected
        )
        ordered = sorted(records, key=lambda r: (r.partition, r.offset))
        return [
            (headers_of(r)["ce_type"].removeprefix(TYPE), json.loads(r.value), r.key.decode())
            for r in ordered
        ]

    return read


@pytest.fixture
async def fed(
    activities_service: tuple[FastAPI, httpx.AsyncClient], registry_feed: Registry
) -> tuple[FastAPI, httpx.AsyncClient]:
    """The activities app with ``feed_registry``'s schools and staff in its replica."""
    await feed_registry(activities_service[0], registry_feed)
    return activities_service


async def test_a_cluster_contest_is_planned_opened_filled_and_each_step_is_an_event(
    fed: tuple[FastAPI, httpx.AsyncClient], activity_events: Callable[[int], Awaitable[Events]]
) -> None:
    app, client = fed
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)

    activity_id = await open_contest(client, leader)

    def register(school_code: str, staff_code: str, as_officer: bool = False) -> Any:
        principal = (
            bearer(app, Role.DEPARTMENT_OFFICER)
            if as_officer
            else bearer(app, Role.SCHOOL_PRINCIPAL, school_id=school_code)
        )
        body = {"school_code": school_code, "participant_kind": "teacher", "staff_code": staff_code}
        return client.post(f"/activities/{activity_id}/registrations", json=body, headers=principal)

    first, second, third = await register("S1", "T1"), await register("S2", "T2"), await register("S3", "T3")
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    assert [r.json()["status"] for r in (first, second, third)] == ["registered", "registered", "waitlisted"]
    again = await register("S1", "T1")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])  # twice is a no-op

    not_core = await register("S1", "T4")
    assert (not_core.status_code, not_core.json()["rule"]) == (422, "eligibility_role")
    hidden = await register("S4", "T5")
    assert hidden.status_code == 404  # a cluster-4 principal does not even see a cluster-3 contest
    other_cluster = await register("S4", "T5", as_officer=True)
    assert (other_cluster.status_code, other_cluster.json()["rule"]) == (422, "eligibility_cluster")

    withdrawn = await client.post(
        f"/activities/{activity_id}/registrations/{first.json()['id']}/withdraw",
        headers=bearer(app, Role.SCHOOL_PRINCIPAL, school_id="S1"),
    )
    assert withdrawn.json()["status"] == "withdrawn"
    registrations = (await client.get(f"/activities/{activity_id}/registrations", headers=leader)).json()
    assert {r["staff_code"]: r["status"] for r in registrations} == {
        "T1": "withdrawn",
        "T2": "registered",
        "T3": "registered",
    }

    for status in ("registration_closed", "in_progress"):
        changed = await client.post(
            f"/activities/{activity_id}/status", json={"status": status}, headers=leader
        )
        assert changed.status_code == 200, changed.text

    by_staff = {r["staff_code"]: r["id"] for r in registrations}
    first_sheet = {
        "entries": [
            {"registration_id": by_staff["T2"], "score": 18.5, "award": "first"},
            {"registration_id": by_staff["T3"], "score": 18.5, "award": "first"},
        ],
        "decision_number": "123/QĐ-SGDĐT",
        "decision_date": "2026-12-10",
    }
    results_url = f"/activities/{activity_id}/results"
    published = await client.post(results_url, json=first_sheet, headers=leader)
    assert published.status_code == 201, published.text
    assert [(e["rank"], e["award"]) for e in published.json()["entries"]] == [(1, "first"), (1, "first")]
    final = await client.post(results_url, json=first_sheet, headers=leader)
    assert (final.status_code, final.json()["rule"]) == (409, "results_final")
    correction = {
        **first_sheet,
        "entries": [
            {"registration_id": by_staff["T2"], "score": 18.5, "award": "first"},
            {"registration_id": by_staff["T3"], "score": 17.0, "award": "second"},
        ],
        "decision_number": "130/QĐ-SGDĐT",
        "correction_reason": "Điểm của T3 được cộng nhầm",
    }
    corrected = await client.post(results_url, json=correction, headers=leader)
    assert corrected.status_code == 201, corrected.text
    assert (corrected.json()["version"], corrected.json()["supersedes_version"]) == (2, 1)
    old = (await client.get(results_url, params={"version": 1}, headers=leader)).json()
    assert [e["rank"] for e in old["entries"]] == [1, 1]  # the superseded version is kept as it was
    awards = await client.get(f"/activities/{activity_id}/awards", params={"format": "csv"}, headers=leader)
    assert awards.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    lines = awards.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(
        "rank,award,full_name,staff_code,school_code,school_name,score,decision_number"
    )
    assert lines[1:] == [
        "1,first,Giáo viên T2,T2,S2,Trường S2,18.5,130/QĐ-SGDĐT,2026-12-10,2",
        "2,second,Giáo viên T3,T3,S3,Trường S3,17.0,130/QĐ-SGDĐT,2026-12-10,2",
    ]
    done = await client.post(
        f"/activities/{activity_id}/status", json={"status": "completed"}, headers=leader
    )
    assert done.json()["status"] == "completed"

    events = await activity_events(12)
    assert [kind for kind, _, _ in events] == [
        "activity.scheduled.v1",
        "activity.registration_opened.v1",
        "activity.participant_registered.v1",
        "activity.participant_registered.v1",
        "activity.participant_registered.v1",
        "activity.participant_withdrawn.v1",
        "activity.participant_registered.v1",
        "activity.registration_closed.v1",
        "activity.updated.v1",
        "activity.results_published.v1",
        "activity.results_published.v1",
        "activity.updated.v1",
    ]
    assert {key for _, _, key in events} == {activity_id}
    opened_event = events[1][1]
    assert opened_event["eligible_school_codes"] == [
        "S1",
        "S2",
        "S3",
    ]  # not S4 (cluster 4), not M1 (preschool)
    assert opened_event["activity"]["cluster_nos"] == [3]
    assert events[4][1]["participant"]["status"] == "waitlisted"
    assert events[5][1]["promoted_registration_id"] == third.json()["id"]
    assert events[6][1]["promoted_from_waitlist"] is True
    assert events[7][1]["registered_school_codes"] == ["S2", "S3"]
    correction_event = events[10][1]
    assert (correction_event["version"], correction_event["supersedes_version"]) == (2, 1)
    assert correction_event["participant_school_codes"] == ["S2", "S3"]
    assert [e["award"] for e in correction_event["entries"]] == ["first", "second"]


async def test_a_delegation_a_support_contribution_and_a_proposal_are_events(
    fed: tuple[FastAPI, httpx.AsyncClient], activity_events: Callable[[int], Awaitable[Events]]
) -> None:
    app, client = fed
    officer, admin = bearer(app, Role.DEPARTMENT_OFFICER), bearer(app, Role.DEPARTMENT_ADMIN)
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    starts = NOW + timedelta(days=3)
    delegation = {
        "title": "Đoàn kiểm tra chuyên môn cụm 3",
        "purpose": "Kiểm tra dạy học 2 buổi/ngày",
        "division_code": "GDPT",
        "cluster_nos": [3],
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=2)).isoformat(),
        "members": [
            {"staff_code": "D1", "full_name": "Trưởng đoàn", "role": "head"},
            {"staff_code": "T2", "full_name": "Giáo viên T2", "role": "member"},
        ],
        "visits": [{"commune_code": "17000", "school_code": "S1", "visit_date": starts.date().isoformat()}],
    }
    created = await client.post("/delegations", json=delegation, headers=leader)
    assert created.status_code == 201, created.text
    delegation_id = created.json()["activity_id"]
    busy = await client.post("/delegations", json={**delegation, "title": "Đoàn khác"}, headers=officer)
    assert (busy.status_code, busy.json()["rule"]) == (409, "member_double_booked")
    early = await client.post(
        f"/delegations/{delegation_id}/report", json={"findings": "Tốt"}, headers=leader
    )
    assert (early.status_code, early.json()["rule"]) == (409, "report_timing")
    await client.post(f"/activities/{delegation_id}/status", json={"status": "in_progress"}, headers=leader)
    due = (starts + timedelta(days=30)).date().isoformat()
    report = {
        "findings": "Trường S1 thiếu thiết bị dạy học tiếng Anh",
        "recommendations": [
            {"text": "Bổ sung thiết bị", "addressee_school_code": "S1", "follow_up_due": due}
        ],
    }
    filed = await client.post(f"/delegations/{delegation_id}/report", json=report, headers=leader)
    assert filed.status_code == 200, filed.text
    follow_ups = (await client.get("/delegations/follow-ups", headers=leader)).json()
    assert [(f["text"], f["follow_up_due"]) for f in follow_ups] == [("Bổ sung thiết bị", due)]
    # Each follow-up names its delegation, so a page can mark it done from the list.
    assert follow_ups[0]["activity_id"] == delegation_id
    done = await client.post(
        f"/delegations/{delegation_id}/recommendations/{follow_ups[0]['id']}/done", headers=leader
    )
    assert done.status_code == 200 and done.json()["done_at"] is not None, done.text
    assert (await client.get("/delegations/follow-ups", headers=leader)).json() == []

    pairing = await client.post(
        "/support/pairings",
        json={
            "helper": {"kind": "school", "code": "S4"},
            "helped": {"kind": "school", "code": "S1"},
            "period_from": "2025-09-01",
            "period_to": "2028-08-31",
        },
        headers=officer,
    )
    assert pairing.status_code == 201, pairing.text
    pairing_id = pairing.json()["id"]
    assert pairing.json()["helped"] == {"kind": "school", "code": "S1", "name": "Trường S1", "cluster_no": 3}
    for kind, value, on in (("money", 15_000_000, "2025-10-01"), ("equipment", 42_500_000, "2026-09-15")):
        recorded = await client.post(
            f"/support/pairings/{pairing_id}/contributions",
            json={"kind": kind, "value_vnd": value, "description": kind, "contributed_on": on},
            headers=leader,  # the leader of the helped school's cluster may record
        )
        assert recorded.status_code == 201, recorded.text
    fractional = await client.post(
        f"/support/pairings/{pairing_id}/contributions",
        json={"kind": "money", "value_vnd": 1.5, "description": "x", "contributed_on": "2025-10-01"},
        headers=officer,
    )
    assert fractional.status_code == 422  # money is whole VND, never a float
    by_year = (await client.get("/support/totals", params={"by": "school_year"}, headers=officer)).json()
    assert by_year == [
        {"group": "2026-2027", "contributions": 1, "value_vnd": 42_500_000},
        {"group": "2025-2026", "contributions": 1, "value_vnd": 15_000_000},
    ]
    by_cluster = (
        await client.get("/support/totals", params={"by": "helper_cluster"}, headers=officer)
    ).json()
    assert by_cluster == [{"group": "4", "contributions": 2, "value_vnd": 57_500_000}]

    proposal = await client.post(
        "/proposals",
        json={
            "cluster_no": 3,
            "staff_code": "T2",
            "full_name": "Giáo viên T2",
            "proposed_role": "core_teacher",
            "justification": "Giải nhất hội thi cụm",
        },
        headers=leader,
    )
    assert proposal.status_code == 201, proposal.text
    proposal_url = f"/proposals/{proposal.json()['id']}/status"
    skipped = await client.post(proposal_url, json={"status": "approved", "reasons": "ok"}, headers=admin)
    assert (skipped.status_code, skipped.json()["rule"]) == (409, "proposal_transition")
    await client.post(proposal_url, json={"status": "under_review"}, headers=officer)
    by_officer = await client.post(
        proposal_url, json={"status": "approved", "reasons": "ok"}, headers=officer
    )
    assert by_officer.status_code == 403  # only the Director decides
    no_reason = await client.post(proposal_url, json={"status": "approved"}, headers=admin)
    assert (no_reason.status_code, no_reason.json()["rule"]) == (422, "decision_reasons")
    decided = await client.post(
        proposal_url, json={"status": "approved", "reasons": "Đủ tiêu chuẩn"}, headers=admin
    )
    assert decided.json()["status"] == "approved"

    events = await activity_events(6)
    kinds = {kind: (body, key) for kind, body, key in events}
    assert sorted(kinds) == [
        "activity.updated.v1",  # the delegation went in_progress
        "delegation.report_filed.v1",
        "delegation.scheduled.v1",
        "pairing.support_recorded.v1",
        "proposal.decided.v1",
    ]
    assert len(events) == 6  # two contributions
    assert kinds["delegation.report_filed.v1"][0]["visited_school_codes"] == ["S1"]
    assert kinds["pairing.support_recorded.v1"][1] == pairing_id
    assert kinds["proposal.decided.v1"][0]["decision"] == "approved"


async def test_a_burst_of_registrations_never_overbooks(fed: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = fed
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    activity_id = await open_contest(
        client,
        officer,
        kind="pupil_contest",
        capacity=7,
        venue_school_code=None,
        eligibility={"participant_kind": "pupil"},
    )

    async def register(n: int) -> int:
        body = {
            "school_code": f"S{n % 3 + 1}",
            "participant_kind": "pupil",
            "full_name": f"Học sinh {n}",
            "birth_date": "2014-05-01",
        }
        response = await client.post(f"/activities/{activity_id}/registrations", json=body, headers=officer)
        return response.status_code

    statuses = await asyncio.gather(*(register(n) for n in range(40)), *(register(n) for n in range(5)))
    assert (statuses.count(201), statuses.count(200)) == (40, 5)  # five repeats were no-ops
    registrations = (await client.get(f"/activities/{activity_id}/registrations", headers=officer)).json()
    assert len(registrations) == 40
    assert sum(r["status"] == "registered" for r in registrations) == 7
    waiting = [r["waitlist_position"] for r in registrations if r["status"] == "waitlisted"]
    assert waiting == list(range(1, 34))
    activity = (await client.get(f"/activities/{activity_id}", headers=officer)).json()
    assert activity["seats_taken"] == 7


async def test_eligibility_follows_the_registry(
    fed: tuple[FastAPI, httpx.AsyncClient], registry_feed: Registry
) -> None:
    app, client = fed
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    activity_id = await open_contest(client, officer, capacity=10, venue_school_code=None)
    url = f"/activities/{activity_id}/registrations"
    body = {"school_code": "S4", "participant_kind": "teacher", "staff_code": "T5"}
    refused = await client.post(url, json=body, headers=officer)
    assert (refused.status_code, refused.json()["rule"]) == (422, "eligibility_cluster")

    await registry_feed.publish(school("S4", 3, version=2))  # its commune moved to cluster 3
    await registry_feed.publish(school("S4", 4, version=1))  # a late, older state changes nothing

    async def attempt() -> int:
        return (await client.post(url, json=body, headers=officer)).status_code

    await wait_for(attempt, until=lambda status: status == 201, message="S4 eligible once in cluster 3")

    await registry_feed.publish(teacher("T2", "S2", "teacher", version=2))  # no longer a core teacher
    t2 = {"school_code": "S2", "participant_kind": "teacher", "staff_code": "T2"}

    async def attempt_t2() -> httpx.Response:
        return await client.post(url, json=t2, headers=officer)

    response = await wait_for(attempt_t2, until=lambda r: r.status_code == 422, message="T2 no longer core")
    assert response.json()["rule"] == "eligibility_role"


async def test_roles_double_bookings_windows_and_the_calendar(fed: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = fed
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    leader_3, leader_4 = (
        bearer(app, Role.CLUSTER_LEADER, cluster_no=3),
        bearer(app, Role.CLUSTER_LEADER, cluster_no=4),
    )
    principal_1 = bearer(app, Role.SCHOOL_PRINCIPAL, school_id="S1")

    assert (await client.get("/activities")).status_code == 401
    assert (await client.post("/activities", json=contest(), headers=principal_1)).status_code == 403
    assert (await client.post("/activities", json=contest(), headers=leader_4)).status_code == 403
    backwards = contest(ends_at=NOW.isoformat())
    refused = await client.post("/activities", json=backwards, headers=leader_3)
    assert refused.status_code == 422
    assert (refused.json()["rule"], refused.json()["field"]) == ("schedule", "ends_at")
    unknown_division = await client.post("/activities", json=contest(division_code="NOPE"), headers=leader_3)
    assert (unknown_division.status_code, unknown_division.json()["field"]) == (422, "division_code")

    activity_id = await open_contest(client, leader_3)
    clash = await client.post("/activities", json=contest(title="Chuyên đề khác"), headers=officer)
    assert (clash.status_code, clash.json()["rule"]) == (409, "venue_double_booked")
    elsewhere = await open_contest(client, officer, title="Hội thi cùng giờ", venue_school_code="S2")

    assert (
        await client.patch(f"/activities/{activity_id}", json={"title": "x"}, headers=leader_4)
    ).status_code == 404
    registered = await client.post(
        f"/activities/{activity_id}/registrations",
        json={"school_code": "S1", "participant_kind": "teacher", "staff_code": "T1"},
        headers=principal_1,
    )
    assert registered.status_code == 201
    other_school = await client.post(
        f"/activities/{activity_id}/registrations",
        json={"school_code": "S2", "participant_kind": "teacher", "staff_code": "T2"},
        headers=principal_1,
    )
    assert other_school.status_code == 403
    double = await client.post(
        f"/activities/{elsewhere}/registrations",
        json={"school_code": "S1", "participant_kind": "teacher", "staff_code": "T1"},
        headers=principal_1,
    )
    assert (double.status_code, double.json()["rule"]) == (409, "participant_double_booked")

    await client.post(
        f"/activities/{elsewhere}/status", json={"status": "registration_closed"}, headers=officer
    )
    late = await client.post(
        f"/activities/{elsewhere}/registrations",
        json={"school_code": "S2", "participant_kind": "teacher", "staff_code": "T2"},
        headers=officer,
    )
    assert (late.status_code, late.json()["rule"]) == (409, "registration_window")
    no_reason = await client.post(
        f"/activities/{elsewhere}/status", json={"status": "cancelled"}, headers=officer
    )
    assert (no_reason.status_code, no_reason.json()["rule"]) == (422, "cancel_reason")
    cancelled = await client.post(
        f"/activities/{elsewhere}/status", json={"status": "cancelled", "reason": "Bão"}, headers=officer
    )
    assert cancelled.json()["status"] == "cancelled"

    starts = datetime.fromisoformat(contest()["starts_at"])
    year, week, _ = starts.astimezone(VIETNAM).isocalendar()
    params = {"cluster_no": 3, "week": f"{year}-W{week:02d}"}
    on = (await client.get("/calendar", params=params, headers=principal_1)).json()
    assert [a["id"] for a in on] == [activity_id]  # the cancelled one is not on
    assert (await client.get("/calendar", params={**params, "cluster_no": 4}, headers=leader_4)).json() == []
    bad_week = await client.get("/calendar", params={**params, "week": "2026-W77"}, headers=officer)
    assert (bad_week.status_code, bad_week.json()["rule"]) == (422, "week")
    mine = (await client.get(f"/activities/{activity_id}/registrations", headers=principal_1)).json()
    assert [r["school_code"] for r in mine] == ["S1"]


async def test_registration_closes_by_itself_when_its_window_ends(
    activities_service: tuple[FastAPI, httpx.AsyncClient], activity_events: Callable[[int], Awaitable[Events]]
) -> None:
    app, client = activities_service
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    closes_at = NOW + timedelta(hours=1)
    activity_id = await open_contest(client, leader, registration_closes_at=closes_at.isoformat())
    unit_of_work = runtime_of(app).messaging.unit_of_work

    assert (
        await close_due_registrations(unit_of_work=unit_of_work, now=closes_at - timedelta(seconds=1)) == []
    )
    assert await close_due_registrations(unit_of_work=unit_of_work, now=closes_at) == [activity_id]
    assert await close_due_registrations(unit_of_work=unit_of_work, now=closes_at + timedelta(hours=1)) == []

    read = (await client.get(f"/activities/{activity_id}", headers=leader)).json()
    assert read["status"] == "registration_closed"
    events = await activity_events(3)
    assert [kind for kind, _, key in events if key == activity_id] == [
        "activity.scheduled.v1",
        "activity.registration_opened.v1",
        "activity.registration_closed.v1",
    ]


async def test_an_upper_secondary_school_is_eligible_when_its_level_is_chosen_and_the_events_are_v2(
    fed: tuple[FastAPI, httpx.AsyncClient],
    registry_feed: Registry,
    activity_events: Callable[[int], Awaitable[Events]],
) -> None:
    app, client = fed
    thpt = SchoolStateV2(
        code="H1",
        name="Trường THPT H1",
        level="upper_secondary",
        commune_code="17000",
        cluster_no=3,
        version=1,
        updated_at=NOW,
    )
    await registry_feed.publish(thpt)
    await registry_feed.publish(teacher("T6", "H1", "core_teacher"))
    await wait_for(lambda: replica_counts(app), until=lambda c: c == (6, 6), message="the THPT school")
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)

    activity_id = await open_contest(client, leader, levels=["upper_secondary"], venue_school_code="H1")
    planned = (await client.get(f"/activities/{activity_id}", headers=leader)).json()
    assert planned["levels"] == ["upper_secondary"]
    body = {"school_code": "H1", "participant_kind": "teacher", "staff_code": "T6"}
    principal = bearer(app, Role.SCHOOL_PRINCIPAL, school_id="H1")
    registered = await client.post(f"/activities/{activity_id}/registrations", json=body, headers=principal)
    assert (registered.status_code, registered.json()["status"]) == (201, "registered")
    primary = {"school_code": "S2", "participant_kind": "teacher", "staff_code": "T2"}
    refused = await client.post(
        f"/activities/{activity_id}/registrations",
        json=primary,
        headers=bearer(app, Role.SCHOOL_PRINCIPAL, school_id="S2"),
    )
    assert (refused.status_code, refused.json()["rule"]) == (422, "eligibility_level")

    events = await activity_events(3)
    assert [kind for kind, _, _ in events] == [
        "activity.scheduled.v2",  # v1 cannot name the level: its consumers never meet it
        "activity.registration_opened.v2",
        "activity.participant_registered.v1",  # carries no level
    ]
    assert events[1][1]["eligible_school_codes"] == ["H1"]
    assert events[1][1]["activity"]["levels"] == ["upper_secondary"]


async def test_support_periods_are_data_and_the_new_kinds_total_per_period_and_kind(
    fed: tuple[FastAPI, httpx.AsyncClient], activity_events: Callable[[int], Awaitable[Events]]
) -> None:
    app, client = fed
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    periods = (await client.get("/support/periods", headers=leader)).json()
    assert periods == [
        {
            "code": "2019-2023",
            "name": "Giai đoạn 2019-2023",
            "starts_on": "2019-09-01",
            "ends_on": "2023-08-31",
        },
        {
            "code": "2023-2028",
            "name": "Giai đoạn 2023-2028",
            "starts_on": "2023-09-01",
            "ends_on": "2028-08-31",
        },
    ]

    def pairing(period_from: str, period_to: str | None = None) -> dict[str, Any]:
        return {
            "helper": {"kind": "school", "code": "S4"},
            "helped": {"kind": "school", "code": "S1"},
            "period_from": period_from,
            "period_to": period_to,
        }

    outlasting = await client.post(
        "/support/pairings", json=pairing("2022-09-01", "2024-05-31"), headers=officer
    )
    assert (outlasting.status_code, outlasting.json()["field"], outlasting.json()["rule"]) == (
        422,
        "period_to",
        "pairing_period_bounds",
    )
    early = await client.post("/support/pairings", json=pairing("2018-09-01"), headers=officer)
    assert (early.status_code, early.json()["rule"]) == (422, "support_period")
    created = await client.post("/support/pairings", json=pairing("2022-09-01"), headers=officer)
    assert created.status_code == 201, created.text
    assert created.json()["period_code"] == "2019-2023"
    pairing_id = created.json()["id"]
    for kind, value, on, period in (
        ("money", 10_000_000, "2023-03-01", "2019-2023"),
        ("sports_exchange", 0, "2024-03-26", "2023-2028"),
        ("trade_union", 2_000_000, "2025-11-20", "2023-2028"),
        ("cultural_exchange", 500_000, "2026-01-15", "2023-2028"),
    ):
        recorded = await client.post(
            f"/support/pairings/{pairing_id}/contributions",
            json={"kind": kind, "value_vnd": value, "description": kind, "contributed_on": on},
            headers=leader,
        )
        assert recorded.status_code == 201, recorded.text
        assert recorded.json()["period_code"] == period  # from its date, not the pairing's start
    beyond = await client.post(
        f"/support/pairings/{pairing_id}/contributions",
        json={"kind": "training", "value_vnd": 0, "description": "x", "contributed_on": "2028-09-05"},
        headers=officer,
    )
    assert (beyond.status_code, beyond.json()["field"], beyond.json()["rule"]) == (
        422,
        "contributed_on",
        "support_period",
    )

    async def totals(headers: dict[str, str], **params: str) -> Any:
        answer = await client.get("/support/totals", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert await totals(officer, by="period") == [
        {"group": "2019-2023", "contributions": 1, "value_vnd": 10_000_000},
        {"group": "2023-2028", "contributions": 3, "value_vnd": 2_500_000},
    ]
    assert await totals(leader, by="kind", period="2023-2028") == [
        {"group": "trade_union", "contributions": 1, "value_vnd": 2_000_000},
        {"group": "cultural_exchange", "contributions": 1, "value_vnd": 500_000},
        {"group": "sports_exchange", "contributions": 1, "value_vnd": 0},
    ]
    other_cluster = bearer(app, Role.CLUSTER_LEADER, cluster_no=5)
    assert await totals(other_cluster, by="period") == []  # scoped as every support total
    unknown = await client.get("/support/totals", params={"period": "2099-2100"}, headers=officer)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "period")

    next_period = {
        "code": "2028-2033",
        "name": "Giai đoạn 2028-2033",
        "starts_on": "2028-09-01",
        "ends_on": "2033-08-31",
    }
    by_leader = await client.post("/support/periods", json=next_period, headers=leader)
    assert by_leader.status_code == 403
    added = await client.post("/support/periods", json=next_period, headers=officer)
    assert added.status_code == 201, added.text
    overlapping = {**next_period, "code": "2027-2032", "starts_on": "2027-09-01"}
    clash = await client.post("/support/periods", json=overlapping, headers=officer)
    assert (clash.status_code, clash.json()["rule"]) == (409, "period_overlap")
    later = await client.post(
        f"/support/pairings/{pairing_id}/contributions",
        json={"kind": "training", "value_vnd": 0, "description": "x", "contributed_on": "2028-09-05"},
        headers=officer,
    )
    assert (later.status_code, later.json()["period_code"]) == (201, "2028-2033")

    events = await activity_events(5)
    assert [(kind, body["kind"], body["period_code"]) for kind, body, _ in events] == [
        ("pairing.support_recorded.v1", "money", "2019-2023"),
        ("pairing.support_recorded.v2", "sports_exchange", "2023-2028"),  # a kind v1 cannot name
        ("pairing.support_recorded.v2", "trade_union", "2023-2028"),
        ("pairing.support_recorded.v2", "cultural_exchange", "2023-2028"),
        ("pairing.support_recorded.v1", "training", "2028-2033"),
    ]
