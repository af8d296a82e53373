"""Wait for a condition with a deadline instead of sleeping a guessed amount of time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_for(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    within: float = 30.0,
    interval: float = 0.05,
    message: str = "condition",
) -> T:
    """Call ``probe`` until ``until(result)`` holds; fail with the last result when time runs out."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {message}; last value: {result!r}")
        await asyncio.sleep(interval)
