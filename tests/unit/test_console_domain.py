"""The console's plain rules: where a person may be sent back to, which live changes concern whom, times
in Vietnam's time and refusals in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.console.live.domain import Change, concerns, message
from services.console.signin.domain import Scope, can_refresh, console_role, needs_refresh, safe_return_path
from services.console.wording.domain import refusal_words, text, vietnam_time
from shared.auth import Role


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/cluster", "/cluster"),
        ("/registry/schools?q=mau", "/registry/schools?q=mau"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("/sign-in?next=/x", "/"),
        ("/live", "/"),
        (None, "/"),
        ("relative", "/"),
    ],
)
def test_a_person_is_sent_back_only_to_a_page_of_the_console(asked: str | None, sent_to: str) -> None:
    assert safe_return_path(asked) == sent_to


def test_tokens_are_refreshed_before_they_end_while_the_refresh_token_lives() -> None:
    now = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)
    assert needs_refresh(now + timedelta(seconds=10), now)
    assert not needs_refresh(now + timedelta(minutes=4), now)
    assert can_refresh(None, now, has_token=True)
    assert not can_refresh(now + timedelta(seconds=5), now, has_token=True)
    assert not can_refresh(None, now, has_token=False)


def test_a_person_with_two_roles_acts_as_the_stronger() -> None:
    assert console_role(frozenset({Role.CLUSTER_MEMBER, Role.DEPARTMENT_OFFICER})) is Role.DEPARTMENT_OFFICER
    assert console_role(frozenset({Role.INTEGRATION_CLIENT})) is None


def test_live_changes_reach_only_the_pages_whose_person_they_concern() -> None:
    change = Change(cluster_no=1, school_code="MAU-DEMO-01", commune_code="16813")
    assert concerns(change, Role.DEPARTMENT_OFFICER, Scope())
    assert concerns(change, Role.CLUSTER_LEADER, Scope(cluster_no=1))
    assert not concerns(change, Role.CLUSTER_MEMBER, Scope(cluster_no=2))
    assert not concerns(change, Role.CLUSTER_MEMBER, Scope())
    assert concerns(change, Role.SCHOOL_PRINCIPAL, Scope(school_code="MAU-DEMO-01"))
    assert not concerns(change, Role.SCHOOL_PRINCIPAL, Scope(school_code="OTHER"))
    assert concerns(change, Role.COMMUNE_OFFICER, Scope(commune_code="16813"))
    assert not concerns(Change(None, None, "17230"), Role.COMMUNE_OFFICER, Scope(commune_code="16813"))
    assert message(change) == "event: incidents\ndata: 1\n\n"  # no detail leaves the APIs' scope


def test_times_are_shown_in_vietnams_time_and_refusals_in_words() -> None:
    assert vietnam_time("2026-12-10T01:30:00Z") == "10/12/2026 08:30"
    assert vietnam_time(None) == ""
    assert vietnam_time("2026-12-10T01:30:00") == "10/12/2026 08:30"  # no zone: the services' UTC
    assert vietnam_time(datetime(2026, 12, 10, 1, 30)) == "10/12/2026 08:30"
    assert vietnam_time("hôm qua") == "hôm qua"  # not a time: shown as it came, not a 500
    assert refusal_words("vi", 409, "already acknowledged", None).startswith("Không thực hiện được vì")
    assert refusal_words("en", 422, "too long", "title") == "Some information is not valid (title): too long"
    assert text("en", "sign_in") == "Sign in" and text("vi", "sign_in") == "Đăng nhập"
