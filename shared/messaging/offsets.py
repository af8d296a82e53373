"""Commits consumer offsets in the background, only ever for messages that were fully dealt with.

A commit is a broker round trip that costs more than applying an event, and committing after every
message made it the consumer's bottleneck. Instead, the consumer marks each message done once its
transaction committed (or it was parked in the dead-letter topic), and this committer sends the marked
offsets every ``interval_s``, and once more when the service stops. It never commits past a message that
is not done; what a crash leaves uncommitted is redelivered, and the inbox drops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)


class OffsetCommitter:
    def __init__(self, interval_s: float = 0.1) -> None:
        self._interval_s = interval_s
        self._done: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._consumer: Any = None
        self._task: asyncio.Task[None] | None = None

    def mark_done(self, consumer: Any, record: Any) -> None:
        """The record and everything before it in its partition is dealt with."""
        self._consumer = consumer
        self._done[TopicPartition(record.topic, record.partition)] = record.offset + 1
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="offset-committer")

    async def flush(self) -> None:
        """Commit what is done and not yet committed, for the partitions this member still owns."""
        consumer = self._consumer
        if consumer is None:
            return
        owned = consumer.assignment()
        pending = {tp: offset for tp, offset in self._done.items() if self._committed.get(tp) != offset}
        # A partition taken away by a rebalance is the new owner's to commit now.
        for tp in [tp for tp in pending if tp not in owned]:
            del pending[tp], self._done[tp]
        if pending:
            await consumer.commit(pending)
            self._committed.update(pending)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._flush_quietly()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            await self._flush_quietly()

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except KafkaError as exc:  # a rebalance or a broker hiccup: the next flush tries again
            log.info("offset commit deferred", extra={"reason": f"{type(exc).__name__}: {exc}"})
