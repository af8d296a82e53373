"""The local launchers run the real parts: a message round-trips through Kafka and survives a broker
restart, PostgreSQL serves a fresh database per test, and setup problems read as one clear sentence.

(test_local_launchers.py covers missing Java, the command line's error and the jar cache.)
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from deploy.local.kafka import KafkaLauncher, KafkaLauncherError, port_is_free
from deploy.local.postgres import PostgresLauncher, asyncpg_dsn


async def _produce(bootstrap_servers: str, topic: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def _consume_one(bootstrap_servers: str, topic: str) -> tuple[bytes | None, bytes | None]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"probe-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        session_timeout_ms=6_000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=60)
        return record.key, record.value
    finally:
        await consumer.stop()


@pytest.mark.asyncio(loop_scope="session")
async def test_a_message_round_trips_through_the_broker(kafka_bootstrap_servers: str) -> None:
    topic = f"launcher-probe-{uuid.uuid4().hex[:8]}"
    await _produce(kafka_bootstrap_servers, topic, b"commune-1", "Xã Mường Xén".encode())
    assert await _consume_one(kafka_bootstrap_servers, topic) == (b"commune-1", "Xã Mường Xén".encode())


@pytest.mark.asyncio(loop_scope="session")
async def test_messages_survive_a_broker_restart_on_the_same_folder(tmp_path: Path) -> None:
    topic = "survivor"
    first = KafkaLauncher(tmp_path / "kafka")
    with first:
        await _produce(first.bootstrap_servers, topic, b"k", b"kept")
    cluster_id = (first.data_dir / "meta.properties").read_text()
    assert port_is_free(first.port)  # the first broker is really gone
    # The broker's own log is written (a mismatched SLF4J binding once made it silently empty).
    assert "Kafka Server started" in first.log_file.read_text(errors="replace")

    with KafkaLauncher(tmp_path / "kafka") as second:  # new free ports, same storage: no re-format
        assert (second.data_dir / "meta.properties").read_text() == cluster_id
        assert await _consume_one(second.bootstrap_servers, topic) == (b"k", b"kept")


@pytest.mark.asyncio(loop_scope="session")
async def test_a_killed_broker_restarts_on_its_own_port_at_once(tmp_path: Path) -> None:
    """As an operator or the fault suite does: SIGKILL, then start again on the same port and folder."""
    launcher = KafkaLauncher(tmp_path / "kafka")
    with launcher:
        await _produce(launcher.bootstrap_servers, "crash", b"k", b"before the crash")
        port = launcher.port
        launcher.kill()
        assert not launcher.is_running()
        launcher.start()  # same port (kept by the launcher), same storage
        assert launcher.port == port
        assert await _consume_one(launcher.bootstrap_servers, "crash") == (b"k", b"before the crash")


def test_an_old_java_is_named_in_one_clear_sentence(tmp_path: Path) -> None:
    old_java = tmp_path / "java"
    old_java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    old_java.chmod(0o755)
    with pytest.raises(KafkaLauncherError) as raised:
        KafkaLauncher(tmp_path / "work", java=str(old_java)).start()
    assert raised.value.message.startswith(
        "Java 17+ is required to run the local Kafka broker (found Java 11"
    )
    assert "\n" not in raised.value.message


def test_missing_maven_is_one_clear_sentence_when_jars_are_not_cached(tmp_path: Path) -> None:
    launcher = KafkaLauncher(tmp_path / "work", cache_dir=tmp_path / "empty-cache", mvn="no-such-mvn")
    with pytest.raises(KafkaLauncherError) as raised:
        launcher.ensure_jars()
    assert raised.value.message.startswith("Maven (mvn) is required once to download the Kafka jars")
    assert not launcher.libs_dir.exists()  # nothing half-made that could pass for a cache


@pytest.mark.asyncio(loop_scope="session")
async def test_each_test_gets_a_fresh_postgresql_database(postgres_database_url: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(postgres_database_url))
    try:
        assert await connection.fetchval("SELECT 1") == 1
        assert await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        await connection.execute("CREATE TABLE communes (id int PRIMARY KEY, name text NOT NULL)")
        await connection.execute("INSERT INTO communes VALUES (1, 'Phường Vinh Phú')")
        assert await connection.fetchval("SELECT name FROM communes WHERE id = 1") == "Phường Vinh Phú"
    finally:
        await connection.close()


def test_a_stopped_postgresql_cluster_leaves_nothing_behind(tmp_path: Path) -> None:
    launcher = PostgresLauncher(tmp_path / "pg")
    try:
        launcher.start()
        run_dir, port = launcher.run_dir, launcher.port
        assert run_dir is not None
        assert (run_dir / "data" / "postmaster.pid").exists()
    finally:
        launcher.stop()
    assert not run_dir.exists()
    assert port_is_free(port)
