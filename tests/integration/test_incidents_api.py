"""The incidents API per role, on the real broker and SQLite: scoping (another cluster's incident is a
404), restricted details, the lifecycle and its 409s, bad input as 422s naming the field, catalogs as
data, reports and operators' metrics. The replica is filled by a stand-in registry through Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.incidents.replica.models import ReplicaSchool, ReplicaStaff
from shared.auth import Role
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.registry import ClusterMembershipV1
from tests.support.apps import bearer
from tests.support.incidents import FixedClock, StartIncidents

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 in Vinh: the day of the summary
SCHOOL_3, SCHOOL_4 = "29000301", "29000401"
COMMUNE_3, COMMUNE_4, VINH = "16939", "17299", "16681"


def registry_states() -> list[Any]:
    def commune(code: str, cluster_no: int | None) -> CommuneStateV1:
        return CommuneStateV1(
            gso_code=code,
            name=code,
            kind="commune",
            old_district_code="0",
            old_district_name="x",
            cluster_no=cluster_no,
            version=1,
            updated_at=NOW,
        )

    def school(code: str, commune_code: str, cluster_no: int) -> SchoolStateV1:
        return SchoolStateV1(
            code=code,
            name=code,
            level="primary",
            commune_code=commune_code,
            cluster_no=cluster_no,
            version=1,
            updated_at=NOW,
        )

    def leader(cluster_no: int) -> StaffStateV1:
        membership = ClusterMembershipV1(cluster_no=cluster_no, role="leader", valid_from=date(2025, 7, 1))
        return StaffStateV1(
            code=f"L{cluster_no}",
            full_name=f"Cụm trưởng {cluster_no}",
            roles=["department_official"],
            memberships=[membership],
            version=1,
            updated_at=NOW,
        )

    # Staffed clusters: a cluster without a leader would pass the leader's escalation step on.
    return [
        *(
            ClusterStateV1(
                cluster_no=n,
                name=f"{n}",
                office_host_unit="x",
                leader_staff_code=f"L{n}",
                version=1,
                updated_at=NOW,
            )
            for n in (3, 4)
        ),
        *(leader(n) for n in (3, 4)),
        commune(COMMUNE_3, 3),
        commune(COMMUNE_4, 4),
        commune(VINH, None),
        school(SCHOOL_3, COMMUNE_3, 3),
        school(SCHOOL_4, COMMUNE_4, 4),
    ]


@pytest.fixture
async def service(start_incidents: StartIncidents) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async def schools_and_leaders(session: AsyncSession) -> bool:
        schools = [await session.get(ReplicaSchool, code) for code in (SCHOOL_3, SCHOOL_4)]
        leaders = [await session.get(ReplicaStaff, code) for code in ("L3", "L4")]
        return all(row is not None for row in [*schools, *leaders])

    clock = FixedClock(NOW)
    async with start_incidents(
        states=registry_states(),
        clock=clock,
        replicated=schools_and_leaders,
        what="schools and leaders in the replica",
    ) as served:
        yield served


def body(**changes: Any) -> dict[str, Any]:
    return {
        "category": "dangerous_building",
        "title": "Tường rào nứt",
        "description": "Tường rào phía tây nứt sau mưa",
        "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
        **changes,
    }


async def test_each_role_sees_and_does_what_its_scope_allows(
    service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = service

    def as_(role: Role, **scope: object) -> dict[str, str]:
        return bearer(app, role, **scope)

    member_3 = as_(Role.CLUSTER_MEMBER, cluster_no=3)
    leader_3, leader_4 = as_(Role.CLUSTER_LEADER, cluster_no=3), as_(Role.CLUSTER_LEADER, cluster_no=4)
    officer = as_(Role.DEPARTMENT_OFFICER)

    assert (await client.post("/incidents", json=body(school_code=SCHOOL_3))).status_code == 401
    created = await client.post("/incidents", json=body(school_code=SCHOOL_3), headers=member_3)
    assert created.status_code == 201, created.text
    incident = created.json()
    assert (incident["cluster_no"], incident["severity"], incident["status"]) == (3, "medium", "reported")
    assert incident["acknowledge_due_at"] == (NOW + timedelta(hours=4)).isoformat().replace("+00:00", "Z")
    path = f"/incidents/{incident['id']}"

    # Scope: another cluster, another school, another commune see nothing (404, not 403).
    assert (await client.get(path, headers=leader_4)).status_code == 404
    assert (await client.get("/incidents", headers=leader_4)).json() == []
    assert (await client.get(path, headers=as_(Role.SCHOOL_PRINCIPAL, school_id=SCHOOL_4))).status_code == 404
    assert (
        await client.get(path, headers=as_(Role.COMMUNE_OFFICER, commune_code=COMMUNE_4))
    ).status_code == 404
    assert (
        await client.get(path, headers=as_(Role.COMMUNE_OFFICER, commune_code=COMMUNE_3))
    ).status_code == 200
    assert (await client.get(path, headers=as_(Role.SCHOOL_PRINCIPAL, school_id=SCHOOL_3))).status_code == 200
    assert [i["id"] for i in (await client.get("/incidents", headers=officer)).json()] == [incident["id"]]
    # ... and may not report there either.
    refused = await client.post("/incidents", json=body(school_code=SCHOOL_3), headers=leader_4)
    assert (refused.status_code, refused.json()["field"]) == (403, "school_code")
    vinh = await client.post("/incidents", json=body(commune_code=VINH), headers=officer)
    assert (vinh.json()["route"], vinh.json()["cluster_no"]) == ("department", None)
    assert (await client.get(f"/incidents/{vinh.json()['id']}", headers=leader_3)).status_code == 404

    # Lifecycle, with the allowed actions named on a 409.
    too_soon = await client.post(f"{path}/resolve", headers=member_3)
    assert too_soon.status_code == 409
    assert too_soon.json() == {
        "detail": "cannot resolve an incident that is reported; allowed: acknowledge",
        "field": "status",
        "rule": None,
    }
    principal = as_(Role.SCHOOL_PRINCIPAL, school_id=SCHOOL_3)
    assert (await client.post(f"{path}/acknowledge", headers=principal)).status_code == 403
    for action, who in [("acknowledge", member_3), ("start", member_3), ("resolve", member_3)]:
        response = await client.post(f"{path}/{action}", json={"reason": f"{action} by member"}, headers=who)
        assert response.status_code == 200, response.text
    assert (await client.post(f"{path}/close", headers=member_3)).status_code == 403
    assert (await client.post(f"{path}/close", headers=leader_3)).json()["status"] == "closed"
    closed = await client.post(f"{path}/resolve", headers=leader_3)
    assert (closed.status_code, closed.json()["detail"]) == (
        409,
        "cannot resolve an incident that is closed; allowed: reopen",
    )
    no_reason = await client.post(f"{path}/reopen", json={}, headers=leader_3)
    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    reopened = await client.post(f"{path}/reopen", json={"reason": "tường lại nứt"}, headers=leader_3)
    assert (reopened.json()["status"], reopened.json()["acknowledged_at"]) == ("reported", None)

    note = await client.post(f"{path}/notes", json={"text": "Đã báo UBND xã"}, headers=principal)
    assert note.status_code == 201
    timeline = (await client.get(f"{path}/timeline", headers=member_3)).json()
    assert [(e["kind"], e["to_status"]) for e in timeline] == [
        ("reported", "reported"),
        ("routed", None),
        ("status_changed", "acknowledged"),
        ("status_changed", "in_progress"),
        ("status_changed", "resolved"),
        ("status_changed", "closed"),
        ("status_changed", "reported"),
        ("note_added", None),
    ]
    assert (timeline[6]["actor_role"], timeline[6]["reason"]) == ("cluster_leader", "tường lại nứt")


async def test_restricted_details_show_only_to_the_cluster_leader_and_the_department(
    service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = service
    member = bearer(app, Role.CLUSTER_MEMBER, cluster_no=3)
    created = await client.post(
        "/incidents", json=body(school_code=SCHOOL_3, category="violence_abuse"), headers=member
    )
    incident = created.json()
    assert (incident["restricted"], incident["details_hidden"], incident["description"]) == (True, True, None)
    path = f"/incidents/{incident['id']}"
    await client.post(f"{path}/notes", json={"text": "tên em học sinh"}, headers=member)
    for who in (bearer(app, Role.CLUSTER_LEADER, cluster_no=3), bearer(app, Role.DEPARTMENT_ADMIN)):
        shown = (await client.get(path, headers=who)).json()
        assert (shown["details_hidden"], shown["description"]) == (False, "Tường rào phía tây nứt sau mưa")
        assert [n["text"] for n in (await client.get(f"{path}/notes", headers=who)).json()] == [
            "tên em học sinh"
        ]
    assert (await client.get(f"{path}/notes", headers=member)).status_code == 403

    principal = bearer(app, Role.SCHOOL_PRINCIPAL, school_id=SCHOOL_3)
    reported = await client.post(
        "/incidents", json=body(school_code=SCHOOL_3, category="violence_abuse"), headers=principal
    )
    timeline = (await client.get(f"/incidents/{reported.json()['id']}/timeline", headers=member)).json()
    assert {entry["actor_subject"] for entry in timeline} == {"hidden"}  # who told is a detail too
    assert all(entry["detail"] is None and entry["reason"] is None for entry in timeline)
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    led = (await client.get(f"/incidents/{reported.json()['id']}/timeline", headers=leader)).json()
    assert led[0]["actor_subject"] == f"{Role.SCHOOL_PRINCIPAL}@tests"


async def test_bad_input_is_a_4xx_naming_the_field(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    officer = bearer(app, Role.DEPARTMENT_OFFICER)

    async def refused(**changes: Any) -> tuple[int, Any]:
        response = await client.post(
            "/incidents", json=body(school_code=SCHOOL_3, **changes), headers=officer
        )
        field: str = response.json()["field"]  # body.category from validation, category from a use case
        return response.status_code, field.rsplit(".", 1)[-1]

    future = (NOW + timedelta(minutes=30)).isoformat()
    assert await refused(occurred_at=future) == (422, "occurred_at")
    within_skew = body(school_code=SCHOOL_3, occurred_at=(NOW + timedelta(minutes=4)).isoformat())
    assert (await client.post("/incidents", json=within_skew, headers=officer)).status_code == 201
    assert await refused(category="alien_invasion") == (422, "category")
    assert await refused(severity="apocalyptic") == (422, "severity")
    assert await refused(occurred_at="2026-11-23T08:00:00") == (422, "occurred_at")  # no time zone
    assert await refused(people={"injured": -1}) == (422, "injured")
    nowhere = await client.post("/incidents", json=body(), headers=officer)
    assert (nowhere.status_code, nowhere.json()["field"]) == (422, "school_code")
    assert (await client.get("/incidents/nope", headers=officer)).status_code == 404


async def test_catalogs_are_data_the_department_admin_edits(
    service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = service
    admin, officer = bearer(app, Role.DEPARTMENT_ADMIN), bearer(app, Role.DEPARTMENT_OFFICER)
    categories = (await client.get("/catalog/categories", headers=officer)).json()
    assert len(categories) == 11 and {"food_poisoning", "self_harm", "other"} <= {
        c["code"] for c in categories
    }
    severities = (await client.get("/catalog/severities", headers=officer)).json()
    assert (severities[0]["code"], severities[0]["acknowledge_minutes"]) == ("critical", 15)

    # Filing keeps the catalog from its first report on; each edit below must reach the next report.
    assert (await client.post("/incidents", json=body(commune_code=COMMUNE_3), headers=officer)).is_success
    new = {"code": "heat_wave", "name_vi": "Nắng nóng", "name_en": "Heat wave", "default_severity": "low"}
    assert (await client.post("/catalog/categories", json=new, headers=officer)).status_code == 403
    assert (await client.post("/catalog/categories", json=new, headers=admin)).status_code == 201
    rule = {"category_code": "heat_wave", "measure": "out_of_school", "at_least": 100, "raises_to": "high"}
    assert (await client.post("/catalog/rules", json=rule, headers=admin)).status_code == 201
    chain = [{"level": "department_office", "notify_role": "department_officer", "after_minutes": 0}]
    patched = await client.patch(
        "/catalog/severities/high", json={"acknowledge_minutes": 30, "escalation_chain": chain}, headers=admin
    )
    assert patched.status_code == 200, patched.text

    report = body(commune_code=COMMUNE_3, category="heat_wave", people={"out_of_school": 150})
    incident = (await client.post("/incidents", json=report, headers=officer)).json()
    assert incident["severity"] == "high"
    assert incident["acknowledge_due_at"] == (NOW + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    steps = (await client.get(f"/incidents/{incident['id']}/escalations", headers=officer)).json()
    assert {s["level"] for s in steps} == {"department_office"}
    bad = await client.patch("/catalog/categories/heat_wave", json={"default_severity": "x"}, headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "default_severity")
    retired = await client.patch("/catalog/categories/heat_wave", json={"active": False}, headers=admin)
    assert retired.status_code == 200, retired.text
    refused = await client.post("/incidents", json=report, headers=officer)
    assert (refused.status_code, refused.json()["field"]) == (422, "category")


async def test_reports_and_metrics_count_by_cluster(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    officer, leader_3 = bearer(app, Role.DEPARTMENT_OFFICER), bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    for school in (SCHOOL_3, SCHOOL_3, SCHOOL_4):
        await client.post("/incidents", json=body(school_code=school), headers=officer)
    app.state.clock.now = NOW + timedelta(hours=5)  # past the 4-hour acknowledgement target
    first = (await client.get("/incidents", params={"cluster_no": 3}, headers=officer)).json()[0]
    await client.post(f"/incidents/{first['id']}/acknowledge", headers=leader_3)

    stats = (await client.get("/reports/statistics", params={"group_by": "cluster"}, headers=officer)).json()
    assert [(row["group"], row["count"], row["acknowledged"]) for row in stats] == [("3", 2, 1), ("4", 1, 0)]
    assert stats[0]["acknowledge_median_minutes"] == 300
    mine = (await client.get("/reports/statistics", params={"group_by": "severity"}, headers=leader_3)).json()
    assert stats[0]["label"] == "Cụm 3"
    assert mine == [{**stats[0], "group": "medium", "label": "Trung bình"}]
    workload = (await client.get("/reports/workload", headers=officer)).json()
    assert [(w["cluster_no"], w["open"], w["acknowledgement_overdue"]) for w in workload] == [
        (3, 2, 1),
        (4, 1, 1),
    ]
    summary = (await client.get("/reports/daily-summary", params={"cluster_no": 3}, headers=leader_3)).json()
    assert (summary["reported"], summary["acknowledged"], summary["open_now"], summary["overdue_now"]) == (
        2,
        1,
        2,
        1,
    )
    assert "description" not in summary["open_incidents"][0]
    other = await client.get(
        "/reports/daily-summary",
        params={"cluster_no": 3},
        headers=bearer(app, Role.CLUSTER_LEADER, cluster_no=4),
    )
    assert other.status_code == 404

    await app.state.scheduler.tick()
    metrics = (await client.get("/metrics")).text
    assert 'incidents_open{cluster="3",severity="medium"} 2.0' in metrics
    assert 'incidents_acknowledgement_overdue{cluster="4",severity="medium"} 1.0' in metrics
    assert 'incidents_escalations_total{deadline="acknowledgement",level="cluster_leader"} 2.0' in metrics
    assert "incidents_time_to_acknowledge_seconds_bucket" in metrics


async def test_weekly_counts_per_cluster_follow_vietnamese_weeks_and_scope(
    service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = service
    officer, leader_3 = bearer(app, Role.DEPARTMENT_OFFICER), bearer(app, Role.CLUSTER_LEADER, cluster_no=3)
    # NOW is Monday 09:00 in Vinh (2026-W48); Sunday 18:00 UTC is already Monday 01:00 there.
    for at, school in (
        (NOW - timedelta(days=7), SCHOOL_3),
        (NOW - timedelta(days=7), SCHOOL_4),
        (NOW - timedelta(hours=8), SCHOOL_3),
        (NOW - timedelta(hours=1), SCHOOL_3),
        (NOW - timedelta(days=30), SCHOOL_4),
    ):
        app.state.clock.now = at
        occurred = (at - timedelta(minutes=30)).isoformat()
        answer = await client.post(
            "/incidents", json=body(school_code=school, occurred_at=occurred), headers=officer
        )
        assert answer.status_code == 201, answer.text
    app.state.clock.now = NOW

    weekly = (await client.get("/reports/weekly-by-cluster", params={"weeks": 3}, headers=officer)).json()
    assert weekly["timezone"] == "Asia/Ho_Chi_Minh"
    assert weekly["weeks"] == ["2026-W46", "2026-W47", "2026-W48"]
    assert weekly["week_starts"] == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert weekly["clusters"] == [
        {"cluster_no": 3, "counts": [0, 1, 2]},
        {"cluster_no": 4, "counts": [0, 1, 0]},
    ]
    mine = (await client.get("/reports/weekly-by-cluster", params={"weeks": 3}, headers=leader_3)).json()
    assert mine["clusters"] == [{"cluster_no": 3, "counts": [0, 1, 2]}]
    default = (await client.get("/reports/weekly-by-cluster", headers=officer)).json()
    assert len(default["weeks"]) == 12 and default["clusters"][1]["counts"][-6:] == [
        1,
        0,
        0,
        0,
        1,
        0,
    ]  # W43 .. W48
    for weeks in ("0", "54", "x"):
        refused = await client.get("/reports/weekly-by-cluster", params={"weeks": weeks}, headers=officer)
        assert (refused.status_code, refused.json()["field"]) == (422, "query.weeks")
    assert (await client.get("/reports/weekly-by-cluster")).status_code == 401
