"""W3C trace context: one trace id follows a request through the outbox row, Kafka headers and consumers.

Propagation lives here (parse, start, child, a context variable and an ASGI middleware). Exporting spans
to a collector is optional (``shared.observability.exporter``): when it is on, each unit of work (an HTTP
request, an event handled) is also an OpenTelemetry span whose ids are the ones propagated, so the trace
a collector shows is the one the logs and the Kafka headers carry.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from opentelemetry.trace import (
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    TraceFlags,
    Tracer,
    set_span_in_context,
)

from shared.observability.logging import log_context
from shared.observability.routes import request_route

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current: ContextVar[str | None] = ContextVar("traceparent", default=None)
_tracer: Tracer | None = None
"""Set while spans are exported (``exporter.configure_tracing``); ``None`` means propagation only."""


def set_span_tracer(tracer: Tracer | None) -> None:
    global _tracer  # one exporter per process, switched on by the app factory
    _tracer = tracer


def span_tracer() -> Tracer | None:
    return _tracer


def parse_traceparent(value: str | None) -> tuple[str, str, str] | None:
    """(trace id, parent span id, flags), or None for anything that is not a valid version-00 header."""
    if not value:
        return None
    match = _TRACEPARENT.match(value.strip())  # the spec refuses upper-case hex
    if match is None or set(match[1]) == {"0"} or set(match[2]) == {"0"}:
        return None
    return match[1], match[2], match[3]


def new_traceparent() -> str:
    return f"00-{_random_id(128)}-{_random_id(64)}-01"


def _random_id(bits: int) -> str:
    """A random, non-zero trace or span id. Ids are unique, not secret: the W3C spec asks for random
    ids, and ``random`` makes them without the system call ``secrets`` costs on every event and request."""
    return f"{random.getrandbits(bits) or 1:0{bits // 4}x}"


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span; a new trace when the parent is missing or invalid."""
    parsed = parse_traceparent(parent)
    if parsed is None:
        return new_traceparent()
    trace_id, _span, flags = parsed
    return f"00-{trace_id}-{_random_id(64)}-{flags}"


def trace_id_from_traceparent(value: str | None) -> str | None:
    parsed = parse_traceparent(value)
    return parsed[0] if parsed else None


def current_traceparent() -> str | None:
    return _current.get()


@contextmanager
def use_traceparent(
    parent: str | None,
    *,
    span_name: str = "work",
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: dict[str, str | int] | None = None,
) -> Iterator[str]:
    """Work done inside runs as a child span of ``parent`` (or starts a trace).

    The name, kind and attributes only matter while spans are exported.
    """
    tracer = _tracer
    if tracer is None:
        token = _current.set(child_traceparent(parent))
        try:
            yield _current.get() or ""
        finally:
            _current.reset(token)
        return
    with tracer.start_as_current_span(
        span_name, context=_remote_parent(parent), kind=kind, attributes=attributes
    ) as span:
        context = span.get_span_context()
        token = _current.set(f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}")
        try:
            yield _current.get() or ""
        finally:
            _current.reset(token)


def _remote_parent(parent: str | None) -> Any:
    """The OpenTelemetry context of a propagated parent; ``None`` starts a new trace."""
    parsed = parse_traceparent(parent)
    if parsed is None:
        return None
    trace_id, span_id, flags = parsed
    remote = SpanContext(
        int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=TraceFlags(int(flags, 16))
    )
    return set_span_in_context(NonRecordingSpan(remote))


class TraceContextMiddleware:
    """Continues the caller's trace (or starts one) for each HTTP request and echoes it in the response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), None)
        route = request_route(scope)
        with use_traceparent(
            incoming,
            span_name=f"{scope['method']} {route}",
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"], "http.route": route},
        ) as traceparent:

            async def send_with_trace(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"traceparent", traceparent.encode())]
                await send(message)

            with log_context(trace_id=trace_id_from_traceparent(traceparent)):
                await self.app(scope, receive, send_with_trace)
