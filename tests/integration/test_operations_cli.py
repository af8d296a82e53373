"""The operator CLI (``edu-clusters``) run as operators run it, as a process, against the real broker."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from cli.main import app as cli
from deploy.local.kafka import REPO_ROOT, free_port
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role, TokenCodec
from shared.events.envelope import Envelope
from shared.events.topics import REGISTRY_CLUSTERS, TopicNaming
from shared.messaging import Delivery, EventConsumer, PermanentError
from shared.messaging.topic_admin import ensure_topics
from shared.settings import ServiceSettings
from tests.support.harness import MessagingNode, node_settings
from tests.support.operations import serving
from tests.support.probe import ProbeReceipt, ProbeV1, receipts
from tests.support.waiting import wait_for


async def edu_clusters(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI in a process of its own, with the given environment on top of ours."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        *args,
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "200", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, output.decode()


def test_token_mints_a_token_the_services_accept() -> None:
    result = CliRunner().invoke(
        cli, ["token", "--role", "cluster_leader", "--cluster", "3", "--sub", "lead@x"]
    )
    assert result.exit_code == 0, result.output
    principal = TokenCodec.from_settings(ServiceSettings(service_name="t")).decode(result.output.strip())
    assert (principal.role, principal.cluster_no, principal.subject) == (Role.CLUSTER_LEADER, 3, "lead@x")


def test_token_refuses_a_half_scoped_role() -> None:
    result = CliRunner().invoke(cli, ["token", "--role", "school_principal", "--sub", "p@x"])
    assert result.exit_code == 2
    assert "school_id" in result.output


@pytest.mark.kafka
async def test_tail_prints_a_topic_from_a_point_in_time(
    kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    naming = TopicNaming(topic_prefix)
    await ensure_topics(
        {"bootstrap_servers": kafka_bootstrap_servers},
        [REGISTRY_CLUSTERS],
        naming=naming,
        partitions=2,
        replication_factor=1,
    )
    now = datetime.now(UTC)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
    await producer.start()
    try:
        for hours_ago, cluster_no in ((3, 1), (1, 2), (0, 3)):
            envelope = Envelope(
                id=str(uuid.uuid4()),
                type="vn.gov.nghean.edu.registry.cluster.v1",
                source="/edu-clusters/registry",
                time=now,
                subject=f"cluster/{cluster_no}",
                traceparent=f"00-{'ab' * 16}-{'cd' * 8}-01",
            )
            await producer.send_and_wait(
                naming.physical("registry.clusters"),
                json.dumps({"cluster_no": cluster_no, "name": f"Cụm {cluster_no}"}).encode(),
                key=str(cluster_no).encode(),
                headers=envelope.kafka_headers(),
                timestamp_ms=int((now - timedelta(hours=hours_ago)).timestamp() * 1000),
            )
    finally:
        await producer.stop()
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers, "KAFKA_TOPIC_PREFIX": topic_prefix}

    code, output = await edu_clusters("tail", "registry.clusters", "--since", "2h", "--json", env=env)
    assert code == 0, output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert sorted(line["body"]["cluster_no"] for line in lines) == [2, 3]

    code, output = await edu_clusters("tail", "registry.clusters", env=env)
    assert code == 0, output
    assert "3 message(s)" in output
    assert "vn.gov.nghean.edu.registry.cluster.v1" in output and f"trace={'ab' * 16}" in output
    assert "Cụm 3" in output

    code, output = await edu_clusters("tail", "registry.nothing", env=env)
    assert code == 2 and "does not exist" in output


# A consumer whose failure the test controls: while the replica "is not ready", it refuses every event.
replica_ready = {"value": False}
picky_consumer = EventConsumer("testsuite.operations-picky")


@picky_consumer.handles(ProbeV1)
async def store_when_ready(event: ProbeV1 | None, delivery: Delivery) -> None:
    assert event is not None
    if not replica_ready["value"]:
        raise PermanentError("the replica is not ready")
    delivery.uow.session.add(
        ProbeReceipt(
            event_id=delivery.envelope.id, key=event.key, seq=event.seq, partition=delivery.partition
        )
    )


@pytest.mark.kafka
async def test_dead_letters_are_listed_with_their_reason_and_replayed_once_the_cause_is_fixed(
    kafka_bootstrap_servers: str, topic_prefix: str, tmp_path: Path
) -> None:
    settings = node_settings(
        name="opsnode",
        bootstrap=kafka_bootstrap_servers,
        prefix=topic_prefix,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
    )
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers, "KAFKA_TOPIC_PREFIX": topic_prefix}
    replica_ready["value"] = False
    node = await MessagingNode.start(settings, consumers=[picky_consumer])
    try:
        async with node.messaging.unit_of_work() as uow:
            event_id = uow.record(ProbeV1(key="school-1", seq=1))
            await uow.commit()

        async def listed() -> list[dict[str, Any]]:
            code, output = await edu_clusters("dead-letters", "list", "opsnode", "--json", env=env)
            assert code == 0, output
            return [json.loads(line) for line in output.splitlines() if line.startswith("{")]

        letters = await wait_for(
            listed, until=lambda found: len(found) == 1, within=30, message="a dead letter"
        )
        headers = letters[0]["headers"]
        assert headers["ce_id"] == event_id
        assert headers["dlq_reason"] == "handler refused the event: the replica is not ready"
        assert headers["dlq_original_topic"] == f"{topic_prefix}testsuite.probes"
        code, table = await edu_clusters("dead-letters", "list", "opsnode", env=env)
        assert code == 0 and "the replica is not ready" in table and "testsuite.probes" in table

        replica_ready["value"] = True  # the cause is fixed
        position = f"{letters[0]['partition']}:{letters[0]['offset']}"
        code, output = await edu_clusters(
            "dead-letters", "replay", "opsnode", "--position", position, env=env
        )
        assert code == 0, output
        assert f"replayed {position}" in output

        async def stored() -> list[ProbeReceipt]:
            async with node.sessions() as session:
                return await receipts(session)

        applied = await wait_for(stored, within=30, message="the replayed event to be applied")
        assert [(receipt.event_id, receipt.seq) for receipt in applied] == [(event_id, 1)]

        code, output = await edu_clusters("dead-letters", "replay", "opsnode", "--position", "9:999", env=env)
        assert code == 2 and "no dead letter at 9:999" in output
    finally:
        replica_ready["value"] = False
        await node.stop()


async def test_seed_records_the_reference_data_in_the_registry_outbox_once(tmp_path: Path) -> None:
    database = tmp_path / "registry.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    code, output = await edu_clusters("seed", env=env)
    assert code == 0, output
    assert "clusters created: 5, communes created: 130" in output
    code, output = await edu_clusters("seed", env=env)
    assert "clusters created: 0, communes created: 0" in output
    with sqlite3.connect(database) as connection:
        topics = dict(connection.execute("SELECT topic, count(*) FROM outbox GROUP BY topic").fetchall())
    assert topics == {"registry.clusters": 5, "registry.communes": 130}


@pytest.mark.kafka
async def test_republish_registry_asks_the_running_registry_with_a_minted_token(
    common: dict[str, Any],
) -> None:
    registry = create_registry(RegistrySettings(**common))
    async with registry.router.lifespan_context(registry), serving(registry, free_port()) as url:
        code, output = await edu_clusters("republish-registry", "--registry-url", url, env={})
        assert code == 0, output
        assert "republished: 5 clusters, 130 communes, 0 schools, 0 staff" in output

    code, output = await edu_clusters("republish-registry", "--registry-url", url, env={})
    assert code == 2 and "does not answer" in output


@pytest.mark.asyncio(loop_scope="session")
async def test_db_upgrade_brings_a_service_database_to_head_and_names_unknown_services(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'incidents.db'}"
    code, output = await edu_clusters("db", "upgrade", "incidents", "--url", url, env={})
    assert code == 0, output
    code, output = await edu_clusters("db", "current", "incidents", "--url", url, env={})
    assert code == 0 and "(head)" in output, output
    code, output = await edu_clusters("db", "upgrade", "nosuch", "--url", url, env={})
    assert code == 2 and "no service 'nosuch' keeps migrations" in output, output
