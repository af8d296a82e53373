"""A throwaway PostgreSQL cluster for tests, from Debian's server binaries, on a free loopback port.

Why: the production path runs on PostgreSQL, and its locking (the outbox relay's advisory lock, row
locks, transaction isolation) must be proven on the real server, not assumed from SQLite. initdb refuses
to run as root, so as root the cluster belongs to the ``postgres`` user that Debian's package creates.
A cluster is a fresh folder, ``initdb`` with trust auth and ``pg_ctl`` on loopback; ``stop()`` removes it.
``ExternalPostgres`` offers the same methods for a server someone else runs (``TEST_POSTGRES_URL``).

Install the binaries with ``deploy/local/ensure-postgres.sh`` (idempotent).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from deploy.local.kafka import HOST, REPO_ROOT, free_port, tail

DEFAULT_ROOT = REPO_ROOT / ".cache" / "pg"
DEBIAN_POSTGRES_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_T = TypeVar("_T")


class PostgresLauncherError(RuntimeError):
    """A problem the user can fix; ``message`` is one sentence, ``str()`` adds any detail (log tail)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(f"{message}\n{detail}" if detail else message)
        self.message = message


class PostgresBinariesMissing(PostgresLauncherError):
    """initdb/pg_ctl are not installed: tests may skip on a developer machine, never in CI."""


