"""Serves the service's AsyncAPI document (what it publishes and consumes) next to its OpenAPI, and a page
that renders it with the vendored viewer (``shared.web.api_docs``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.site import get_asyncapi_html

from shared.web.api_docs import ASYNCAPI_CSS, ASYNCAPI_JS, offline_asyncapi_html, root_of


def asyncapi_router(broker: KafkaBroker, *, title: str, version: str, description: str) -> APIRouter:
    router = APIRouter(tags=["event contract"])

    def specification() -> object:
        # Built on request: subscribers and publishers are registered before the first call anyway,
        # and the document is small.
        return AsyncAPI(broker, title=title, version=version, description=description).to_specification()

    @router.get("/asyncapi", response_class=HTMLResponse, include_in_schema=False)
    async def asyncapi_page(request: Request) -> HTMLResponse:
        root = root_of(request)
        page = get_asyncapi_html(
            specification(),  # type: ignore[arg-type]
            asyncapi_js_url=f"{root}{ASYNCAPI_JS}",
            asyncapi_css_url=f"{root}{ASYNCAPI_CSS}",
            try_it_out_path=None,  # no try-it endpoint here, and its plugin would come from a CDN
        )
        return HTMLResponse(offline_asyncapi_html(page))

    @router.get(
        "/asyncapi.json",
        response_class=Response,
        responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
    )
    async def asyncapi_json() -> Response:
        """The AsyncAPI 3.0 document of this service's Kafka topics, as JSON."""
        return Response(specification().to_json(), media_type="application/json")  # type: ignore[attr-defined]

    @router.get(
        "/asyncapi.yaml",
        response_class=Response,
        responses={200: {"content": {"application/yaml": {"schema": {"type": "object"}}}}},
    )
    async def asyncapi_yaml() -> Response:
        """The AsyncAPI 3.0 document of this service's Kafka topics, as YAML."""
        return Response(specification().to_yaml(), media_type="application/yaml")  # type: ignore[attr-defined]

    return router
