"""The services' own documentation pages (Swagger UI at /docs, AsyncAPI at /asyncapi), rendered offline.

FastAPI's and FastStream's pages load their scripts and styles from public CDNs, so on the Department's
intranet they are blank. The viewers are vendored under ``static/vendor/`` (versions and licences in its
README) and every service serves them itself; the pages name them by same-origin paths only.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
VENDOR_PATH = "/api-docs/vendor"
"""Not under ``/static``: a service that serves pages (the console) mounts its own ``/static``, which this
mount would shadow."""
SWAGGER_UI = f"{VENDOR_PATH}/swagger-ui-5.35.0"
ASYNCAPI_UI = f"{VENDOR_PATH}/asyncapi-react-component-3.1.5"
ASYNCAPI_JS = f"{ASYNCAPI_UI}/index.js"
ASYNCAPI_CSS = f"{ASYNCAPI_UI}/default.min.css"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"

# FastStream's page names asyncapi.com's favicons whatever URLs it is given for the viewer.
_FOREIGN_ICONS = re.compile(r"""\s*<link rel="icon"[^>]*href="https?://[^"]*"[^>]*>""")


class VendorFiles(StaticFiles):
    """Static files whose folder names carry their version: a browser may keep them for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount_vendor_assets(app: FastAPI) -> None:
    """Serve the vendored viewers at ``/api-docs/vendor/...`` (no token: they are public code)."""
    app.mount(VENDOR_PATH, VendorFiles(directory=VENDOR_DIR), name="vendor")


def root_of(request: Request) -> str:
    """The path prefix the app is served under (behind a proxy), so asset paths stay same-origin."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def swagger_router(*, title: str, openapi_url: str = "/openapi.json") -> APIRouter:
    """``/docs`` (Swagger UI from the vendored bundle) and its OAuth2 redirect page."""
    router = APIRouter()

    @router.get("/docs", include_in_schema=False)
    async def swagger_page(request: Request) -> HTMLResponse:
        root = root_of(request)
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{title} API",
            swagger_js_url=f"{root}{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_UI}/favicon-32x32.png",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_PATH}",
            # Swagger UI would otherwise send the document to validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @router.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    return router


def offline_asyncapi_html(page: str) -> str:
    """FastStream's AsyncAPI page without the icons it fetches from asyncapi.com."""
    return _FOREIGN_ICONS.sub("", page)
