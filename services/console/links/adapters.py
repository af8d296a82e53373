"""The incidents service's action links (the one-click acknowledgement in an alert's email or SMS):
``GET /action-links/{token}`` previews, ``POST`` acts once (410 once used or expired). No bearer: the
signed link is the authority."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from services.console.gateway.adapters import Services


async def preview(services: Services, token: str) -> Any:
    return await services.get("incidents", f"/action-links/{quote(token, safe='')}", token=None)


async def act(services: Services, token: str) -> Any:
    return await services.call("incidents", "POST", f"/action-links/{quote(token, safe='')}", token=None)
