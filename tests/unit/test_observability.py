"""Metrics, health, JSON logs and trace context, through small apps and loggers."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime

import httpx
from fastapi import APIRouter, FastAPI

from shared.observability import (
    ServiceMetrics,
    TraceContextMiddleware,
    configure_logging,
    health_router,
    log_context,
    trace_id_from_traceparent,
)
from shared.observability.logging import JsonLines
from shared.observability.tracing import child_traceparent, parse_traceparent

VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


async def failing_check() -> None:
    raise ConnectionError("broker does not answer")


async def passing_check() -> None:
    return None


def build_app(*, healthy: bool = True) -> tuple[FastAPI, ServiceMetrics]:
    app = FastAPI()
    metrics = ServiceMetrics()
    metrics.instrument(app)
    app.add_middleware(TraceContextMiddleware)
    app.include_router(
        health_router({"database": passing_check, "kafka": passing_check if healthy else failing_check})
    )

    @app.get("/clusters/{cluster_no}")
    async def cluster(cluster_no: int) -> dict[str, int]:
        return {"cluster_no": cluster_no}

    return app, metrics


async def get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path, headers=headers or {})


async def test_metrics_are_served_at_exactly_metrics_with_route_templates() -> None:
    app, _ = build_app()
    await get(app, "/clusters/3")
    response = await get(app, "/metrics")
    assert response.status_code == 200  # no 307 to /metrics/
    assert (
        'http_request_duration_seconds_count{method="GET",route="/clusters/{cluster_no}",status="200"} 1.0'
        in (response.text)
    )


async def test_routes_of_included_routers_are_labelled_with_their_full_template() -> None:
    app, metrics = build_app()
    schools = APIRouter()

    @schools.get("/{school_id}")
    async def school(school_id: str) -> dict[str, str]:
        return {"school_id": school_id}

    clusters = APIRouter(prefix="/clusters")
    clusters.include_router(schools, prefix="/{cluster_no}/schools")
    app.include_router(clusters)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        await client.get("/clusters/3/schools/s-17")
        await client.request("BREW", "/clusters/3/schools/s-17")
        await client.get("/no/such/path")

    def count(method: str, route: str, status: str) -> float | None:
        labels = {"method": method, "route": route, "status": status}
        return metrics.registry.get_sample_value("http_request_duration_seconds_count", labels)

    assert count("GET", "/clusters/{cluster_no}/schools/{school_id}", "200") == 1
    assert count("other", "/clusters/{cluster_no}/schools/{school_id}", "405") == 1  # methods stay bounded
    assert count("GET", "unmatched", "404") == 1


async def test_readiness_names_the_failing_dependency() -> None:
    app, _ = build_app(healthy=False)
    response = await get(app, "/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "kafka": "ConnectionError: broker does not answer"}
    assert (await get(build_app()[0], "/health/ready")).status_code == 200
    assert (await get(app, "/health/live")).status_code == 200


async def test_the_caller_trace_continues_in_a_child_span() -> None:
    app, _ = build_app()
    response = await get(app, "/clusters/3", {"traceparent": VALID})
    echoed = response.headers["traceparent"]
    assert trace_id_from_traceparent(echoed) == "0af7651916cd43dd8448eb211c80319c"
    assert echoed != VALID


def test_traceparent_parsing_refuses_invalid_values() -> None:
    assert parse_traceparent(VALID) == ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "01")
    for invalid in [
        "",
        "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-xyz-b7ad6b7169203331-01",
        VALID.upper(),
    ]:
        assert parse_traceparent(invalid) is None
    assert parse_traceparent(child_traceparent("garbage")) is not None  # a new trace starts


def test_log_lines_are_json_with_service_event_and_trace_ids() -> None:
    configure_logging("registry")
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "edu-clusters-json")
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(stream)
    try:
        with log_context(event_id="e-1", trace_id="t-1"):
            logging.getLogger("tests").warning("applied")
        logging.getLogger("tests").warning("outside")
    finally:
        handler.setStream(previous)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == "applied"
    assert (inside["service"], inside["event_id"], inside["trace_id"]) == ("registry", "e-1", "t-1")
    assert "event_id" not in outside


def test_a_log_line_keeps_the_standard_time_any_value_and_any_text() -> None:
    formatter = JsonLines()
    record = logging.LogRecord("tests", logging.INFO, __file__, 1, "Trường %s", ("Mầm non",), None)
    record.when = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)  # not JSON: written as its isoformat
    record.thing = object()  # nor this: written as its str
    record.odd = "\ud800"  # a lone surrogate, which only the standard library's encoder writes
    line = json.loads(formatter.format(record))
    assert line["message"] == "Trường Mầm non"
    assert line["time"] == logging.Formatter().formatTime(record)  # the cached second, the same text
    assert line["when"].startswith("2026-12-02T08:30:00")
    assert line["thing"].startswith("<object object")
    assert line["odd"] == "\ud800"
    later = logging.LogRecord("tests", logging.INFO, __file__, 1, "next", (), None)
    later.created += 1.5  # the next second is formatted anew
    assert json.loads(formatter.format(later))["time"] == logging.Formatter().formatTime(later)
