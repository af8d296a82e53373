"""The unit of work on both databases: the change and its outbox row commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.messaging import MESSAGING_METADATA, OutboxMessage
from tests.support.probe import PROBE_METADATA, ProbeReceipt, ProbeV1

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_commit_writes_the_change_and_the_event_and_wakes_the_relay(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("uow"))
    await create_schema(engine, MESSAGING_METADATA, PROBE_METADATA)
    wakes: list[bool] = []
    sessions = session_factory(engine)
    try:
        async with UnitOfWork(sessions, source="/tests", on_commit=lambda: wakes.append(True)) as uow:
            uow.session.add(ProbeReceipt(event_id="x", key="k", seq=1, partition=0))
            event_id = uow.record(ProbeV1(key="k", seq=1))
            await uow.commit()
        async with UnitOfWork(sessions, source="/tests", on_commit=lambda: wakes.append(True)) as uow:
            uow.session.add(ProbeReceipt(event_id="y", key="k", seq=2, partition=0))
            uow.record(ProbeV1(key="k", seq=2))  # left without commit: rolled back
        with pytest.raises(RuntimeError, match="boom"):
            await _record_then_fail(UnitOfWork(sessions, source="/tests"))

        async with sessions() as session:
            rows = (await session.exec(select(OutboxMessage))).all()
            changes = (await session.exec(select(ProbeReceipt))).all()
        assert [row.event_id for row in rows] == [event_id]
        assert [change.event_id for change in changes] == ["x"]
        assert wakes == [True]
        row = rows[0]
        assert (row.topic, row.message_key, row.subject, row.source) == (
            "testsuite.probes",
            "k",
            "probe/k",
            "/tests",
        )
        assert row.published_at is None
        assert row.occurred_at.tzinfo is UTC
        assert row.occurred_at <= datetime.now(UTC)
    finally:
        await engine.dispose()


async def _record_then_fail(uow: UnitOfWork) -> None:
    async with uow:
        uow.record(ProbeV1(key="k", seq=3))
        raise RuntimeError("boom")


async def test_rows_handed_to_insert_are_written_at_the_commit_in_order_or_not_at_all(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("uow_insert"))
    await create_schema(engine, MESSAGING_METADATA, PROBE_METADATA)
    sessions = session_factory(engine)
    try:
        async with UnitOfWork(sessions, source="/tests") as uow:
            for seq in (3, 1, 2):
                uow.insert(ProbeReceipt(event_id=f"e{seq}", key="k", seq=seq, partition=0))
            uow.record(ProbeV1(key="k", seq=3))
            before = (await uow.session.exec(select(ProbeReceipt))).all()
            await uow.commit()
        assert before == []  # nothing is written before the commit
        async with UnitOfWork(sessions, source="/tests") as uow:
            uow.record(ProbeV1(key="k", seq=4))
            uow.insert(ProbeReceipt(id=100, event_id="e4", key="k", seq=4, partition=0))
            uow.insert(ProbeReceipt(id=1, event_id="e5", key="k", seq=5, partition=0))  # id 1 is taken
            with pytest.raises(IntegrityError):
                await uow.commit()
        async with UnitOfWork(sessions, source="/tests") as uow:
            uow.insert(ProbeReceipt(event_id="e9", key="k", seq=9, partition=0))  # never committed
        async with sessions() as session:
            receipts = (await session.exec(select(ProbeReceipt).order_by(col(ProbeReceipt.id)))).all()
            outbox = (await session.exec(select(OutboxMessage))).all()
        assert [(receipt.event_id, receipt.seq) for receipt in receipts] == [("e3", 3), ("e1", 1), ("e2", 2)]
        assert len(outbox) == 1  # the failed commit's event went with it
    finally:
        await engine.dispose()
