"""The local Kafka and PostgreSQL launchers the run and test commands stand on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from deploy.local.kafka import REPO_ROOT, KafkaLauncher, KafkaLauncherError
from deploy.local.postgres import PostgresLauncher


def test_missing_java_is_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(KafkaLauncherError) as raised:
        KafkaLauncher(tmp_path, java=str(tmp_path / "no-java-here")).start()
    assert raised.value.message.startswith("Java 17+ is required to run the local Kafka broker")


def test_the_command_line_reports_missing_java_without_a_stack_trace(tmp_path: Path) -> None:
    command = ["-m", "deploy.local.kafka", "start", "--dir", str(tmp_path), "--java", "/nonexistent/java"]
    result = subprocess.run(
        [sys.executable, *command], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: Java 17+ is required")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_second_fetch_downloads_nothing(kafka_bootstrap_servers: str, tmp_path: Path) -> None:
    # The session's broker (or an earlier run) has already fetched the jars into the shared cache.
    assert KafkaLauncher(tmp_path).ensure_jars() is False


async def test_a_throwaway_postgresql_cluster_serves_a_fresh_database(
    postgres_server: PostgresLauncher,
) -> None:
    url = postgres_server.create_database("launcher_probe")
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("CREATE TABLE t (id int primary key, name text)")
        await connection.execute("INSERT INTO t VALUES (1, 'Kỳ Sơn')")
        assert await connection.fetchval("SELECT name FROM t WHERE id = 1") == "Kỳ Sơn"
    finally:
        await connection.close()
