"""Fixtures for tests that run on the real broker and on both databases."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.notifications.devmail.adapters import MailCatcher
from shared.events.base import EventPayload
from shared.settings import Environment
from tests.support.activities import Registry, running_activities
from tests.support.harness import MessagingNode, start_stand_in_registry
from tests.support.incidents import StartIncidents, incidents_beside_registry


@pytest.fixture
def topic_prefix() -> str:
    """A fresh namespace of topics and consumer groups, so tests sharing one broker never meet."""
    return f"t{uuid.uuid4().hex[:12]}."


@pytest.fixture
def common(kafka_bootstrap_servers: str, topic_prefix: str, tmp_path: Path) -> dict[str, Any]:
    """Settings every in-process service app of a test shares: the test's broker, topics and directory."""
    return {
        "environment": Environment.TEST,
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
        "data_dir": tmp_path,
        "outbox_sweep_interval_s": 0.2,
    }


@pytest.fixture
def quick_common(common: dict[str, Any]) -> dict[str, Any]:
    """``common`` with a short Kafka session, so that a consumer group a test stops rebalances in seconds."""
    return {**common, "kafka_session_timeout_ms": 6_000, "kafka_heartbeat_interval_ms": 500}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_database_url(
    database_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[[str], str]:
    """Makes a new, empty database of the parametrised kind for each name asked."""

    def make(name: str) -> str:
        if database_kind == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / name}.db"
        server = request.getfixturevalue("postgres_server")
        return server.create_database(f"{name}_{uuid.uuid4().hex[:8]}")

    return make


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Callable[[str], str]:
    return lambda name: f"sqlite+aiosqlite:///{tmp_path / name}.db"


@pytest.fixture
def smtp() -> Iterator[MailCatcher]:
    """A real SMTP server (aiosmtpd) on a free port, keeping every mail it receives."""
    server = MailCatcher()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def registry_seed() -> list[EventPayload]:
    """What ``registry_node`` publishes as it starts: nothing, unless a module overrides this fixture."""
    return []


@pytest.fixture
async def registry_node(
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    sqlite_url: Callable[[str], str],
    registry_seed: list[EventPayload],
) -> AsyncIterator[MessagingNode]:
    """Stands in for the registry, having published ``registry_seed`` through its outbox."""
    node = await start_stand_in_registry(
        bootstrap=kafka_bootstrap_servers,
        prefix=topic_prefix,
        database_url=sqlite_url("registry"),
        states=registry_seed,
    )
    yield node
    await node.stop()


@pytest.fixture
async def registry_feed(kafka_bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Registry]:
    """Plays the registry straight onto its topics (no outbox), for the activities tests."""
    feed = Registry(kafka_bootstrap_servers, topic_prefix)
    await feed.producer.start()
    try:
        yield feed
    finally:
        await feed.producer.stop()


@pytest.fixture
async def activities_service(
    common: dict[str, Any], new_database_url: Callable[[str], str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The activities app running on each database kind, with its client."""
    async with running_activities(common, new_database_url("activities")) as served:
        yield served


@pytest.fixture
def start_incidents(
    kafka_bootstrap_servers: str, topic_prefix: str, sqlite_url: Callable[[str], str], tmp_path: Path
) -> StartIncidents:
    """``tests.support.incidents.incidents_beside_registry`` on this test's broker, topics and SQLite."""
    return functools.partial(
        incidents_beside_registry,
        bootstrap=kafka_bootstrap_servers,
        prefix=topic_prefix,
        sqlite_url=sqlite_url,
        data_dir=tmp_path,
    )
