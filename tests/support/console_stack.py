"""The whole stack for the browser tests, as processes: every service under uvicorn on a loopback port,
on the session's Kafka broker (a topic prefix of its own) and the real Keycloak, each on its own SQLite
database, seeded with the demo people, and the console pointed at them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.local.kafka import REPO_ROOT, tail
from tests.support.ports import free_block

SERVICES = ("registry", "incidents", "activities", "notifications", "notices", "console")


@dataclass(frozen=True)
class Stack:
    urls: dict[str, str]
    issuer: str
    data_dir: Path

    @property
    def console(self) -> str:
        return self.urls["console"]

    def log(self, name: str) -> str:
        return tail(self.data_dir / f"{name}.log", lines=40)


@contextmanager
def running_stack(*, bootstrap: str, issuer: str, data_dir: Path) -> Iterator[Stack]:
    # Bound after migrations and Kafka start: below the ephemeral range. The last is the mail catcher's.
    first = free_block(len(SERVICES) + 1)
    ports = {name: first + n for n, name in enumerate(SERVICES)}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    environment = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": f"browser-{uuid.uuid4().hex[:8]}.",
        "DATA_DIR": str(data_dir),
        "ENVIRONMENT": "development",
        "OIDC_ISSUER": issuer,
        "SEED_DEMO_PEOPLE": "true",
        "MAIL_CATCHER": "true",
        "MAIL_CATCHER_PORT": str(first + len(SERVICES)),
        "SAMPLE_SCHOOLS": "0",
        "OUTBOX_SWEEP_INTERVAL_S": "0.2",
        "KAFKA_SESSION_TIMEOUT_MS": "6000",
        "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        **{f"{name.upper()}_URL": url for name, url in urls.items() if name != "console"},
        # The alerts' one-click links (notifications signs them) open this stack's console.
        "CONSOLE_PUBLIC_URL": urls["console"],
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in SERVICES:
            processes[name] = _start(
                name, ports[name], {**environment, "PUBLIC_BASE_URL": urls[name]}, data_dir
            )
        for name in SERVICES:
            _wait_ready(name, urls[name], processes[name], data_dir, within=180)
        yield Stack(urls=urls, issuer=issuer, data_dir=data_dir)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _start(name: str, port: int, environment: dict[str, str], data_dir: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"services.{name}.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "3",
    ]
    log = (data_dir / f"{name}.log").open("ab")
    return subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(
    name: str, url: str, process: subprocess.Popen[bytes], data_dir: Path, *, within: float
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited: {tail(data_dir / f'{name}.log', lines=30)}")
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{name} was not ready within {within}s: {tail(data_dir / f'{name}.log', lines=30)}")
