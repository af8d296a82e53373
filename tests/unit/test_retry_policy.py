"""Retry delays grow, stay bounded and are jittered."""

from shared.messaging import RetryPolicy


def test_delays_grow_exponentially_within_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=5.0)
    for attempt, ceiling in [(1, 0.2), (2, 0.4), (3, 0.8), (6, 5.0), (8, 5.0)]:
        delays = {policy.delay_before(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(delays) > 1  # jittered, so replicas do not retry in lockstep
