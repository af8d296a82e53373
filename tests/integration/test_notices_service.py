"""The notices service on the real broker, on SQLite and PostgreSQL: the registry's clusters, communes,
schools and people arrive over Kafka into its replica; the Department writes a notice with a PDF to
cluster 1's principals and cluster 1's communes' Offices of Culture and Social Affairs, publishes it, and
the event on ``notices.events`` carries the audience, the addressees with their signed links, and the
attachment (its bytes and a download link that works). Bad input is refused as the issue says."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.notices.app import create_app
from services.notices.replica.models import SchoolReplica, StaffReplica
from services.notices.settings import NoticesSettings
from shared.auth import Role
from shared.events import SchoolStateV2
from shared.events.topics import REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF
from tests.support.apps import bearer, running, runtime_of
from tests.support.harness import MessagingNode, node_settings
from tests.support.kafka_reader import headers_of, read_topic
from tests.support.notices import docx_bytes, notice_body, pdf_bytes, registry_states
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

PUBLISHED = "vn.gov.nghean.edu.notices.notice.published.v1"


@pytest.fixture
async def registry_node(
    kafka_bootstrap_servers: str, topic_prefix: str, sqlite_url: Callable[[str], str]
) -> AsyncIterator[MessagingNode]:
    """Plays the registry: publishes the province's states through an outbox, as the registry does."""
    settings = node_settings(
        name="registry",
        bootstrap=kafka_bootstrap_servers,
        prefix=topic_prefix,
        database_url=sqlite_url("registry"),
    )
    node = await MessagingNode.start(
        settings, publishes=[REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF]
    )
    await node.publish(*registry_states())
    yield node
    await node.stop()


