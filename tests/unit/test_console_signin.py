"""The console's sign-in rules without a browser: a callback belongs to the browser that started it."""

from __future__ import annotations

from services.console.signin.domain import csrf_matches, state_digest, state_is_this_browsers


def test_a_callback_is_accepted_only_with_the_cookie_of_its_own_sign_in() -> None:
    mine, theirs = "state-of-this-browser", "state-of-another-browser"
    assert state_is_this_browsers(state_digest(mine), mine)
    assert not state_is_this_browsers(None, mine)  # no sign-in started here
    assert not state_is_this_browsers("", mine)
    assert not state_is_this_browsers(state_digest(theirs), mine)  # another sign-in's cookie
    assert not state_is_this_browsers(mine, mine)  # the cookie holds the hash, not the state
    assert not state_is_this_browsers(state_digest(""), "")


def test_a_csrf_token_must_be_sent_and_equal() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches(None, "abc")
    assert not csrf_matches("", "abc")
    assert not csrf_matches("abd", "abc")
