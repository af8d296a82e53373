"""A real Prometheus (Debian's package) scrapes the running services with the shipped scrape config and
rules: every target is up, every rule evaluates, a healthy system raises no alert, and every dashboard
query runs.

The services run in-process under uvicorn on free ports, on the test broker, each with its own SQLite
database; Prometheus runs as a process with the config of deploy/prometheus/ aimed at those ports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from cli.services import built_services
from deploy.local.kafka import free_port
from shared.settings import Environment
from tests.support.operations import (
    PROMETHEUS_DIR,
    RULES_DIR,
    alert_rules,
    queries,
    serving,
    without_grafana_variables,
)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.kafka


@pytest.fixture
def prometheus_binary() -> str:
    path = shutil.which("prometheus")
    if path is None:
        reason = "prometheus is missing: run `bash deploy/local/ensure-prometheus.sh` (Debian's prometheus)"
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def prometheus_config(ports: dict[str, int], prometheus_port: int) -> dict[str, Any]:
    """The shipped scrape config, aimed at loopback ports and scraping every second."""
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["rule_files"] = [str(RULES_DIR / "*.yml")]
    for job in config["scrape_configs"]:
        if job["job_name"] == "edu-clusters":
            shipped = {group["labels"]["service"] for group in job["static_configs"]}
            assert set(ports) <= shipped, "the scrape config misses a built service"
            job["static_configs"] = [
                {"targets": [f"127.0.0.1:{port}"], "labels": {"service": name}}
                for name, port in ports.items()
            ]
        else:
            job["static_configs"] = [{"targets": [f"127.0.0.1:{prometheus_port}"]}]
    return config


@pytest.fixture
def run_prometheus(prometheus_binary: str, tmp_path: Path) -> Iterator[Any]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(ports: dict[str, int]) -> str:
        port = free_port()
        config_file = tmp_path / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(prometheus_config(ports, port)))
        log = (tmp_path / "prometheus.log").open("wb")
        processes.append(
            subprocess.Popen(
                [
                    prometheus_binary,
                    f"--config.file={config_file}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_prometheus_scrapes_every_service_and_evaluates_the_rules_and_dashboards(
    kafka_bootstrap_servers: str, tmp_path: Path, run_prometheus: Any
) -> None:
    settings = {
        "environment": Environment.TEST,
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": f"t{uuid.uuid4().hex[:12]}.",
        "data_dir": tmp_path,
    }
    services = built_services()
    ports = {service.name: free_port() for service in services}
    async with _all_serving([(service.app(**settings), ports[service.name]) for service in services]):
        prometheus = run_prometheus(ports)
        async with httpx.AsyncClient(base_url=prometheus, timeout=10) as client:
            targets = await wait_for(
                lambda: _edu_targets(client),
                until=lambda found: len(found) == len(ports) and all(t["health"] == "up" for t in found),
                within=60,
                message="Prometheus to scrape every service",
            )
            assert {target["labels"]["service"] for target in targets} == set(ports)

            groups = await wait_for(
                lambda: _rule_groups(client),
                until=lambda found: bool(found) and all(g["lastEvaluation"][:4] != "0001" for g in found),
                within=30,
                message="every rule group to be evaluated",
            )
            rules = [rule for group in groups for rule in group["rules"]]
            assert {rule["name"] for rule in rules} == {rule["alert"] for rule in alert_rules()}
            assert all(rule["health"] == "ok" for rule in rules), [r for r in rules if r["health"] != "ok"]
            assert (await client.get("/api/v1/alerts")).json()["data"]["alerts"] == []

            up = await _query(client, 'up{job="edu-clusters"}')
            assert sorted((s["metric"]["service"], s["value"][1]) for s in up) == sorted(
                (name, "1") for name in ports
            )
            backlog = await _query(client, "outbox_backlog_messages")
            assert {series["metric"]["service"] for series in backlog} == set(ports)
            for query in queries():
                response = await client.get(
                    "/api/v1/query", params={"query": without_grafana_variables(query.expr)}
                )
                assert response.json()["status"] == "success", f"{query.where}: {response.text}"


@asynccontextmanager
async def _all_serving(apps: list[tuple[Any, int]]) -> AsyncIterator[None]:
    if not apps:
        yield
        return
    (app, port), *rest = apps
    async with serving(app, port), _all_serving(rest):
        yield


async def _edu_targets(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    try:
        response = await client.get("/api/v1/targets", params={"state": "active"})
    except httpx.TransportError:
        return []  # Prometheus is still starting
    if response.status_code != 200:
        return []  # it answers 503 until its storage is open
    return [t for t in response.json()["data"]["activeTargets"] if t["labels"]["job"] == "edu-clusters"]


async def _rule_groups(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = (await client.get("/api/v1/rules")).json()["data"]["groups"]
    return groups


async def _query(client: httpx.AsyncClient, expr: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await client.get("/api/v1/query", params={"query": expr})).json()["data"][
        "result"
    ]
    return result
