"""Wake-ups on commit: a unit of work that planned work for a background job wakes that job once it
commits, in this process at once and, on PostgreSQL, in every other instance on the same database.

A job (``shared.jobs.PeriodicJob``) names the signals that wake it; a use case that planned such work
calls ``uow.wake_after_commit(signal)``. The local wake-up is a function call after the commit. Across
instances it is PostgreSQL's NOTIFY, issued inside the transaction so that it is delivered only if the
transaction commits, and heard by each instance on one LISTEN connection. The job's own interval stays
as the fallback (a lost connection, retries that come due), so a missed wake-up delays work, never loses
it. SQLite is single-process: there the local call is all there is.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)

CHANNEL = "edu_clusters_wakeups"


class Wakeups:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        self._connection: AsyncConnection | None = None
        self._driver: Any = None

    @property
    def shared_by_instances(self) -> bool:
        """Whether other processes may share the database (and so need to hear of the work)."""
        return self._engine.dialect.name == "postgresql"

    def on(self, signal: str, callback: Callable[[], None]) -> None:
        self._listeners.setdefault(signal, []).append(callback)

    def wake(self, signals: Iterable[str]) -> None:
        """Run the callbacks of ``signals`` in this process."""
        for signal in signals:
            for callback in self._listeners.get(signal, ()):
                callback()

    async def notify_on_commit(self, session: AsyncSession, signals: Iterable[str]) -> None:
        """Inside the transaction: tell the other instances once (and only if) it commits."""
        if self.shared_by_instances:
            connection = await session.connection()
            for signal in sorted(set(signals)):
                await connection.execute(
                    text("SELECT pg_notify(:channel, :signal)"), {"channel": CHANNEL, "signal": signal}
                )

    async def start(self) -> None:
        """On PostgreSQL, listen for the other instances' wake-ups (if anything here wants them)."""
        if not self.shared_by_instances or not self._listeners or self._connection is not None:
            return
        connection = await self._engine.connect()
        try:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.add_listener(CHANNEL, self._heard)
        except BaseException:
            await connection.close()
            raise
        self._connection, self._driver = connection, driver

    async def stop(self) -> None:
        connection, driver, self._connection, self._driver = self._connection, self._driver, None, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            await driver.remove_listener(CHANNEL, self._heard)
        try:
            await connection.close()
        except Exception:
            log.warning("closing the wake-up listener failed", exc_info=True)

    def _heard(self, _connection: Any, _pid: int, _channel: str, signal: str) -> None:
        self.wake([signal])
