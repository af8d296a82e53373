"""Wake-ups on commit: a job waiting for work is woken by the commit that planned it, and on PostgreSQL
so is every other instance on the database; a rolled-back unit of work wakes nobody."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.db.wakeups import Wakeups
from shared.messaging import MESSAGING_METADATA
from tests.support.probe import ProbeV1
from tests.support.waiting import wait_for

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_commit_wakes_its_signal_here_and_a_rollback_wakes_nothing(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("wakeups"))
    await create_schema(engine, MESSAGING_METADATA)
    wakeups = Wakeups(engine)
    heard: list[str] = []
    wakeups.on("planned", lambda: heard.append("planned"))
    wakeups.on("other", lambda: heard.append("other"))
    sessions = session_factory(engine)
    try:
        async with UnitOfWork(sessions, source="/tests", wakeups=wakeups) as uow:
            uow.record(ProbeV1(key="k", seq=1))
            uow.wake_after_commit("other")
            await uow.rollback()
            uow.record(ProbeV1(key="k", seq=2))
            uow.wake_after_commit("planned")
            await uow.commit()
        async with UnitOfWork(sessions, source="/tests", wakeups=wakeups) as uow:
            uow.wake_after_commit("other")  # left without commit: rolled back
        assert heard == ["planned"]
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_on_postgresql_a_commit_wakes_the_other_instances_only_once_it_commits(
    postgres_database_url: str,
) -> None:
    engines = [create_engine(postgres_database_url) for _ in range(2)]
    await create_schema(engines[0], MESSAGING_METADATA)
    sender, listener = (Wakeups(engine) for engine in engines)
    heard: list[str] = []
    for signal in ("never", "planned"):
        listener.on(signal, lambda signal=signal: heard.append(signal))  # type: ignore[misc]
    await listener.start()
    try:
        sessions = session_factory(engines[0])
        async with UnitOfWork(sessions, source="/tests", wakeups=sender) as uow:
            uow.record(ProbeV1(key="k", seq=1))
            await uow.session.flush()
            await sender.notify_on_commit(uow.session, ["never"])  # the transaction never commits
        async with UnitOfWork(sessions, source="/tests", wakeups=sender) as uow:
            uow.record(ProbeV1(key="k", seq=2))
            uow.wake_after_commit("planned")
            await uow.commit()
        await wait_for(lambda: asyncio.sleep(0, heard), until=lambda h: "planned" in h, message="NOTIFY")
        assert heard == ["planned"]
    finally:
        await listener.stop()
        for engine in engines:
            await engine.dispose()
