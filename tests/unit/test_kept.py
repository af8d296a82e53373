"""Data kept once per process (``shared.db.kept``): kept for its time, read again once cleared, never
keeping an answer read before a change, and read every time with no time to keep it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import pytest

from shared.db import UnitOfWork, create_engine
from shared.db.kept import Kept
from shared.db.wakeups import Wakeups

pytestmark = pytest.mark.asyncio

UOW = cast(UnitOfWork, object())  # the loader below reads nothing from it
CHANGED = "test.catalog-changed"


class Catalog:
    def __init__(self) -> None:
        self.version = 1
        self.reads = 0
        self.gate: asyncio.Event | None = None
        self.reading = asyncio.Event()
        self.now = 100.0

    async def load(self, _uow: Any) -> int:
        self.reads += 1
        self.reading.set()
        version = self.version  # read now, answered when the gate opens
        if self.gate is not None:
            await self.gate.wait()
        return version


async def test_kept_for_its_time_then_read_again() -> None:
    catalog = Catalog()
    kept = Kept(catalog.load, changed_on=CHANGED, ttl_s=30, clock=lambda: catalog.now)
    assert [await kept.get(UOW) for _ in range(3)] == [1, 1, 1]
    assert catalog.reads == 1
    catalog.version, catalog.now = 2, 129.9
    assert await kept.get(UOW) == 1
    catalog.now = 130.0
    assert await kept.get(UOW) == 2 and catalog.reads == 2


async def test_a_change_is_read_at_once_after_clear() -> None:
    catalog = Catalog()
    kept = Kept(catalog.load, changed_on=CHANGED, ttl_s=30, clock=lambda: catalog.now)
    assert await kept.get(UOW) == 1
    catalog.version = 2
    kept.clear()
    assert await kept.get(UOW) == 2 and catalog.reads == 2


async def test_its_signal_clears_it_and_no_other_does(tmp_path: Path) -> None:
    catalog = Catalog()
    kept = Kept(catalog.load, changed_on=CHANGED, ttl_s=30, clock=lambda: catalog.now)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'kept.db'}")
    try:
        wakeups = Wakeups(engine)
        kept.listen(wakeups)
        assert await kept.get(UOW) == 1
        catalog.version = 2
        wakeups.wake(["test.something-else"])
        assert await kept.get(UOW) == 1
        wakeups.wake([CHANGED])
        assert await kept.get(UOW) == 2
    finally:
        await engine.dispose()


async def test_a_read_from_before_a_change_is_not_kept() -> None:
    catalog = Catalog()
    kept = Kept(catalog.load, changed_on=CHANGED, ttl_s=30, clock=lambda: catalog.now)
    catalog.gate = asyncio.Event()
    early = asyncio.create_task(kept.get(UOW))
    await asyncio.wait_for(catalog.reading.wait(), timeout=5)
    catalog.version = 2
    kept.clear()  # the change commits while the early read is still under way
    catalog.gate.set()
    assert await early == 1  # that request saw the old catalog...
    assert await kept.get(UOW) == 2  # ...but the next one reads the new
    assert catalog.reads == 2


async def test_no_time_to_keep_reads_every_time() -> None:
    catalog = Catalog()
    kept = Kept(catalog.load, changed_on=CHANGED, ttl_s=0)
    assert [await kept.get(UOW) for _ in range(3)] == [1, 1, 1] and catalog.reads == 3
    with pytest.raises(ValueError, match="ttl_s"):
        Kept(catalog.load, changed_on=CHANGED, ttl_s=-1)
