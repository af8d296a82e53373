"""``/act/{token}``: the page an alert's link opens. GET only shows what the link would do (mail scanners
fetch links), with one button; the POST acts, once. A used, expired or unknown link says so and offers
to sign in (to the incident's page when the link names one)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from services.console.gateway.adapters import ServiceRefused, Services
from services.console.layout.api import refusal_text, render
from services.console.links import adapters
from services.console.links.domain import act_cookie_path, previewed_state, refused_state, sign_in_path
from services.console.signin.api import parts_of

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "act_csrf"
ACT_HEADERS = {"Referrer-Policy": "no-referrer", "Content-Security-Policy": "frame-ancestors 'none'"}
"""The page's address is the link's secret: never sent on as a referrer; never framed (clickjacking)."""


def _page(
    request: Request,
    state: str,
    preview: dict[str, Any] | None,
    *,
    csrf: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "act.html",
        None,
        headers=ACT_HEADERS,
        state=state,
        preview=preview,
        csrf=csrf,
        message=message,
        sign_in=sign_in_path((preview or {}).get("incident_id")),
        status_code=status_code,
    )


async def _preview_or_none(services: Services, token: str) -> dict[str, Any] | None:
    try:
        found = await adapters.preview(services, token)
    except ServiceRefused:
        return None
    return found if isinstance(found, dict) else None


@router.get("/act/{token}")
async def preview(request: Request, token: str) -> HTMLResponse:
    services = parts_of(request).services
    try:
        found = await adapters.preview(services, token)
    except ServiceRefused as refused:
        return _page(request, refused_state(refused.status, refused.rule), None)
    if not isinstance(found, dict):
        return _page(request, "unknown", None)
    state = previewed_state(found)
    if state != "valid":
        return _page(request, state, found)
    csrf = secrets.token_urlsafe(24)
    response = _page(request, state, found, csrf=csrf)
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=parts_of(request).settings.cookie_secure,
        max_age=3600,
        path=act_cookie_path(token),
    )
    return response


@router.post("/act/{token}")
async def act(request: Request, token: str, csrf: Annotated[str, Form(max_length=100)] = "") -> HTMLResponse:
    sent = request.cookies.get(CSRF_COOKIE, "")
    if not csrf or not sent or not hmac.compare_digest(csrf, sent):
        return _page(request, "stale", None, status_code=403)
    services = parts_of(request).services
    try:
        done = await adapters.act(services, token)
    except ServiceRefused as refused:
        state = refused_state(refused.status, refused.rule)
        message = refusal_text(request, refused) if state == "refused" else None
        return _page(request, state, await _preview_or_none(services, token), message=message)
    response = _page(request, "done", done if isinstance(done, dict) else None)
    response.delete_cookie(CSRF_COOKIE, path=act_cookie_path(token))
    return response
