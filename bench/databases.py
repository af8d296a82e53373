"""The databases a benchmark runs on: fresh SQLite files, or fresh databases on a PostgreSQL server.

PostgreSQL: ``BENCH_POSTGRES_URL`` (or ``TEST_POSTGRES_URL``), an admin URL of a running server; else a
throwaway cluster is started for the run (Debian's server binaries, as ``make test`` installs them).
Every database made here is dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local.postgres import ExternalPostgres, PostgresLauncher, PostgresServer

KINDS = ("sqlite", "postgresql")


@contextmanager
def bench_databases(kind: str, work_dir: Path) -> Iterator[Callable[[str], str]]:
    """Yields ``new(name) -> SQLAlchemy URL`` of an empty database of ``kind``."""
    if kind == "sqlite":
        yield lambda name: f"sqlite+aiosqlite:///{work_dir / name}-{uuid.uuid4().hex[:8]}.db"
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}; one of {', '.join(KINDS)}")
    url = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    launcher = None
    server: PostgresServer
    if url:
        server = ExternalPostgres(url)
    else:
        launcher = PostgresLauncher(work_dir / "pg")
        launcher.start()
        server = launcher
    made: list[str] = []

    def new(name: str) -> str:
        database = f"bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        made.append(database)
        return server.create_database(database)

    try:
        yield new
    finally:
        for database in made:
            server.drop_database(database)
        if launcher is not None:
            launcher.stop()


def database_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"
