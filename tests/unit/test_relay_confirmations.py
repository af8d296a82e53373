"""The relay marks only what the broker confirmed, in order (``confirmed_prefix``): every row up to the
first failure, none after it, even when later ones were confirmed first."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from shared.messaging.outbox_relay import confirmed_prefix

pytestmark = pytest.mark.asyncio


def futures(count: int) -> list[asyncio.Future[Any]]:
    loop = asyncio.get_running_loop()
    return [loop.create_future() for _ in range(count)]


async def test_every_confirmation_in_any_order_counts_them_all() -> None:
    sent = futures(4)
    waiting = asyncio.create_task(confirmed_prefix(sent))
    for future in reversed(sent):  # the broker may answer partitions in any order
        future.set_result(None)
        await asyncio.sleep(0)
    assert await waiting == (4, None)


async def test_a_failure_ends_the_prefix_even_if_later_rows_were_confirmed() -> None:
    sent = futures(5)
    failure = ConnectionError("leader gone")
    sent[3].set_result(None)
    sent[4].set_result(None)
    waiting = asyncio.create_task(confirmed_prefix(sent))
    sent[0].set_result(None)
    sent[1].set_result(None)
    sent[2].set_exception(failure)
    assert await waiting == (2, failure)


async def test_the_futures_after_a_failure_are_not_reported_as_never_retrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent = futures(3)
    sent[0].set_exception(TimeoutError("no answer"))
    assert (await confirmed_prefix(sent))[0] == 0
    sent[1].set_exception(TimeoutError("no answer either"))  # ends after the relay stopped waiting
    sent[2].set_result(None)
    await asyncio.sleep(0)
    del sent
    gc.collect()
    assert "never retrieved" not in caplog.text


async def test_nothing_sent_is_nothing_confirmed() -> None:
    assert await confirmed_prefix([]) == (0, None)
