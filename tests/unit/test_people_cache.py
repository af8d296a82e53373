"""The person's scope kept between requests (``shared.auth.people_cache``): kept for its time, emptied when
the people change, bounded, and never keeping an answer read before a change; and the wiring that empties
it when a replica applies a staff state."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from shared.auth import Role
from shared.auth.authenticator import Authenticator
from shared.auth.identity import Identity
from shared.auth.people_cache import PEOPLE_CHANGED, CachedPeople
from shared.auth.scope import Membership, NotKnownToRegistry, PersonFacts
from shared.auth.tokens import TokenCodec
from shared.db import create_engine
from shared.db.wakeups import Wakeups


class Registry:
    """What a replica would answer, and how many times it was asked."""

    def __init__(self) -> None:
        self.people: dict[str, PersonFacts] = {}
        self.asked = 0
        self.gate: asyncio.Event | None = None

    async def lookup(self, identity: Identity) -> PersonFacts | None:
        self.asked += 1
        found = self.people.get(identity.staff_code or "")  # read now, answered when the gate opens
        if self.gate is not None:
            await self.gate.wait()
        return found


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def leader(code: str, cluster_no: int) -> PersonFacts:
    return PersonFacts(
        staff_code=code,
        full_name=f"Cán bộ {code}",
        roles=frozenset({"department_official"}),
        memberships=(Membership(cluster_no, "leader", date(2025, 7, 1)),),
    )


def who(code: str) -> Identity:
    return Identity(subject=f"sub-{code}", roles=frozenset({Role.CLUSTER_LEADER}), staff_code=code)


async def test_an_answer_is_kept_for_its_time_and_read_again_after() -> None:
    registry, clock = Registry(), Clock()
    registry.people["L1"] = leader("L1", 1)
    people = CachedPeople(registry.lookup, ttl_s=5, clock=clock)
    assert await people(who("L1")) == leader("L1", 1)
    clock.now += 4.9
    registry.people["L1"] = leader("L1", 2)
    assert (await people(who("L1"))) == leader("L1", 1)
    assert registry.asked == 1
    clock.now += 0.2
    assert (await people(who("L1"))) == leader("L1", 2)
    assert registry.asked == 2


async def test_nobody_is_kept_too_and_a_change_empties_everything() -> None:
    registry, clock = Registry(), Clock()
    people = CachedPeople(registry.lookup, ttl_s=60, clock=clock)
    assert await people(who("NEW")) is None
    registry.people["NEW"] = leader("NEW", 3)
    assert await people(who("NEW")) is None  # within the time, the answer stands...
    people.clear()  # ...until the people change
    assert await people(who("NEW")) == leader("NEW", 3)
    assert registry.asked == 2


async def test_an_answer_read_before_a_change_is_not_kept() -> None:
    registry = Registry()
    registry.people["L1"] = leader("L1", 1)
    registry.gate = asyncio.Event()
    people = CachedPeople(registry.lookup, ttl_s=60)
    reading = asyncio.create_task(people(who("L1")))
    await asyncio.sleep(0)
    registry.people["L1"] = leader("L1", 4)
    people.clear()  # the change commits while the old state is being read
    registry.gate.set()
    assert await reading == leader("L1", 1)
    registry.gate = None
    assert await people(who("L1")) == leader("L1", 4)
    assert len(people) == 1


async def test_the_least_recently_used_go_first_beyond_the_bound() -> None:
    registry = Registry()
    for n in range(4):
        registry.people[f"P{n}"] = leader(f"P{n}", 1)
    people = CachedPeople(registry.lookup, ttl_s=60, max_entries=3)
    for n in range(3):
        await people(who(f"P{n}"))
    await people(who("P0"))  # P0 used again: P1 is now the oldest
    await people(who("P3"))
    assert len(people) == 3
    asked = registry.asked
    await people(who("P0"))
    await people(who("P2"))
    await people(who("P3"))
    assert registry.asked == asked
    await people(who("P1"))
    assert registry.asked == asked + 1


async def test_no_time_means_every_request_reads() -> None:
    registry = Registry()
    people = CachedPeople(registry.lookup, ttl_s=0)
    await people(who("X"))
    await people(who("X"))
    assert registry.asked == 2
    assert len(people) == 0
    with pytest.raises(ValueError, match="ttl_s"):
        CachedPeople(registry.lookup, ttl_s=-1)


async def test_the_wake_up_of_a_committed_staff_change_takes_access_away_at_once() -> None:
    """As wired by ``create_service_app``: the authenticator asks the cache, a replica's commit of a
    staff state wakes ``PEOPLE_CHANGED``, and the next request sees the registry's new answer."""
    registry = Registry()
    registry.people["L1"] = leader("L1", 1)
    people = CachedPeople(registry.lookup, ttl_s=300)
    codec = TokenCodec(secret="s" * 32, algorithm="HS256", issuer="i", audience="a")
    authenticator = Authenticator(oidc=None, shared_secret=codec, people=people)
    wakeups = Wakeups(create_engine("sqlite+aiosqlite://"))  # SQLite: the in-process wake-up only
    wakeups.on(PEOPLE_CHANGED, people.clear)
    principal = await authenticator.principal_for(who("L1"))
    assert principal.cluster_no == 1
    del registry.people["L1"]
    assert (await authenticator.principal_for(who("L1"))).cluster_no == 1  # kept
    wakeups.wake([PEOPLE_CHANGED])
    with pytest.raises(NotKnownToRegistry):
        await authenticator.principal_for(who("L1"))
