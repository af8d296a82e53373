"""docker-compose.yml: validated by `docker compose config` where Docker Compose is installed, and read
here either way for what the production-like run relies on (no Docker engine is needed for either)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.services import built_services
from tests.support.operations import PROMETHEUS_DIR, REPO_ROOT

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
SECRETS = {
    "POSTGRES_PASSWORD": "pg-test",
    "JWT_SECRET": "j" * 40,
    "GRAFANA_ADMIN_PASSWORD": "gf-test",
    "KEYCLOAK_ADMIN_PASSWORD": "kc-test",
}


def compose_command() -> list[str] | None:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return command
    return None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    command = compose_command()
    if command is None:
        pytest.skip("Docker Compose is not installed here (no `docker compose` plugin, no docker-compose)")
    return command


def run_config(compose: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [*compose, "-f", str(COMPOSE_FILE), "config", "--quiet"],
        cwd=REPO_ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_docker_compose_config_accepts_the_file(compose: list[str]) -> None:
    result = run_config(compose, SECRETS)
    assert result.returncode == 0, result.stderr


def test_docker_compose_config_refuses_to_run_without_the_secrets(compose: list[str]) -> None:
    result = run_config(compose, {k: v for k, v in SECRETS.items() if k != "JWT_SECRET"})
    assert result.returncode != 0
    assert "JWT_SECRET" in result.stderr


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return document


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in service.get("environment", {}).items()}


def test_every_built_service_runs_from_the_one_dockerfile_on_its_own_database(spec: dict[str, Any]) -> None:
    created = set(
        re.findall(
            r"CREATE DATABASE (\w+);", (REPO_ROOT / "deploy/postgres/create-databases.sql").read_text()
        )
    )
    for service in built_services():
        container = spec["services"][service.name]
        environment = _environment(container)
        assert container["build"] == "." and environment["SERVICE"] == service.name
        assert environment["DATABASE_URL"].endswith(f"@postgres/{service.name}")
        assert service.name in created
        assert environment["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert {"kafka", "postgres"} <= set(container["depends_on"])
        assert "/health/ready" in container["healthcheck"]["test"][-1]


def test_kafka_is_kraft_with_an_internal_and_an_external_listener_and_a_healthcheck(
    spec: dict[str, Any],
) -> None:
    kafka = spec["services"]["kafka"]
    environment = _environment(kafka)
    assert kafka["image"].startswith("apache/kafka:")
    assert environment["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert {"INTERNAL://kafka:9092", "EXTERNAL://localhost:9094"} == set(
        environment["KAFKA_ADVERTISED_LISTENERS"].split(",")
    )
    assert environment["KAFKA_INTER_BROKER_LISTENER_NAME"] == "INTERNAL"
    assert "kafka-broker-api-versions.sh" in kafka["healthcheck"]["test"][-1]


def test_no_secret_is_committed(spec: dict[str, Any]) -> None:
    for name, container in spec["services"].items():
        for key, value in _environment(container).items():
            if re.search(r"PASSWORD|SECRET|TOKEN", key):
                assert re.fullmatch(r"\$\{\w+(:\?[^}]+|:-)?\}", value), (
                    f"{name}.{key} is not taken from the environment"
                )
    assert ".env" in (REPO_ROOT / ".gitignore").read_text().split()
    example = (REPO_ROOT / ".env.example").read_text()
    assert all(f"{secret}=CHANGE-ME" in example for secret in SECRETS)


def test_prometheus_and_grafana_get_the_rules_dashboards_and_provisioning(spec: dict[str, Any]) -> None:
    mounts = {
        volume.split(":")[1]: REPO_ROOT / volume.split(":")[0]
        for name in ("prometheus", "grafana", "postgres")
        for volume in spec["services"][name]["volumes"]
        if volume.startswith("./")
    }
    assert all(Path(source).exists() for source in mounts.values()), mounts
    assert mounts["/etc/prometheus/rules"] == REPO_ROOT / "deploy/prometheus/rules"
    assert mounts["/var/lib/grafana/dashboards"] == REPO_ROOT / "deploy/grafana/dashboards"
    assert mounts["/etc/grafana/provisioning"] == REPO_ROOT / "deploy/grafana/provisioning"
    scrape = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    targets = {
        group["labels"]["service"]: group["targets"]
        for job in scrape["scrape_configs"]
        if job["job_name"] == "edu-clusters"
        for group in job["static_configs"]
    }
    assert targets == {service.name: [f"{service.name}:8000"] for service in built_services()}
    assert "mailcatcher" in spec["services"]
    datasource = yaml.safe_load(
        (REPO_ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
