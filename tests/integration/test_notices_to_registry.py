"""What the registry knows from returns, over the real broker, on SQLite and PostgreSQL: the real registry
(seeded with the province) publishes a school; the notices service learns of it from the registry's
topics, asks it for the start-of-year return; the principal files it, then corrects it; the registry
consumes the school's figures from ``notices.events``, keeps each report per school year, makes the
newest of the year under way the school's figures and publishes the school's state again with them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.notices.app import create_app as create_notices
from services.notices.replica.models import SchoolReplica
from services.notices.settings import NoticesSettings
from services.registry.app import create_app as create_registry
from services.registry.figures.domain import school_year_of
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.clock import today_in_vietnam
from tests.support.apps import bearer, running, runtime_of
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.notices import notice_body, start_of_year_values
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

MUONG_XEN = "16813"  # a commune of cluster 1 (old Ky Son district)
SCHOOL = "29000777"


async def test_a_schools_return_becomes_its_figures_for_the_school_year_in_the_registry(
    common: dict[str, Any],
    new_database_url: Callable[[str], str],
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    quiet = {"kafka_session_timeout_ms": 6_000, "kafka_heartbeat_interval_ms": 500}
    registry = create_registry(RegistrySettings(**common, **quiet, database_url=new_database_url("registry")))
    notices = create_notices(
        NoticesSettings(**common, **quiet, database_url=new_database_url("notices"), jobs_enabled=False)
    )
    async with running(registry) as registry_client, running(notices) as client:
        admin = bearer(registry, Role.DEPARTMENT_ADMIN)
        created = await registry_client.post(
            "/schools",
            json={
                "code": SCHOOL,
                "name": "Trường Tiểu học Mường Xén 1",
                "level": "primary",
                "commune_code": MUONG_XEN,
                "pupils": 300,
                "classes": 12,
                "teachers": 18,
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text

        async def known() -> SchoolReplica | None:
            async with runtime_of(notices).sessions() as session:
                return await session.get(SchoolReplica, SCHOOL)

        await wait_for(known, message="the registry's school in the notices replica", within=60)
        year = school_year_of(today_in_vietnam())
        officer = bearer(notices, Role.DEPARTMENT_OFFICER)
        notice = await client.post(
            "/notices",
            json=notice_body(
                audience={"school_codes": [SCHOOL]},
                return_request={
                    "form_code": "start_of_year",
                    "school_year": year,
                    "due_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
                },
            ),
            headers=officer,
        )
        assert notice.status_code == 201, notice.text
        notice_id = notice.json()["id"]
        assert (await client.post(f"/notices/{notice_id}/publish", headers=officer)).status_code == 200
        principal = {**bearer(notices, Role.SCHOOL_PRINCIPAL, school_id=SCHOOL)}
        for pupils, key in ((60, "first"), (62, "correction")):  # 5 grades each
            filed = await client.post(
                f"/notices/{notice_id}/return",
                json={"values": start_of_year_values(pupils, classes=11, teachers=20)},
                headers={**principal, "Idempotency-Key": key},
            )
            assert filed.status_code == 201, filed.text

        school = await wait_for(
            lambda: registry_client.get(f"/schools/{SCHOOL}", headers=admin),
            until=lambda r: r.json()["pupils"] == 310,
            message="the registry's school with the corrected return's figures",
            within=60,
        )
        assert (school.json()["pupils"], school.json()["classes"], school.json()["teachers"]) == (310, 11, 20)
        history = await registry_client.get(f"/schools/{SCHOOL}/figures", headers=admin)
        assert [(f["school_year"], f["version"], f["pupils"], f["current"]) for f in history.json()] == [
            (year, 2, 310, True),
            (year, 1, 300, False),
        ]
        leader_4 = bearer(registry, Role.CLUSTER_LEADER, cluster_no=4)
        assert (await registry_client.get(f"/schools/{SCHOOL}/figures", headers=leader_4)).status_code == 404

        records = await read_topic(kafka_bootstrap_servers, topic_prefix + "registry.schools", expected=3)
        states = [json.loads(r.value) for r in records if r.key and r.key.decode() == SCHOOL]
        assert [(s["version"], s["pupils"], s["classes"], s["teachers"]) for s in states][-1] == (
            school.json()["version"],
            310,
            11,
            20,
        )  # the school's state, published again with the year's figures
        assert all(headers_of(r)["ce_type"] == "vn.gov.nghean.edu.registry.school.v1" for r in records)
