"""The README's run command, as a user runs it: Kafka and the services come up, seeded, and stop on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from deploy.local.kafka import REPO_ROOT
from deploy.local.run import SERVICE_NAMES
from shared.auth import Principal, Role, TokenCodec
from shared.settings import ServiceSettings
from tests.support.ports import free_block

# A first run fetches and builds Kafka and Keycloak: minutes, beyond the suite's 300 s default.
pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]


@pytest.fixture
def run_command(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, int, int]]:
    first_port = free_block(len(SERVICE_NAMES) + 2)
    kafka_port, keycloak_port = first_port + len(SERVICE_NAMES), first_port + len(SERVICE_NAMES) + 1
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deploy.local.run",
            "--kafka-port",
            str(kafka_port),
            "--keycloak-port",
            str(keycloak_port),
            "--first-port",
            str(first_port),
            "--data-dir",
            str(tmp_path),
            "--sample-schools",
            "30",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, kafka_port, first_port, keycloak_port
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_run_brings_up_kafka_and_the_seeded_services_then_stops_cleanly(
    run_command: tuple[subprocess.Popen[str], int, int, int],
) -> None:
    process, kafka_port, first_port, keycloak_port = run_command
    banner = _read_until(process, "Integration client", within=600)  # the last line of the banner
    registry, notifications = f"http://127.0.0.1:{first_port}", f"http://127.0.0.1:{first_port + 3}"
    assert (
        f"{registry}/docs" in banner and f"{registry}/asyncapi" in banner and f"{registry}/metrics" in banner
    )
    assert "export TOKEN=" in banner
    assert f"http://127.0.0.1:{keycloak_port}/realms/edu-clusters" in banner and "cumtruong.1" in banner

    headers = {"Authorization": f"Bearer {_admin_token()}"}
    clusters = httpx.get(f"{registry}/clusters", headers=headers, timeout=10).json()
    assert [cluster["cluster_no"] for cluster in clusters] == [1, 2, 3, 4, 5]
    assert httpx.get(f"{registry}/communes", headers=headers, timeout=10).json()["total"] == 130
    schools = httpx.get(f"{registry}/schools", params={"q": "mau"}, headers=headers, timeout=10).json()
    assert schools["total"] == 30
    assert all(school["sample"] and school["code"].startswith("MAU") for school in schools["items"])
    deadline = time.monotonic() + 30
    while (
        len(replica := httpx.get(f"{notifications}/replica/clusters", headers=headers, timeout=10).json()) < 5
    ):
        assert time.monotonic() < deadline, f"the notifications replica has only {replica}"
        time.sleep(0.2)
    assert httpx.get(f"{registry}/asyncapi.json", timeout=10).status_code == 200

    # The demo leader signs in at the identity provider and sees cluster 1's schools, as the registry says.
    issuer = f"http://127.0.0.1:{keycloak_port}/realms/edu-clusters"
    signed_in = httpx.post(
        f"{issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "edu-clusters-cli",
            "username": "cumtruong.1",
            "password": "demo",
        },
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    leader = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    seen = httpx.get(f"{registry}/schools", params={"limit": 200}, headers=leader, timeout=10).json()
    assert seen["total"] >= 1 and {school["cluster_no"] for school in seen["items"]} == {1}
    for port in range(first_port, first_port + len(SERVICE_NAMES)):  # every service, not only the registry
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).status_code == 200

    process.send_signal(signal.SIGTERM)  # as a supervisor stops it; Ctrl-C (SIGINT) takes the same path
    assert process.wait(timeout=60) == 0
    assert not _answers(kafka_port)
    assert not _answers(first_port)
    assert not _answers(keycloak_port)


def _answers(port: int) -> bool:
    """Something still listens on the port (a bind test would trip over TIME_WAIT sockets)."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _admin_token() -> str:
    codec = TokenCodec.from_settings(ServiceSettings(service_name="tests"))
    return codec.mint(Principal(subject="admin@tests", role=Role.DEPARTMENT_ADMIN), timedelta(minutes=5))


def _read_until(process: subprocess.Popen[str], marker: str, *, within: float) -> str:
    """The run command's output up to the marker line (a readline loop that gives up at the deadline)."""
    assert process.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    pytest.fail(f"the run command did not report {marker!r}:\n{''.join(seen)}")
