"""The replica's rule: never step back to an older state."""

from services.notifications.replica.domain import is_newer


def test_only_newer_states_are_applied() -> None:
    assert is_newer(1, None)
    assert is_newer(3, 2)
    assert not is_newer(2, 2)
    assert not is_newer(1, 2)
