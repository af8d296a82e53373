"""The pages open on this console instance, each with a queue of the changes that concern its person."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from services.console.live.domain import Change, concerns
from services.console.signin.domain import Scope
from shared.auth import Role

QUEUE_SIZE = 100


@dataclass(eq=False)
class Listener:
    role: Role
    scope: Scope
    queue: asyncio.Queue[Change | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


class LiveHub:
    def __init__(self) -> None:
        self._listeners: set[Listener] = set()
        self.closed = False

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def publish(self, change: Change) -> None:
        for listener in list(self._listeners):
            if concerns(change, listener.role, listener.scope):
                if listener.queue.full():
                    continue  # a page that stopped reading has its nudge already waiting
                listener.queue.put_nowait(change)

    async def listen(self, role: Role, scope: Scope, *, heartbeat_s: float) -> AsyncIterator[Change | None]:
        """Yields each change that concerns the person, and ``None`` every ``heartbeat_s`` of quiet."""
        listener = Listener(role, scope)
        self._listeners.add(listener)
        try:
            while not self.closed:
                try:
                    change = await asyncio.wait_for(listener.queue.get(), timeout=heartbeat_s)
                except TimeoutError:
                    yield None
                    continue
                if change is None:
                    return
                yield change
        finally:
            self._listeners.discard(listener)

    def close(self) -> None:
        """Ends every open stream (the server is stopping)."""
        self.closed = True
        for listener in list(self._listeners):
            try:
                listener.queue.put_nowait(None)
            except asyncio.QueueFull:
                listener.queue.get_nowait()
                listener.queue.put_nowait(None)
