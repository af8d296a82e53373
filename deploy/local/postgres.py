"""A throwaway PostgreSQL cluster for tests, from Debian's server binaries, on a free loopback port.

Why: the production path runs on PostgreSQL, and its locking (the outbox relay's advisory lock, row
locks, transaction isolation) must be proven on the real server, not assumed from SQLite. initdb refuses
to run as root, so as root the cluster belongs to the ``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

from deploy.local.kafka import REPO_ROOT, free_port

DEFAULT_ROOT = REPO_ROOT / ".cache" / "pg"


class PostgresLauncherError(RuntimeError):
    pass


def server_binaries() -> Path:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` that has initdb and pg_ctl."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]), reverse=True
    )
    if not candidates:
        raise PostgresLauncherError(
            "PostgreSQL's server binaries are missing; run deploy/local/ensure-postgres.sh (or make test)."
        )
    return candidates[0].parent


class PostgresLauncher:
    """One PostgreSQL cluster in a folder of its own; ``stop()`` removes it."""

    def __init__(self, root: Path = DEFAULT_ROOT, *, port: int = 0) -> None:
        self.bin = server_binaries()
        self.data_dir = root / f"cluster-{uuid.uuid4().hex[:8]}"
        self.port = port
        self._as_postgres = os.geteuid() == 0

    def start(self) -> None:
        self.port = self.port or free_port()
        self.data_dir.mkdir(parents=True)
        if self._as_postgres:
            _make_traversable(self.data_dir)
            shutil.chown(self.data_dir, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"
        )
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.data_dir / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy async URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"unsafe database name {name!r}")
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
            capture_output=True,
        )
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            raise PostgresLauncherError(f"{program} failed: {result.stderr.strip() or result.stdout.strip()}")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _make_traversable(folder: Path) -> None:
    """The postgres user must reach its data folder through ours (a private home would stop it)."""
    for parent in [folder.parent, *folder.parent.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)
