"""The registry's HTTP API per role, on SQLite and PostgreSQL, with the real broker behind the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaSchool
from services.incidents.settings import IncidentsSettings
from services.registry.app import create_app
from services.registry.moves.service import apply_due_moves
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.support.apps import bearer, running, runtime_of
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

MUONG_XEN, MY_LY = "16813", "16816"  # cluster 1 (old Ky Son district)
THANH_VINH = "16681"  # a ward of Vinh: in no cluster


@pytest.fixture
async def registry(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(RegistrySettings(**common, database_url=new_database_url("registry")))
    async with running(app) as client:
        yield app, client


def school(
    code: str, name: str, commune: str = MUONG_XEN, level: str = "primary", **more: object
) -> dict[str, object]:
    return {"code": code, "name": name, "level": level, "commune_code": commune, **more}


def member(staff_code: str, role: str, valid_from: str) -> dict[str, str]:
    return {"staff_code": staff_code, "role": role, "valid_from": valid_from}


async def test_each_role_reads_and_writes_schools_within_its_scope(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    leader_1 = bearer(app, Role.CLUSTER_LEADER, cluster_no=1)
    leader_4 = bearer(app, Role.CLUSTER_LEADER, cluster_no=4)
    principal = bearer(app, Role.SCHOOL_PRINCIPAL, school_id="29001")
    officer = bearer(app, Role.COMMUNE_OFFICER, commune_code=MY_LY)

    created = await client.post(
        "/schools", json=school("29001", "Trường Tiểu học Mường Xén"), headers=leader_1
    )
    assert created.status_code == 201, created.text
    assert (created.json()["cluster_no"], created.json()["version"]) == (1, 1)
    assert (
        await client.post("/schools", json=school("29002", "THCS Mỹ Lý", MY_LY), headers=admin)
    ).status_code == 201

    refused = await client.post("/schools", json=school("29003", "Trường X"), headers=leader_4)
    assert (refused.status_code, refused.json()["field"]) == (403, "commune_code")
    vinh = await client.post("/schools", json=school("29004", "Trường Y", THANH_VINH), headers=leader_1)
    assert vinh.status_code == 403  # communes in no cluster are the Department's

    assert (await client.get("/schools/29001", headers=leader_4)).status_code == 404  # not 403: no leak
    assert (await client.get("/schools", headers=leader_4)).json()["total"] == 0
    assert (await client.patch("/schools/29001", json={"name": "X"}, headers=leader_4)).status_code == 404
    assert [s["code"] for s in (await client.get("/schools", headers=officer)).json()["items"]] == ["29002"]
    assert [s["code"] for s in (await client.get("/schools", headers=principal)).json()["items"]] == ["29001"]

    contacts = await client.patch("/schools/29001", json={"phone": "0238 3873 001"}, headers=principal)
    assert (contacts.status_code, contacts.json()["phone"], contacts.json()["version"]) == (
        200,
        "02383873001",  # stored without the spaces people write it with
        2,
    )
    renamed = await client.patch(
        "/schools/29001", json={"name": "Tên khác", "phone": "0912345678"}, headers=principal
    )
    assert (renamed.status_code, renamed.json()["field"]) == (403, "name")
    same = await client.patch("/schools/29001", json={"phone": "0238 3873 001"}, headers=principal)
    assert same.json()["version"] == 2  # nothing changed, no new version
    moved_away = await client.patch("/schools/29001", json={"commune_code": THANH_VINH}, headers=leader_1)
    assert (moved_away.status_code, moved_away.json()["field"]) == (403, "commune_code")
    closed = await client.patch("/schools/29001", json={"status": "closed"}, headers=leader_1)
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")

    assert (await client.delete("/schools/29002", headers=leader_1)).status_code == 403
    assert (await client.delete("/schools/29002", headers=admin)).status_code == 204
    assert (await client.get("/schools/29002", headers=admin)).status_code == 404


async def test_bad_school_input_is_refused_naming_the_field(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    assert (await client.post("/schools", json=school("29001", "Trường A"), headers=admin)).status_code == 201

    duplicate = await client.post("/schools", json=school("29001", "Trường B"), headers=admin)
    assert (duplicate.status_code, duplicate.json()["field"]) == (409, "code")
    unknown = await client.post("/schools", json=school("29005", "Trường C", commune="99999"), headers=admin)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "commune_code")
    bad_level = await client.post(
        "/schools", json=school("29006", "Trường D", level="college"), headers=admin
    )
    assert (bad_level.status_code, bad_level.json()["field"]) == (422, "body.level")
    merged = await client.patch("/schools/29001", json={"status": "merged"}, headers=admin)
    assert (merged.status_code, merged.json()["field"]) == (422, "merged_into")
    ghost = await client.patch(
        "/schools/29001", json={"status": "merged", "merged_into": "00000"}, headers=admin
    )
    assert (ghost.status_code, ghost.json()["field"]) == (422, "merged_into")
    person = {"code": "CB-1", "full_name": "Lô Văn An", "roles": ["principal"], "school_code": "29999"}
    no_school = await client.post("/staff", json=person, headers=admin)
    assert (no_school.status_code, no_school.json()["field"]) == (422, "school_code")


async def test_a_school_points_only_at_known_staff_and_is_deleted_only_without_staff(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    assert (await client.post("/schools", json=school("29001", "Trường A"), headers=admin)).status_code == 201

    nobody = await client.patch("/schools/29001", json={"principal_staff_code": "HT-1"}, headers=admin)
    assert (nobody.status_code, nobody.json()["field"]) == (422, "principal_staff_code")
    person = {"code": "HT-1", "full_name": "Lô Văn An", "roles": ["principal"], "school_code": "29001"}
    assert (await client.post("/staff", json=person, headers=admin)).status_code == 201
    appointed = await client.patch("/schools/29001", json={"principal_staff_code": "HT-1"}, headers=admin)
    assert (appointed.status_code, appointed.json()["principal_staff_code"]) == (200, "HT-1")

    still_staffed = await client.delete("/schools/29001", headers=admin)
    assert (still_staffed.status_code, still_staffed.json()["field"]) == (409, "code")
    assert "still has 1 staff" in still_staffed.json()["detail"]
    assert (await client.delete("/staff/HT-1", headers=admin)).status_code == 204
    assert (await client.delete("/schools/29001", headers=admin)).status_code == 204


async def test_names_are_searched_without_diacritics_and_lists_are_paginated(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    for number in range(1, 8):
        body = school(f"2901{number}", f"Trường Tiểu học Kỳ Sơn {number}")
        assert (await client.post("/schools", json=body, headers=admin)).status_code == 201
    await client.post(
        "/schools", json=school("29020", "Trường Mầm non Hoa Sen", level="preschool"), headers=admin
    )

    found = (
        await client.get("/schools", params={"q": "ky son", "limit": 3, "offset": 3}, headers=admin)
    ).json()
    assert (found["total"], [s["code"] for s in found["items"]]) == (7, ["29014", "29015", "29016"])
    assert (await client.get("/schools", params={"q": "KỲ SƠN 7"}, headers=admin)).json()["total"] == 1
    preschools = (
        await client.get("/schools", params={"level": "preschool", "cluster_no": 1}, headers=admin)
    ).json()
    assert [s["code"] for s in preschools["items"]] == ["29020"]
    communes = (await client.get("/communes", params={"q": "Do Luong"}, headers=admin)).json()
    assert [c["name"] for c in communes["items"]] == ["Xã Đô Lương"]
    assert (await client.get("/schools", params={"limit": 0}, headers=admin)).status_code == 422


async def test_an_import_is_checked_row_by_row_and_applied_whole_or_not_at_all(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    leader_1 = bearer(app, Role.CLUSTER_LEADER, cluster_no=1)
    csv_headers = {**leader_1, "Content-Type": "text/csv"}
    bad = (
        "code,name,level,commune_code,pupils\n"
        f"29001,Trường Tiểu học Mường Xén,primary,{MUONG_XEN},420\n"
        f"29002,Trường THCS Mỹ Lý,college,{MY_LY},300\n"
        f"29003,Trường Mầm non Thành Vinh,preschool,{THANH_VINH},100\n"
        "29004,Trường Mầm non Ma,preschool,99999,100\n"
    )
    refused = await client.post("/schools/import", content=bad, headers=csv_headers)
    assert refused.status_code == 422
    report = refused.json()
    assert (report["applied"], report["rows"]) == (False, 4)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [
        (3, "level"),
        (4, "commune_code"),
        (5, "commune_code"),
    ]
    assert (await client.get("/schools", headers=leader_1)).json()["total"] == 0  # nothing half applied

    good = "\n".join(bad.splitlines()[:2]) + f"\n29002,Trường THCS Mỹ Lý,lower_secondary,{MY_LY},300\n"
    dry = await client.post("/schools/import", params={"dry_run": True}, content=good, headers=csv_headers)
    assert (dry.status_code, dry.json()["created"], dry.json()["applied"]) == (200, 2, False)
    assert (await client.get("/schools", headers=leader_1)).json()["total"] == 0
    applied = await client.post("/schools/import", content=good, headers=csv_headers)
    assert (applied.status_code, applied.json()["created"], applied.json()["applied"]) == (200, 2, True)

    exported = await client.get("/schools/export", headers=leader_1)
    assert exported.headers["content-type"].startswith("text/csv")
    again = await client.post("/schools/import", content=exported.text, headers=csv_headers)
    assert (again.json()["unchanged"], again.json()["created"], again.json()["updated"]) == (2, 0, 0)

    people = [
        {"code": "HT-29001", "full_name": "Lô Văn Sơn", "roles": ["principal"], "school_code": "29001"},
        {"code": "GV-29002", "full_name": "Vi Thị Hà", "roles": "teacher;core_teacher",
         "school_code": "29002", "teaching_subject": "Toán"},
    ]  # fmt: skip
    staff = await client.post("/staff/import", json=people, headers=leader_1)
    assert (staff.status_code, staff.json()["created"]) == (200, 2)
    as_json = (await client.get("/staff/export", params={"format": "json"}, headers=leader_1)).json()
    assert [(p["code"], p["roles"]) for p in as_json] == [
        ("GV-29002", ["teacher", "core_teacher"]),
        ("HT-29001", ["principal"]),
    ]
    core = (
        await client.get("/staff", params={"role": "core_teacher", "q": "vi thi"}, headers=leader_1)
    ).json()
    assert [p["code"] for p in core["items"]] == ["GV-29002"]
    unreadable = await client.post("/schools/import", content=b"\xff\xfe", headers=csv_headers)
    assert (unreadable.status_code, unreadable.json()["field"]) == (422, "file")


async def test_a_cluster_summary_shows_its_communes_schools_staff_and_leadership(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    await client.post("/schools", json=school("29001", "Trường TH A"), headers=admin)
    await client.post("/schools", json=school("29002", "Trường MN B", level="preschool"), headers=admin)
    for code, name, unit in [
        ("CB-1", "Nguyễn Văn Hải", None),
        ("CB-2", "Trần Thị Lan", None),
        ("HT-1", "Lô An", "29001"),
    ]:
        body = {"code": code, "full_name": name, "roles": ["department_official"], "school_code": unit}
        assert (await client.post("/staff", json=body, headers=admin)).status_code == 201

    first = await client.post(
        "/clusters/1/members", json=member("CB-1", "leader", "2025-07-01"), headers=admin
    )
    assert first.status_code == 201, first.text
    await client.post(
        "/clusters/1/members", json=member("HT-1", "unit_representative", "2025-07-01"), headers=admin
    )
    second = await client.post(
        "/clusters/1/members", json=member("CB-2", "leader", "2026-09-01"), headers=admin
    )
    assert second.status_code == 201
    twice = await client.post(
        "/clusters/1/members", json=member("CB-2", "member", "2026-10-01"), headers=admin
    )
    assert (twice.status_code, twice.json()["field"]) == (409, "staff_code")

    summary = (
        await client.get("/clusters/1/summary", headers=bearer(app, Role.CLUSTER_MEMBER, cluster_no=1))
    ).json()
    assert summary["cluster"]["leader_staff_code"] == "CB-2"
    assert (summary["leader"]["full_name"], summary["leader"]["valid_from"]) == ("Trần Thị Lan", "2026-09-01")
    assert sorted(m["staff_code"] for m in summary["members"]) == ["CB-2", "HT-1"]
    assert (summary["schools_by_level"], summary["schools_total"], summary["staff_total"]) == (
        {"primary": 1, "preschool": 1},
        2,
        1,
    )
    assert len(summary["communes"]) == 21
    history = (await client.get("/clusters/1/members", params={"history": True}, headers=admin)).json()
    assert [(m["staff_code"], m["valid_to"]) for m in history if m["role"] == "leader"] == [
        ("CB-1", "2026-08-31"),
        ("CB-2", None),
    ]
    member_1 = bearer(app, Role.CLUSTER_MEMBER, cluster_no=1)
    assert (await client.get("/staff/CB-2", headers=member_1)).status_code == 200  # a member of their cluster
    assert (await client.get("/staff/CB-1", headers=member_1)).status_code == 404  # no longer in it


async def test_a_move_dated_ahead_takes_effect_on_its_day(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    await client.post("/schools", json=school("29001", "Trường TH A"), headers=admin)
    ahead = await client.post(
        f"/communes/{MUONG_XEN}/move", json={"cluster_no": 2, "effective_from": "2099-09-01"}, headers=admin
    )
    assert (ahead.status_code, ahead.json()["cluster_no"]) == (200, 1)  # not yet
    assert (await client.get("/schools/29001", headers=admin)).json()["cluster_no"] == 1

    async with runtime_of(app).messaging.unit_of_work() as uow:
        assert await apply_due_moves(uow=uow, today=date(2099, 8, 31)) == 0
    async with runtime_of(app).messaging.unit_of_work() as uow:
        assert await apply_due_moves(uow=uow, today=date(2099, 9, 1)) == 1
    async with runtime_of(app).messaging.unit_of_work() as uow:
        assert await apply_due_moves(uow=uow, today=date(2099, 9, 2)) == 0  # once only

    moved_school = (await client.get("/schools/29001", headers=admin)).json()
    assert (moved_school["cluster_no"], moved_school["version"]) == (2, 2)
    assert (
        await client.get("/schools/29001", headers=bearer(app, Role.CLUSTER_LEADER, cluster_no=1))
    ).status_code == 404
    assert (await client.get(f"/communes/{MUONG_XEN}", headers=admin)).json()["cluster_no"] == 2


async def test_core_regions_hold_at_most_ten_schools_and_show_their_locomotives(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    leader_1 = bearer(app, Role.CLUSTER_LEADER, cluster_no=1)
    region = await client.post(
        "/core-regions", json={"name": "Vùng Kỳ Sơn", "cluster_no": 1}, headers=leader_1
    )
    assert region.status_code == 201, region.text
    region_id = region.json()["id"]
    other = await client.post("/core-regions", json={"name": "Vùng X", "cluster_no": 2}, headers=leader_1)
    assert (other.status_code, other.json()["field"]) == (403, "cluster_no")
    for number in range(10):
        body = school(f"2910{number}", f"Trường {number}", core_region_id=region_id, locomotive=number == 0)
        assert (await client.post("/schools", json=body, headers=leader_1)).status_code == 201
    eleventh = await client.post(
        "/schools", json=school("29110", "Trường 11", core_region_id=region_id), headers=leader_1
    )
    assert (eleventh.status_code, eleventh.json()["field"]) == (422, "core_region_id")

    read = (await client.get(f"/core-regions/{region_id}", headers=leader_1)).json()
    assert (len(read["schools"]), read["within_target_size"]) == (10, True)
    locomotives = (await client.get("/schools", params={"locomotive": True}, headers=leader_1)).json()
    assert [s["code"] for s in locomotives["items"]] == ["29100"]


async def test_staff_are_managed_by_their_clusters_leader_and_read_within_scope(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    leader_1 = bearer(app, Role.CLUSTER_LEADER, cluster_no=1)
    leader_4 = bearer(app, Role.CLUSTER_LEADER, cluster_no=4)
    await client.post("/schools", json=school("29001", "Trường TH A"), headers=admin)
    await client.post("/schools", json=school("29002", "Trường TH Vinh", THANH_VINH), headers=admin)
    teacher = {"code": "GV-1", "full_name": "Lương Thị Mai", "roles": ["teacher"], "school_code": "29001"}
    assert (await client.post("/staff", json=teacher, headers=leader_1)).status_code == 201
    in_vinh = {**teacher, "code": "GV-2", "school_code": "29002"}
    assert (await client.post("/staff", json=in_vinh, headers=leader_1)).status_code == 403
    assert (await client.post("/staff", json=in_vinh, headers=admin)).status_code == 201

    assert (
        await client.patch("/staff/GV-1", json={"phone": "0912345678"}, headers=leader_4)
    ).status_code == 404
    updated = await client.patch("/staff/GV-1", json={"roles": ["teacher", "core_teacher"]}, headers=leader_1)
    assert (updated.status_code, updated.json()["roles"], updated.json()["version"]) == (
        200,
        ["teacher", "core_teacher"],
        2,
    )
    bad_role = await client.patch("/staff/GV-1", json={"roles": ["janitor"]}, headers=leader_1)
    assert bad_role.status_code == 422
    principal = bearer(app, Role.SCHOOL_PRINCIPAL, school_id="29001")
    assert (
        await client.patch("/staff/GV-1", json={"phone": "0912345678"}, headers=principal)
    ).status_code == 403
    assert [p["code"] for p in (await client.get("/staff", headers=principal)).json()["items"]] == ["GV-1"]

    client_1 = bearer(app, Role.INTEGRATION_CLIENT, grants=frozenset({"cluster:1"}))
    everything = bearer(app, Role.INTEGRATION_CLIENT, grants=frozenset({"cluster:*"}))
    assert [s["code"] for s in (await client.get("/schools", headers=client_1)).json()["items"]] == ["29001"]
    assert (await client.get("/schools", headers=everything)).json()["total"] == 2
    assert (await client.get("/staff/GV-2", headers=client_1)).status_code == 404
    assert (await client.delete("/staff/GV-2", headers=leader_1)).status_code == 404
    assert (await client.delete("/staff/GV-2", headers=admin)).status_code == 204


async def test_upper_secondary_schools_gdtx_centres_and_the_boarding_filter(
    registry: tuple[FastAPI, httpx.AsyncClient], common: dict[str, Any]
) -> None:
    """THPT and GDTX are levels of the registry (published as ``registry.school.v2``, which the replicas
    read as they read v1); ``?boarding=`` filters boarding and semi-boarding schools from the others."""
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    rows = [
        school("29101", "Trường THPT Kỳ Sơn", level="upper_secondary"),
        school("29102", "Trung tâm GDTX Kỳ Sơn", level="continuing_education"),
        school("29103", "Trường PTDTBT Tiểu học Mường Xén", boarding="ethnic_semi_boarding"),
        school("29104", "Trường PTDTNT THCS Kỳ Sơn", level="lower_secondary", boarding="ethnic_boarding"),
    ]
    for row in rows:
        created = await client.post("/schools", json=row, headers=admin)
        assert created.status_code == 201, created.text

    async def codes(**query: str) -> list[str]:
        answer = await client.get("/schools", params=query, headers=admin)
        assert answer.status_code == 200, answer.text
        return [item["code"] for item in answer.json()["items"]]

    assert await codes(boarding="true") == ["29103", "29104"]
    assert await codes(boarding="false") == ["29101", "29102"]
    assert await codes(level="upper_secondary") == ["29101"]
    assert await codes(level="continuing_education", boarding="false") == ["29102"]
    assert len(await codes()) == 4
    unknown = await client.get("/schools", params={"boardingg": "true"}, headers=admin)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "query.boardingg")

    incidents = create_incidents(IncidentsSettings(**common))
    async with running(incidents):

        async def replicated() -> dict[str, str]:
            async with runtime_of(incidents).sessions() as session:
                found = [await session.get(ReplicaSchool, row["code"]) for row in rows]
            return {school.code: school.commune_code for school in found if school is not None}

        mirrored = await wait_for(
            replicated, until=lambda got: len(got) == 4, message="4 schools in incidents"
        )
        assert set(mirrored) == {"29101", "29102", "29103", "29104"}
