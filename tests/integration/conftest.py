"""Fixtures for tests that run on the real broker and on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def topic_prefix() -> str:
    """A fresh namespace of topics and consumer groups, so tests sharing one broker never meet."""
    return f"t{uuid.uuid4().hex[:12]}."


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
