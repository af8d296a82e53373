"""What the alert link's page says, without I/O: the state a link is in, from the incidents service's
answer to the preview (``GET``) or to the use (``POST``), and where signing in takes the person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

SHOWN_STATES = ("valid", "used", "expired")
GONE_RULES = {"link_used": "used", "link_expired": "expired"}


def previewed_state(preview: Mapping[str, Any]) -> str:
    """The preview's own state (valid, used, expired); anything else is no link of ours."""
    state = preview.get("state")
    return state if state in SHOWN_STATES else "unknown"


def refused_state(status: int, rule: str | None) -> str:
    """A refused preview or use: 410 says used or expired (by its rule), 404 and 422 are no link of
    ours, and 403 (the person no longer acts for the incident) or 409 (no longer waiting) are said in
    the service's words."""
    if status == 410:
        return GONE_RULES.get(rule or "", "used")
    if status in (404, 422):
        return "unknown"
    return "refused"


def sign_in_path(incident_id: object) -> str:
    """Sign in, then the incident's own page when the link named one."""
    if isinstance(incident_id, str) and incident_id:
        return "/sign-in?next=" + quote(f"/incidents/{incident_id}", safe="")
    return "/sign-in"


def act_cookie_path(token: str) -> str:
    """The link's own page: one CSRF cookie per link, so two links open at once do not undo each other."""
    return f"/act/{quote(token, safe='')}"
