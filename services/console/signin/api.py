"""Sign-in, the callback from the provider, sign-out, and the request's signed-in person.

The cookie holds a random session id only (HttpOnly, SameSite=Lax); every POST carries the session's
CSRF token (a form field or the ``X-CSRF-Token`` header htmx sends), checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.gateway.adapters import Services, SignInRequired
from services.console.settings import ConsoleSettings
from services.console.signin import service
from services.console.signin.adapters import IdentityProvider, ProviderUnavailable
from services.console.signin.domain import (
    COOKIE,
    STATE_COOKIE,
    STATE_COOKIE_PATH,
    csrf_matches,
    safe_return_path,
    state_digest,
    state_is_this_browsers,
)
from services.console.signin.models import ConsoleSession
from services.console.signin.service import VerifyToken
from shared.clock import utc_now
from shared.errors import Forbidden, ServiceError
from shared.web import ServiceRuntime

router = APIRouter(include_in_schema=False)


@dataclass
class SignInParts:
    settings: ConsoleSettings
    provider: IdentityProvider
    services: Services
    verify: VerifyToken

    @property
    def redirect_uri(self) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/auth/callback"


def parts_of(request: Request) -> SignInParts:
    parts: SignInParts = request.app.state.signin
    return parts


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def _here(request: Request) -> str:
    """Where the person was: for an htmx fragment, the page it sits on."""
    current = request.headers.get("HX-Current-URL")
    if current:
        return safe_return_path("/" + current.split("/", 3)[-1] if current.count("/") >= 3 else "/")
    if request.method != "GET":
        referer = request.headers.get("referer", "")
        return safe_return_path("/" + referer.split("/", 3)[-1] if referer.count("/") >= 3 else "/")
    query = f"?{request.url.query}" if request.url.query else ""
    return safe_return_path(request.url.path + query)


async def signed_in(request: Request) -> ConsoleSession:
    parts = parts_of(request)
    async with _runtime(request).messaging.unit_of_work() as uow:
        return await service.current_session(
            uow,
            parts.provider,
            request.cookies.get(COOKIE),
            now=utc_now(),
            idle=timedelta(hours=parts.settings.session_idle_hours),
            return_to=_here(request),
        )


async def signed_in_and_checked(request: Request) -> ConsoleSession:
    """A POST's person: the session, and the CSRF token it was given, sent back."""
    person = await signed_in(request)
    if not csrf_matches(await _sent_csrf(request), person.csrf_token):
        raise CsrfRefused()
    return person


async def _sent_csrf(request: Request) -> str | None:
    """The CSRF token a POST sends back: the header htmx sends, or the form's field."""
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    return sent


class CsrfRefused(Exception):
    """A POST without this session's CSRF token: from another site, or from a page of an older session."""


Person = Annotated[ConsoleSession, Depends(signed_in)]
CheckedPerson = Annotated[ConsoleSession, Depends(signed_in_and_checked)]


@router.get("/sign-in")
async def sign_in(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    parts = parts_of(request)
    async with _runtime(request).messaging.unit_of_work() as uow:
        where, state = await service.start_sign_in(
            uow, parts.provider, return_to=next, redirect_uri=parts.redirect_uri, now=utc_now()
        )
    response = RedirectResponse(where, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state_digest(state),
        httponly=True,
        samesite="lax",
        secure=parts.settings.cookie_secure,
        max_age=int(parts.settings.sign_in_minutes * 60),
        path=STATE_COOKIE_PATH,
    )
    return response


def _refuse_sign_in() -> Response:
    """Back to a fresh sign-in, with no session and no sign-in cookie."""
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH)
    return response


