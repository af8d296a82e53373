"""How large a request body may be, per route, enforced before anything reads it.

Every route takes bodies up to the service's ``max_body_bytes`` (256 KiB unless configured); a route
that needs more (an import file) says so with ``@body_limit(...)``. The limit is checked in a pure ASGI
middleware, before routing's body parsing and before the token is verified, so a 32 MB body without a
token costs nothing: a ``Content-Length`` over the limit is answered 413 at once, without reading, and a
chunked body is counted as it arrives and refused as soon as it passes the limit.

The per-request cost is one dictionary lookup: the limits are read off the routes once, at start, and
the route template of the request is the one the metrics middleware resolved already.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from shared.observability.routes import request_route
from shared.settings import ServiceSettings
from shared.web.errors import error_json

KIB = 1024
MIB = 1024 * KIB

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
Settings = TypeVar("Settings", bound=ServiceSettings)

_LIMIT_ATTRIBUTE = "__edu_clusters_body_limit__"
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


def body_limit(max_bytes: int | Callable[[Settings], int]) -> Callable[[Endpoint], Endpoint]:
    """Let a route take bodies up to ``max_bytes`` instead of the service's default.

    Put it under the route decorator, on the function the route calls; a function of the service's
    settings is called once, at start::

        @router.post("/schools/import")
        @body_limit(8 * MIB)
        async def import_schools(...): ...

        @router.post("/notices/{notice_id}/attachments")
        @body_limit(upload_limit)  # def upload_limit(settings: NoticesSettings) -> int
        async def upload_attachment(...): ...
    """
    if isinstance(max_bytes, int) and max_bytes < 1:
        raise ValueError("a body limit must be at least one byte")

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _LIMIT_ATTRIBUTE, max_bytes)
        return endpoint

    return mark


class BodyLimits:
    """The limit of each route that declares one, and the default for every other."""

    def __init__(self, default: int) -> None:
        if default < 1:
            raise ValueError("the default body limit must be at least one byte")
        self.default = default
        self._by_route: dict[tuple[str, str], int] = {}

    def learn(self, routes: Iterable[BaseRoute | RouteContext], settings: ServiceSettings) -> None:
        """Read the declared limits off the app's routes (once, after every router is included)."""
        by_route: dict[tuple[str, str], int] = {}
        for route in iter_route_contexts(list(routes)):
            declared: int | Callable[[ServiceSettings], int] | None = getattr(
                route.endpoint, _LIMIT_ATTRIBUTE, None
            )
            if declared is None or route.path_format is None:
                continue
            limit = declared if isinstance(declared, int) else declared(settings)
            if limit < 1:
                raise ValueError(f"the body limit of {route.path_format} must be at least one byte")
            for method in route.methods or ():
                by_route[(method, route.path_format)] = limit
        self._by_route = by_route

    def of(self, method: str, path_format: str) -> int:
        """The limit of the route with this method and template."""
        return self._by_route.get((method, path_format), self.default)


class BodyTooLarge(Exception):
    """Raised to the app when a chunked body passes its limit; the middleware answers 413."""


class BodyLimitMiddleware:
    """Refuses bodies over the route's limit with 413, before the app reads (or authenticates) anything."""

    def __init__(self, app: Any, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        limit = self.limits.of(scope["method"], request_route(scope))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        if declared is not None:
            # The server reads exactly Content-Length bytes: nothing more can arrive, nothing to count.
            await self.app(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received, exceeded
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(f"body over {limit} bytes")
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app made of the cut body, the answer is ours
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # raised by counting_receive: answered just below
            await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await _refuse(send, limit)


def _content_length(scope: dict[str, Any]) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Any, limit: int) -> None:
    body = json.dumps(
        error_json(f"the body is larger than this route takes ({limit} bytes)", field="body")
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