@pytest.fixture
async def service(
    common: dict[str, Any], new_database_url: Callable[[str], str], registry_node: MessagingNode
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(
        NoticesSettings(**common, database_url=new_database_url("notices"), attachment_max_bytes=50_000)
    )
    async with running(app) as client:
        await wait_for(lambda: replica_ready(app), message="the registry in the notices replica")
        yield app, client


async def replica_ready(app: FastAPI) -> bool:
    async with runtime_of(app).sessions() as session:
        schools = [await session.get(SchoolReplica, code) for code in ("S11A", "S11B", "S12", "S21")]
        people = [await session.get(StaffReplica, code) for code in ("P11A", "P11B", "P21", "L1")]
        return all(schools) and all(people)


async def upload(
    client: httpx.AsyncClient, notice_id: str, headers: dict[str, str], name: str, content: bytes, kind: str
) -> httpx.Response:
    return await client.post(
        f"/notices/{notice_id}/attachments", files={"file": (name, content, kind)}, headers=headers
    )


async def published_events(bootstrap: str, prefix: str, expected: int) -> list[dict[str, Any]]:
    records = await read_topic(bootstrap, prefix + "notices.events", expected=expected)
    events = [json.loads(r.value) for r in records if headers_of(r)["ce_type"] == PUBLISHED]
    return sorted(events, key=lambda event: str(event["occurred_at"]))  # notices' keys spread over partitions


async def test_a_notice_with_a_pdf_to_cluster_1s_principals_and_culture_offices_is_published_once(
    service: tuple[FastAPI, httpx.AsyncClient], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    app, client = service
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    created = await client.post("/notices", json=notice_body(), headers=officer)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert (notice["status"], notice["summary"]) == ("draft", notice_body()["body"])
    pdf = pdf_bytes()
    attached = await upload(client, notice["id"], officer, "Công văn 123.pdf", pdf, "application/pdf")
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == hashlib.sha256(pdf).hexdigest()
    path = runtime_of(app).settings.data_dir / "notices-files" / attached.json()["sha256"][:2]
    assert (path / attached.json()["sha256"]).read_bytes() == pdf  # stored by its content's hash

    published = await client.post(f"/notices/{notice['id']}/publish", headers=officer)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    again = await client.post(f"/notices/{notice['id']}/publish", headers=officer)
    assert (again.status_code, again.json()["rule"]) == (409, "already_published")

    [event] = await published_events(kafka_bootstrap_servers, topic_prefix, expected=1)
    assert event["notice_id"] == notice["id"]
    assert (event["number"], event["title"], event["cluster_nos"]) == ("123/SGDĐT-VP", notice["subject"], [1])
    assert event["audience"] == {
        "all_principals": False,
        "principal_groups": [{"cluster_nos": [1], "commune_codes": [], "levels": []}],
        "school_codes": [],
        "people_committees": None,
        "culture_offices": {"all_communes": False, "cluster_nos": [1], "commune_codes": []},
    }
    assert [a["key"] for a in event["addressees"]] == [
        "school:S11A",
        "school:S11B",
        "school:S12",
        "commune-office:16001",
        "commune-office:16002",
    ]
    [attachment] = event["attachments"]
    assert base64.b64decode(attachment["content_base64"]) == pdf
    assert (attachment["filename"], attachment["content_type"]) == ("Công văn 123.pdf", "application/pdf")
    download = await client.get(attachment["url"].removeprefix(runtime_of(app).settings.public_base_url))
    assert (download.status_code, download.content) == (200, pdf)  # the link works without a token
    forged = await client.get(
        attachment["url"].removeprefix(runtime_of(app).settings.public_base_url).replace("sig=", "sig=x")
    )
    assert forged.status_code == 403

    # Published is final: no edit, no new attachment; a correction is a new notice referring to it.
    edit = await client.patch(f"/notices/{notice['id']}", json={"subject": "Sửa"}, headers=officer)
    assert (edit.status_code, edit.json()["rule"]) == (409, "published_notice_immutable")
    late_file = await upload(client, notice["id"], officer, "b.pdf", pdf, "application/pdf")
    assert late_file.status_code == 409
    correction = await client.post(
        "/notices",
        json=notice_body(number="124/SGDĐT-VP", corrects_notice_id=notice["id"], subject="Đính chính"),
        headers=officer,
    )
    assert correction.status_code == 201, correction.text
    assert (
        await client.post(f"/notices/{correction.json()['id']}/publish", headers=officer)
    ).status_code == 200
    events = await published_events(kafka_bootstrap_servers, topic_prefix, expected=2)
    assert [e["corrects_number"] for e in events] == [None, "123/SGDĐT-VP"]


async def test_bad_input_is_refused_naming_what_was_wrong(service: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = service
    leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=1)
    officer = bearer(app, Role.DEPARTMENT_OFFICER)

    async def create(audience: dict[str, Any], headers: dict[str, str] = leader) -> httpx.Response:
        return await client.post("/notices", json=notice_body(audience=audience), headers=headers)

    for audience, field in (
        ({"principal_groups": [{"cluster_nos": [2]}]}, "audience.principal_groups[0].cluster_nos"),
        ({"school_codes": ["S11A", "S21"]}, "audience.school_codes"),
        (
            {"culture_offices": {"commune_codes": ["16001", "16003"]}},
            "audience.culture_offices.commune_codes",
        ),
        ({"people_committees": {"all_communes": True}}, "audience.people_committees.all_communes"),
        ({"all_principals": True}, "audience.all_principals"),
        ({"principal_groups": [{"levels": ["primary"]}]}, "audience.principal_groups[0].levels"),
    ):
        refused = await create(audience)
        assert (refused.status_code, refused.json()["field"]) == (403, field), refused.text
    assert "S21" in (await create({"school_codes": ["S11A", "S21"]})).json()["detail"]
    own = await create({"school_codes": ["S11A"], "culture_offices": {"cluster_nos": [1]}})
    assert own.status_code == 201, own.text  # the leader's own cluster is fine

    for audience in ({}, {"principal_groups": [], "culture_offices": {}}):
        empty = await create(audience, officer)
        assert (empty.status_code, empty.json()["field"]) == (422, "audience"), empty.text
    unknown = await create({"school_codes": ["NOPE"]}, officer)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "audience.school_codes")
    principal = await create({"school_codes": ["S11A"]}, bearer(app, Role.SCHOOL_PRINCIPAL, school_id="S11A"))
    assert principal.status_code == 403

    draft = own.json()["id"]
    too_large = await upload(client, draft, leader, "big.pdf", pdf_bytes() + b"0" * 60_000, "application/pdf")
    assert (too_large.status_code, too_large.json()["field"]) == (413, "file"), too_large.text
    exe = await upload(client, draft, leader, "setup.exe", b"MZ\x90\x00", "application/octet-stream")
    assert exe.status_code == 415, exe.text
    renamed = await upload(client, draft, leader, "report.pdf", docx_bytes(), "application/pdf")
    assert (renamed.status_code, "DOCX" in renamed.json()["detail"]) == (415, True), renamed.text
    fake_xlsx = await upload(client, draft, leader, "rates.xlsx", b"PK\x03\x04not a zip", "application/zip")
    assert fake_xlsx.status_code == 415
    docx = await upload(client, draft, leader, "Kế hoạch.docx", docx_bytes(), "application/msword")
    assert (docx.status_code, docx.json()["content_type"].endswith("wordprocessingml.document")) == (
        201,
        True,
    )

    other_leader = bearer(app, Role.CLUSTER_LEADER, cluster_no=2)
    assert (
        await client.patch(f"/notices/{draft}", json={"subject": "x"}, headers=other_leader)
    ).status_code == 404
    narrowed = await client.patch(
        f"/notices/{draft}", json={"audience": {"school_codes": ["S21"]}}, headers=leader
    )
    assert (narrowed.status_code, narrowed.json()["field"]) == (403, "audience.school_codes")
    cleared = await client.patch(f"/notices/{draft}", json={"audience": {}}, headers=leader)
    assert (cleared.status_code, cleared.json()["field"]) == (422, "audience")
    past = await client.patch(f"/notices/{draft}", json={"reply_by": "2020-01-01T00:00:00Z"}, headers=leader)
    assert (past.status_code, past.json()["field"]) == (422, "reply_by")


async def test_a_notice_to_the_upper_secondary_schools_of_a_cluster_reaches_a_thpt_principal(
    service: tuple[FastAPI, httpx.AsyncClient],
    registry_node: MessagingNode,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    app, client = service
    now = datetime.now(UTC)
    await registry_node.publish(
        *(
            SchoolStateV2(
                code=code,
                name=f"Trường {code}",
                level=level,  # type: ignore[arg-type]
                commune_code="16001",
                cluster_no=1,
                version=1,
                updated_at=now,
            )
            for code, level in (("T11", "upper_secondary"), ("G11", "continuing_education"))
        )
    )

    async def held() -> bool:
        async with runtime_of(app).sessions() as session:
            return all([await session.get(SchoolReplica, code) for code in ("T11", "G11")])

    await wait_for(held, message="the THPT school and the GDTX centre in the notices replica")
    officer = bearer(app, Role.DEPARTMENT_OFFICER)
    audience = {"principal_groups": [{"cluster_nos": [1], "levels": ["upper_secondary"]}]}
    created = await client.post("/notices", json=notice_body(audience=audience), headers=officer)
    assert created.status_code == 201, created.text
    assert created.json()["audience"]["principal_groups"][0]["levels"] == ["upper_secondary"]
    published = await client.post(f"/notices/{created.json()['id']}/publish", headers=officer)
    assert published.status_code == 200, published.text

    records = await read_topic(kafka_bootstrap_servers, topic_prefix + "notices.events", expected=1)
    [(kind, event)] = [
        (headers_of(r)["ce_type"], json.loads(r.value))
        for r in records
        if "notice.published" in headers_of(r)["ce_type"]
    ]
    assert kind == PUBLISHED.replace(".v1", ".v2")  # v1's level enum cannot name upper_secondary
    assert [a["key"] for a in event["addressees"]] == ["school:T11"]  # not the GDTX centre, not S11A/S11B