@router.get("/auth/callback")
async def callback(
    request: Request,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=4000)] = "",
    error: Annotated[str | None, Query(max_length=200)] = None,
    # The rest of what an OpenID provider may send back (OIDC Core 3.1.2.5 and 3.1.2.6, RFC 9207): declared,
    # since every route refuses a query parameter it does not name.
    session_state: Annotated[str | None, Query(max_length=200)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
    error_description: Annotated[str | None, Query(max_length=500)] = None,
    error_uri: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    parts = parts_of(request)
    if error or not state or not code:
        return _refuse_sign_in()
    if iss is not None and iss.rstrip("/") != parts.provider.public_issuer:
        # RFC 9207: an answer from another issuer than the one asked is a mix-up attack, not a sign-in.
        return _refuse_sign_in()
    if not state_is_this_browsers(request.cookies.get(STATE_COOKIE), state):
        # Login CSRF: a code and state from another browser's sign-in (the attacker's own account).
        return _refuse_sign_in()
    try:
        async with _runtime(request).messaging.unit_of_work() as uow:
            cookie, return_to = await service.finish_sign_in(
                uow,
                parts.provider,
                parts.services,
                parts.verify,
                state=state,
                code=code,
                redirect_uri=parts.redirect_uri,
                now=utc_now(),
                started_within=timedelta(minutes=parts.settings.sign_in_minutes),
                replacing=request.cookies.get(COOKIE),
            )
    except ServiceError as refused:
        page = HTMLResponse(
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Đăng nhập</title>"
            f"<main><h1>Không đăng nhập được</h1><p>{_escape(refused.message)}</p>"
            "<p><a href='/sign-in'>Đăng nhập lại</a></p></main></html>",
            status_code=refused.status_code,
        )
        page.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH)
        return page
    response = RedirectResponse(return_to, status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=parts.settings.cookie_secure,
        max_age=int(parts.settings.session_idle_hours * 3600),
        path="/",
    )
    response.delete_cookie(STATE_COOKIE, path=STATE_COOKIE_PATH)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Works with an ended session too (idle, or ended elsewhere): the cookie goes and the provider's
    session ends, else the provider would sign the person straight back in. A live session's sign-out
    must carry its CSRF token (another site may not sign a person out)."""
    parts = parts_of(request)
    sent = await _sent_csrf(request)
    async with _runtime(request).messaging.unit_of_work() as uow:
        try:
            id_token = await service.end_session(uow, request.cookies.get(COOKIE), csrf_sent=sent)
        except Forbidden:
            raise CsrfRefused() from None
    after = f"{parts.settings.public_base_url.rstrip('/')}/signed-out"
    response = RedirectResponse(await parts.provider.logout_url(id_token=id_token, after=after), 303)
    response.delete_cookie(COOKIE, path="/")
    return response


def install_sign_in_redirects(app: FastAPI) -> None:
    """An ended session sends the person to sign in, then back where they were."""

    async def to_sign_in(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return_to = exc.return_to if exc.return_to != "/" else _here(request)
        where = f"/sign-in?next={quote(safe_return_path(return_to), safe='')}"
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": where})
        if request.url.path.startswith(("/live", "/school/report")):
            return Response(status_code=401, headers={"X-Sign-In": where})
        response = RedirectResponse(where, status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def csrf_refused(_request: Request, _exc: Exception) -> Response:
        return HTMLResponse(
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Từ chối</title><main>"
            "<h1>Yêu cầu bị từ chối</h1><p>Biểu mẫu đã cũ hoặc không gửi từ trang này. Tải lại trang và "
            "thử lại. (The form is stale or was not sent from this console.)</p></main></html>",
            status_code=403,
        )

    async def provider_unavailable(request: Request, _exc: Exception) -> Response:
        words = (
            "Máy chủ đăng nhập tạm thời không trả lời. Vui lòng thử lại sau ít phút. "
            "(The sign-in server is not answering; try again in a few minutes.)"
        )
        if request.headers.get("HX-Request"):
            return HTMLResponse(
                f'<p class="error" role="alert">{words}</p>',
                headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
            )
        return HTMLResponse(
            "<!doctype html><html lang='vi'><meta charset='utf-8'>"
            "<title>Tạm thời không đăng nhập được</title><main>"
            f"<h1>Tạm thời không đăng nhập được</h1><p>{words}</p>"
            "<p><a href='/'>Thử lại</a></p></main></html>",
            status_code=503,
            headers={"Retry-After": "30", "Cache-Control": "no-store"},
        )

    app.add_exception_handler(SignInRequired, to_sign_in)
    app.add_exception_handler(ProviderUnavailable, provider_unavailable)
    app.add_exception_handler(CsrfRefused, csrf_refused)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
