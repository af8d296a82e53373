"""The demo people of a local run (``seed_demo_people``): made once through the registry's use cases, so
their states go out on the broker like anyone's, and left alone afterwards. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import col, select

from services.registry.admin.service import seed_demo_people
from services.registry.app import SEEDER, create_app
from services.registry.communes.models import Commune
from services.registry.schools.models import School
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.db.messaging_tables import OutboxMessage
from tests.support.apps import bearer, running, runtime_of
from tests.support.kafka_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

DEMO_PEOPLE = {
    "DEMO-SO-ADMIN": ("Nguyễn Văn Hùng", ["department_official"], "admin.so"),
    "DEMO-SO-CB": ("Trần Thị Mai", ["department_official"], "canbo.so"),
    "DEMO-C1-LEAD": ("Lê Văn Thành", ["department_official"], "cumtruong.1"),
    "DEMO-C1-MEM": ("Phạm Thị Hương", ["department_official"], "thanhvien.1"),
    "DEMO-HT-001": ("Hoàng Văn Nam", ["principal"], "hieutruong.mau"),
    "DEMO-XA-001": ("Võ Thị Lan", ["commune_officer"], "canbo.xa"),
}


def registry_app(common: dict[str, Any], url: str, **settings: Any) -> FastAPI:
    return create_app(RegistrySettings(**common, database_url=url, **settings))


@pytest.fixture
async def registry(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = registry_app(common, new_database_url("registry"), seed_demo_people=True)
    async with running(app) as client:
        yield app, client


async def outbox_rows(app: FastAPI) -> int:
    async with runtime_of(app).sessions() as session:
        return int((await session.exec(select(func.count()).select_from(OutboxMessage))).one())


async def test_the_demo_people_are_made_once_and_published(
    registry: tuple[FastAPI, httpx.AsyncClient], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    for code, (full_name, roles, username) in DEMO_PEOPLE.items():
        person = (await client.get(f"/staff/{code}", headers=admin)).json()
        assert (person["full_name"], person["roles"], person["email"], person["sample"]) == (
            full_name,
            roles,
            f"{username}@demo.edu-clusters.vn",
            True,
        )
    school = (await client.get("/schools/MAU-DEMO-01", headers=admin)).json()
    assert (school["cluster_no"], school["sample"], school["principal_staff_code"]) == (
        1,
        True,
        "DEMO-HT-001",
    )
    assert school["name"].endswith("(mẫu, demo)")
    assert (await client.get("/staff/DEMO-HT-001", headers=admin)).json()["school_code"] == "MAU-DEMO-01"
    assert (await client.get("/staff/DEMO-XA-001", headers=admin)).json()["commune_code"] == school[
        "commune_code"
    ]
    members = (await client.get("/clusters/1/members", headers=admin)).json()
    assert sorted((m["staff_code"], m["role"], m["valid_from"]) for m in members) == [
        ("DEMO-C1-LEAD", "leader", "2025-07-01"),
        ("DEMO-C1-MEM", "member", "2025-07-01"),
    ]
    assert (await client.get("/clusters/1", headers=admin)).json()["leader_staff_code"] == "DEMO-C1-LEAD"

    # Seeding again (the next start) changes nothing and publishes nothing.
    before = await outbox_rows(app)
    assert await seed_demo_people(unit_of_work=runtime_of(app).messaging.unit_of_work, principal=SEEDER) == []
    assert await outbox_rows(app) == before
    assert (await client.get("/staff/DEMO-C1-LEAD", headers=admin)).json()["version"] == 2  # made, appointed

    # Their states went out through the outbox: a replica reading the topic knows each, with memberships.
    records = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.staff", expected=8)
    states = {r.key.decode(): json.loads(r.value) for r in sorted(records, key=lambda r: r.offset)}
    assert set(states) == set(DEMO_PEOPLE)
    assert [(m["cluster_no"], m["role"]) for m in states["DEMO-C1-LEAD"]["memberships"]] == [(1, "leader")]


async def test_a_change_made_since_is_not_undone_by_the_next_seeding(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = registry
    admin = bearer(app, Role.DEPARTMENT_ADMIN)
    newcomer = {"code": "CB-NEW", "full_name": "Đặng Hữu Phúc", "roles": ["department_official"]}
    assert (await client.post("/staff", json=newcomer, headers=admin)).status_code == 201
    appoint = {"staff_code": "CB-NEW", "role": "leader", "valid_from": "2026-09-01"}
    assert (await client.post("/clusters/1/members", json=appoint, headers=admin)).status_code == 201

    assert await seed_demo_people(unit_of_work=runtime_of(app).messaging.unit_of_work, principal=SEEDER) == []
    assert (await client.get("/clusters/1", headers=admin)).json()["leader_staff_code"] == "CB-NEW"


async def test_the_demo_leader_replaces_a_leader_already_there_from_that_day(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> None:
    app = registry_app(common, new_database_url("registry"))
    async with running(app) as client:
        admin = bearer(app, Role.DEPARTMENT_ADMIN)
        someone = {"code": "CB-1", "full_name": "Nguyễn Văn Hải", "roles": ["department_official"]}
        assert (await client.post("/staff", json=someone, headers=admin)).status_code == 201
        appoint = {"staff_code": "CB-1", "role": "leader", "valid_from": "2025-07-01"}
        assert (await client.post("/clusters/1/members", json=appoint, headers=admin)).status_code == 201

        created = await seed_demo_people(
            unit_of_work=runtime_of(app).messaging.unit_of_work, principal=SEEDER, today=date(2026, 12, 1)
        )
        assert len(created) == 6
        history = (await client.get("/clusters/1/members", params={"history": True}, headers=admin)).json()
        assert [
            (m["staff_code"], m["valid_from"], m["valid_to"]) for m in history if m["role"] == "leader"
        ] == [
            ("CB-1", "2025-07-01", "2026-11-30"),
            ("DEMO-C1-LEAD", "2026-12-01", None),
        ]


async def test_with_sample_schools_the_demo_principal_heads_one_of_cluster_1(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> None:
    app = registry_app(common, new_database_url("registry"), sample_schools=120, seed_demo_people=True)
    async with running(app) as client:
        admin = bearer(app, Role.DEPARTMENT_ADMIN)
        async with runtime_of(app).sessions() as session:
            query = (
                select(School.code)
                .join(Commune, col(Commune.gso_code) == col(School.commune_code))
                .where(col(School.sample), Commune.cluster_no == 1)
                .order_by(col(School.code))
            )
            first_of_cluster_1 = (await session.exec(query)).first()
        assert first_of_cluster_1 is not None and first_of_cluster_1.startswith("MAU0")
        principal = (await client.get("/staff/DEMO-HT-001", headers=admin)).json()
        assert principal["school_code"] == first_of_cluster_1
        assert (await client.get("/schools/MAU-DEMO-01", headers=admin)).status_code == 404  # none made
