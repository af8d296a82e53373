"""``/act/{token}``: the page an alert's link opens. GET only shows what the link would do (mail scanners
fetch links), with one button; the POST acts, once."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from services.console.gateway.adapters import ServiceRefused
from services.console.layout.api import refusal_text, render
from services.console.links import adapters
from services.console.signin.api import parts_of

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "act_csrf"


def _state_of(preview: dict[str, object]) -> str:
    state = preview.get("state")
    return state if state in ("valid", "used", "expired") else "valid"


@router.get("/act/{token}")
async def preview(request: Request, token: str) -> HTMLResponse:
    services = parts_of(request).services
    try:
        found = await adapters.preview(services, token)
    except ServiceRefused as refused:
        state = {410: "expired", 404: "unknown", 403: "unknown"}.get(refused.status, "unknown")
        return render(request, "act.html", None, state=state, preview=None, message=None)
    csrf = secrets.token_urlsafe(24)
    response = render(
        request, "act.html", None, state=_state_of(found), preview=found, csrf=csrf, message=None
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", max_age=3600, path="/act")
    return response


@router.post("/act/{token}")
async def act(request: Request, token: str, csrf: Annotated[str, Form(max_length=100)] = "") -> HTMLResponse:
    sent = request.cookies.get(CSRF_COOKIE, "")
    if not csrf or not sent or not hmac.compare_digest(csrf, sent):
        return render(request, "act.html", None, state="stale", preview=None, message=None, status_code=403)
    services = parts_of(request).services
    try:
        done = await adapters.act(services, token)
    except ServiceRefused as refused:
        state = {410: "used_or_expired", 404: "unknown"}.get(refused.status, "refused")
        return render(
            request, "act.html", None, state=state, preview=None, message=refusal_text(request, refused)
        )
    return render(
        request,
        "act.html",
        None,
        state="done",
        preview=done if isinstance(done, dict) else None,
        message=None,
    )
