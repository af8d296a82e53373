"""W3C trace context: one trace id follows a request through the outbox row, Kafka headers and consumers.

Only propagation lives here (parse, start, child, a context variable and an ASGI middleware); exporting
spans to a collector is an optional layer on top.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from shared.observability.logging import log_context

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current: ContextVar[str | None] = ContextVar("traceparent", default=None)


def parse_traceparent(value: str | None) -> tuple[str, str, str] | None:
    """(trace id, parent span id, flags), or None for anything that is not a valid version-00 header."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())  # the spec refuses upper-case hex
    if match is None or set(match[1]) == {"0"} or set(match[2]) == {"0"}:
        return None
    return match[1], match[2], match[3]


def new_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span; a new trace when the parent is missing or invalid."""
    parsed = parse_traceparent(parent)
    if parsed is None:
        return new_traceparent()
    trace_id, _span, flags = parsed
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"


def trace_id_from_traceparent(value: str | None) -> str | None:
    parsed = parse_traceparent(value)
    return parsed[0] if parsed else None


def current_traceparent() -> str | None:
    return _current.get()


@contextmanager
def use_traceparent(parent: str | None) -> Iterator[str]:
    """Work done inside runs as a child span of ``parent`` (or starts a trace)."""
    token = _current.set(child_traceparent(parent))
    try:
        yield _current.get() or ""
    finally:
        _current.reset(token)


class TraceContextMiddleware:
    """Continues the caller's trace (or starts one) for each HTTP request and echoes it in the response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), None)
        with use_traceparent(incoming) as traceparent:

            async def send_with_trace(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"traceparent", traceparent.encode())]
                await send(message)

            with log_context(trace_id=trace_id_from_traceparent(traceparent)):
                await self.app(scope, receive, send_with_trace)
