"""The background-job runner: a wake-up that comes while a pass runs is not lost."""

from __future__ import annotations

import asyncio

import pytest

from shared.jobs import PeriodicJob

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_wake_up_during_a_pass_runs_another_pass_without_waiting_for_the_interval() -> None:
    passes: list[int] = []
    first_pass_running = asyncio.Event()
    let_first_pass_end = asyncio.Event()
    second_pass = asyncio.Event()

    async def tick() -> bool:
        passes.append(len(passes) + 1)
        if len(passes) == 1:
            first_pass_running.set()
            await let_first_pass_end.wait()
        else:
            second_pass.set()
        return False

    job = PeriodicJob("probe", tick, interval_s=3600)  # only a wake-up can bring a second pass
    job.start()
    try:
        await asyncio.wait_for(first_pass_running.wait(), 10)
        job.wake()  # work was planned while the pass was busy with older work
        let_first_pass_end.set()
        await asyncio.wait_for(second_pass.wait(), 10)
    finally:
        await job.stop()
    assert passes[:2] == [1, 2]
