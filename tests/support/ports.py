"""Ports for processes that bind them long after they are chosen (a stack that starts Keycloak or runs
migrations first): below the kernel's ephemeral range, where no outgoing connection takes one meanwhile."""

from __future__ import annotations

import random
from pathlib import Path

from deploy.local.kafka import port_is_free


def free_block(count: int) -> int:
    """The first of ``count`` consecutive free ports below the ephemeral range."""
    low, _high = (int(part) for part in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, max(20001, low - count))
        if all(port_is_free(first + n) for n in range(count)):
            return first
    raise AssertionError("no block of free ports below the ephemeral range")