def server_binaries(root: Path = DEBIAN_POSTGRES_ROOT) -> Path:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` that has initdb and pg_ctl."""
    candidates = [
        initdb.parent
        for initdb in root.glob("*/bin/initdb")
        if initdb.parts[-3].isdigit() and (initdb.parent / "pg_ctl").is_file()
    ]
    if not candidates:
        raise PostgresBinariesMissing(
            f"PostgreSQL's server binaries (initdb, pg_ctl) are missing under {root}; run "
            "deploy/local/ensure-postgres.sh (or make test)."
        )
    return max(candidates, key=lambda bin_dir: int(bin_dir.parts[-2]))


def with_database(url: str, database: str) -> str:
    """The same server's URL for another database, as an SQLAlchemy asyncpg URL."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql+asyncpg", parts.netloc, f"/{database}", parts.query, ""))


def asyncpg_dsn(url: str) -> str:
    """asyncpg wants ``postgresql://``; SQLAlchemy URLs say ``postgresql+asyncpg://``."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def quote_identifier(name: str) -> str:
    """Database names are interpolated into DDL: accept plain identifiers only."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"unsafe database name {name!r}: use letters, digits and underscores")
    return f'"{name}"'


def run_coroutine(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion from sync code, even when the calling thread has a loop.

    It runs in a worker thread with a loop of its own, so pytest-asyncio's loop is left untouched.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=30)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class PostgresServer:
    """What tests need from a PostgreSQL server, however it was started."""

    def url(self, database: str) -> str:
        """SQLAlchemy async URL (``postgresql+asyncpg://...``) of a database on this server."""
        raise NotImplementedError

    @property
    def admin_url(self) -> str:
        """The URL used to create and drop databases."""
        return self.url(SUPERUSER)

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy async URL."""
        run_coroutine(_execute(self.admin_url, f"CREATE DATABASE {quote_identifier(name)}"))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database even if a test left connections open (PostgreSQL 13+)."""
        statement = f"DROP DATABASE IF EXISTS {quote_identifier(name)} WITH (FORCE)"
        run_coroutine(_execute(self.admin_url, statement))


class ExternalPostgres(PostgresServer):
    """A server someone else runs (``TEST_POSTGRES_URL``, a CI service); nothing to start or stop."""

    def __init__(self, url: str) -> None:
        self._url = url

    @property
    def admin_url(self) -> str:
        return self._url

    def url(self, database: str) -> str:
        return with_database(self._url, database)


class PostgresLauncher(PostgresServer):
    """One PostgreSQL cluster in a folder of its own under ``root``; ``stop()`` removes it.

    Tuned for throwaway data: fsync, full page writes and synchronous commit are off, unless ``durable``.
    A crash test needs ``durable``: with synchronous commit off the server acknowledges a commit before its
    WAL is written, so an immediate stop loses the last fraction of a second of acknowledged commits by
    design (the fault suite lost one incident that way before this option existed).
    """

    def __init__(
        self, root: Path = DEFAULT_ROOT, *, port: int = 0, bin_dir: Path | None = None, durable: bool = False
    ) -> None:
        self.bin = bin_dir or server_binaries()
        self.durable = durable
        self.root = root.resolve()
        self.port = port
        self.run_dir: Path | None = None
        self._as_postgres = os.geteuid() == 0

    @property
    def data_dir(self) -> Path:
        return self._require_run_dir() / "data"

    @property
    def log_file(self) -> Path:
        return self._require_run_dir() / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def start(self) -> None:
        """Create and start the cluster; on failure nothing is left running or on disk."""
        if self.run_dir is not None:
            raise PostgresLauncherError(f"This PostgreSQL cluster is already running on port {self.port}.")
        self.port = self.port or free_port()
        self.run_dir = self._make_run_dir()
        try:
            self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                      "--no-locale", "--no-sync")  # fmt: skip
            self._run("pg_ctl", "-D", str(self.data_dir), "-o", self._server_options(),
                      "-l", str(self.log_file), "-w", "-t", "60", "start")  # fmt: skip
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (fast: rolls back open transactions) and remove its folder."""
        run_dir, self.run_dir = self.run_dir, None
        if run_dir is None:
            return
        try:
            data_dir = run_dir / "data"
            if (data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(data_dir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)

    def restart(self, mode: str = "immediate") -> None:
        """Stop the server and start it again on the same data folder and port (the fault tests).

        ``immediate`` stops it as a crash would: no checkpoint, open connections cut, recovery from the
        WAL on start; ``fast`` is a clean shutdown.
        """
        self.halt(mode)
        self.resume()

    def halt(self, mode: str = "immediate") -> None:
        """Stop the server and keep its data folder, for ``resume()``: the database is away meanwhile."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def resume(self) -> None:
        """Start the server again on the data folder and port ``halt()`` left."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", self._server_options(),
                  "-l", str(self.log_file), "-w", "-t", "60", "start")  # fmt: skip

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _make_run_dir(self) -> Path:
        """A fresh folder with a short name: the Unix socket path inside must stay under 108 bytes."""
        self.root.mkdir(parents=True, exist_ok=True)
        run_dir = Path(tempfile.mkdtemp(prefix="cluster-", dir=self.root))
        if self._as_postgres:
            _make_traversable(run_dir)
            shutil.chown(run_dir, SUPERUSER, SUPERUSER)
        return run_dir

    def _server_options(self) -> str:
        speed = "" if self.durable else "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
        return (
            f"-p {self.port} -k {self._require_run_dir()} -c listen_addresses={HOST} {speed}"
            "-c max_connections=200"
        )

    def _run(self, program: str, *args: str) -> None:
        """Run a server binary, as the postgres user when we are root (initdb refuses root)."""
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
            if self.run_dir is not None:
                # Again each time: a pytest session started meanwhile makes its base folder private again.
                _make_traversable(self.run_dir)
        result = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=120)
        if result.returncode != 0:
            output = (result.stderr.strip() or result.stdout.strip()).splitlines() or ["no output"]
            log = tail(self.log_file) if self.run_dir else ""
            message = f"{program} failed with exit code {result.returncode}: {output[-1]}"
            raise PostgresLauncherError(message, log)

    def _require_run_dir(self) -> Path:
        if self.run_dir is None:
            raise PostgresLauncherError("The PostgreSQL cluster is not running; start it first.")
        return self.run_dir


def _make_traversable(folder: Path) -> None:
    """The postgres user must reach its data folder through ours (a private home would stop it)."""
    for parent in [folder.parent, *folder.parent.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)
