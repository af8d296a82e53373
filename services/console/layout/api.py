"""How every page is rendered: the templates, the person and language in every page's context, the
language switch, the static files, and a service's refusal shown in words (never a 500)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from services.console.gateway.adapters import ServiceRefused, ServiceUnreachable
from services.console.signin.domain import safe_return_path
from services.console.signin.models import ConsoleSession
from services.console.wording import domain as wording

HERE = Path(__file__).resolve().parents[1]
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(
    status_label=lambda lang, code: wording.label(wording.STATUS, lang, code),
    timeline_label=lambda lang, code: wording.label(wording.TIMELINE, lang, code),
    role_label=lambda lang, code: wording.label(wording.ROLE, lang, code),
    vn_time=wording.vietnam_time,
    next_actions=lambda status: wording.NEXT_ACTIONS.get(status, ()),
)

router = APIRouter(include_in_schema=False)

PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
"""Every page: never cached (a person's data), and its address (an incident's, a search) never sent to
another site."""


def language(request: Request) -> str:
    return wording.language_of(request.cookies.get(wording.LANGUAGE_COOKIE))


def render(
    request: Request,
    template: str,
    person: ConsoleSession | None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)

    def t(key: str, **values: str) -> str:
        words = wording.text(lang, key)
        return words.format(**values) if values else words

    return templates.TemplateResponse(
        request,
        template,
        {"person": person, "lang": lang, "t": t, "path": request.url.path, **context},
        status_code=status_code,
        headers={**PAGE_HEADERS, **(headers or {})},
    )


@router.get("/language")
async def switch_language(
    to: Annotated[str, Query(max_length=5)] = "vi", next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    response = RedirectResponse(safe_return_path(next), status_code=303)
    response.set_cookie(
        wording.LANGUAGE_COOKIE, wording.language_of(to), max_age=365 * 86400, samesite="lax", httponly=True
    )
    return response


@router.get("/signed-out")
async def signed_out(request: Request) -> HTMLResponse:
    return render(request, "signed_out.html", None, signed_out=True)


def refusal_text(request: Request, error: Exception) -> str:
    lang = language(request)
    if isinstance(error, ServiceRefused):
        return wording.refusal_words(lang, error.status, error.detail, error.field)
    assert isinstance(error, ServiceUnreachable)
    return wording.text(lang, "unreachable").format(
        service=wording.label(wording.SERVICE_NAMES, lang, error.service)
    )


def install_pages(app: FastAPI) -> None:
    """The static files, and a service's refusal or silence shown to the person in words."""
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    async def refused(request: Request, exc: Exception) -> Response:
        words = refusal_text(request, exc)
        if request.headers.get("HX-Request"):
            return HTMLResponse(
                f'<p class="error" role="alert">{_escape(words)}</p>',
                headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
            )
        status = exc.status if isinstance(exc, ServiceRefused) and exc.status < 500 else 503
        return render(request, "error.html", None, status_code=status, message=words)

    app.add_exception_handler(ServiceRefused, refused)
    app.add_exception_handler(ServiceUnreachable, refused)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
