"""The rules of a console session: where a person may be sent back to, when a session is over, what the
cookie holds."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from shared.auth import Role

COOKIE = "console_session"
STATE_COOKIE = "console_sign_in"
"""Binds a sign-in under way to the browser that started it (login CSRF): the hash of its OAuth state."""
STATE_COOKIE_PATH = "/auth/callback"
REFRESH_MARGIN = timedelta(seconds=30)
"""An access token this close to its end is refreshed before it is used."""


def session_key(cookie_value: str) -> str:
    """The row's key: a leaked database does not hand out live cookies."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def state_digest(state: str) -> str:
    """What the sign-in cookie holds: the state's hash (the state itself travels in the URL)."""
    return hashlib.sha256(state.encode()).hexdigest()


def state_is_this_browsers(cookie_value: str | None, state: str) -> bool:
    """The callback's state is the one this browser was given at /sign-in; else another browser's sign-in
    (an attacker's code, to sign the victim in as the attacker) or a lost cookie."""
    return bool(cookie_value) and bool(state) and hmac.compare_digest(cookie_value or "", state_digest(state))


def csrf_matches(sent: str | None, expected: str) -> bool:
    return bool(sent) and hmac.compare_digest(sent or "", expected)


def safe_return_path(candidate: str | None) -> str:
    """Only a path of this console: never another host (an open redirect), never the sign-in itself."""
    if not candidate:
        return "/"
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not candidate.startswith("/") or candidate.startswith("//"):
        return "/"
    if parts.path.startswith(("/sign-in", "/auth/", "/sign-out", "/live")) or "\\" in candidate:
        return "/"
    return candidate[:2000]


def is_idle(last_seen_at: datetime, now: datetime, idle: timedelta) -> bool:
    return now - last_seen_at > idle


def needs_refresh(access_expires_at: datetime, now: datetime) -> bool:
    return access_expires_at - now <= REFRESH_MARGIN


def can_refresh(refresh_expires_at: datetime | None, now: datetime, has_token: bool) -> bool:
    return has_token and (refresh_expires_at is None or refresh_expires_at - now > REFRESH_MARGIN)


CONSOLE_ROLES = (
    Role.DEPARTMENT_ADMIN,
    Role.DEPARTMENT_OFFICER,
    Role.CLUSTER_LEADER,
    Role.CLUSTER_MEMBER,
    Role.SCHOOL_PRINCIPAL,
    Role.COMMUNE_OFFICER,
)
"""The people who work in the console, strongest first (a person with two roles acts as the first)."""


def console_role(roles: frozenset[Role]) -> Role | None:
    return next((role for role in CONSOLE_ROLES if role in roles), None)


@dataclass(frozen=True)
class Scope:
    """What a person acts for, as the registry's answers to them say (the APIs enforce it; the console
    uses it to name the page and to choose which live changes concern them)."""

    cluster_no: int | None = None
    school_code: str | None = None
    school_name: str | None = None
    commune_code: str | None = None


def officer_commune(staff: object) -> str | None:
    """The commune a commune officer's registry record names, if it is a commune officer's record."""
    if not isinstance(staff, dict) or "commune_officer" not in (staff.get("roles") or ()):
        return None
    if staff.get("active") is False:
        return None
    code = staff.get("commune_code")
    return code if isinstance(code, str) and code else None
