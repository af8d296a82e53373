"""One Prometheus registry per service instance, HTTP latency histograms, and ``/metrics`` served exactly.

A registry per instance (never prometheus_client's global one) lets several apps live in one test process.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from shared.observability.routes import request_route

# Clients may send any method; the others share one label so that cardinality stays bounded.
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_duration = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.http_in_progress = Gauge(
            "http_requests_in_progress", "HTTP requests being served", ["method"], registry=self.registry
        )

    def instrument(self, app: FastAPI) -> None:
        """Time every request and serve ``/metrics`` (a plain route: mounting would answer with a 307)."""
        app.add_middleware(_LatencyMiddleware, metrics=self)

        async def metrics_endpoint(_request: Request) -> Response:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        app.add_route("/metrics", metrics_endpoint, include_in_schema=False)


class _LatencyMiddleware:
    """Pure ASGI, so streaming responses and background work are not wrapped twice."""

    def __init__(self, app: Any, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in _KNOWN_METHODS else "other"
        route = request_route(scope)
        status = "500"

        async def send_recording_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        started = time.perf_counter()
        self.metrics.http_in_progress.labels(method).inc()
        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            self.metrics.http_in_progress.labels(method).dec()
            self.metrics.http_duration.labels(method, route, status).observe(time.perf_counter() - started)
