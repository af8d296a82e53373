"""One trace from an HTTP request to the consumers: the trace id a client sends to the registry is in the
JSON log lines of the incidents service's consumer that applied the resulting events, and, with the OTLP
exporter switched on by settings, in the spans a collector receives (a server span and consumer spans)."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from services.incidents.app import create_app as create_incidents
from services.incidents.settings import IncidentsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.observability.exporter import configure_tracing
from shared.observability.tracing import span_tracer
from tests.support.apps import bearer, running
from tests.support.waiting import wait_for

pytestmark = pytest.mark.kafka

CONSUMER_GROUP_SUFFIX = "incidents.registry-replica"


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


async def republish_with_trace(
    common: dict[str, Any], capfd: pytest.CaptureFixture[str], **extra: Any
) -> str:
    """Republish the registry under a fresh trace id; return it once incidents logged applying the states."""
    trace_id = secrets.token_hex(16)
    registry = create_registry(RegistrySettings(**common, **extra))
    incidents = create_incidents(IncidentsSettings(**common, **extra, scheduler_enabled=False))
    seen: list[dict[str, Any]] = []
    async with running(registry) as registry_client, running(incidents):
        response = await registry_client.post(
            "/admin/republish",
            headers={
                **bearer(registry, Role.DEPARTMENT_ADMIN),
                "traceparent": f"00-{trace_id}-{'1' * 16}-01",
            },
        )
        assert response.status_code == 202
        assert response.headers["traceparent"].split("-")[1] == trace_id

        async def consumer_lines_of_the_trace() -> list[dict[str, Any]]:
            seen.extend(json_lines(capfd.readouterr().err))
            return [
                line
                for line in seen
                if line.get("trace_id") == trace_id
                and line.get("logger") == "shared.messaging.consumer"
                and str(line.get("consumer_group", "")).endswith(CONSUMER_GROUP_SUFFIX)
            ]

        # 5 clusters and 130 communes republished; the replica applies (or skips, as not newer) each.
        lines = await wait_for(
            consumer_lines_of_the_trace,
            until=lambda found: len(found) >= 135,
            within=60,
            message="consumer logs",
        )
    assert {line["event_type"] for line in lines} == {
        "vn.gov.nghean.edu.registry.cluster.v1",
        "vn.gov.nghean.edu.registry.commune.v1",
    }
    assert all(line["event_id"] and line["message"].startswith("event ") for line in lines)
    return trace_id


async def test_the_trace_id_of_a_request_is_in_the_consumers_log(
    common: dict[str, Any], capfd: pytest.CaptureFixture[str]
) -> None:
    await republish_with_trace(common, capfd)
    assert span_tracer() is None  # no exporter unless the settings name a collector


class _Collector(BaseHTTPRequestHandler):
    received: list[ExportTraceServiceRequest]

    def do_POST(self) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(request)
        body = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def otlp_collector() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """A stand-in OTLP/HTTP collector in a thread of its own: exporting blocks the thread that flushes."""
    received: list[ExportTraceServiceRequest] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_with_an_otlp_endpoint_the_spans_of_the_request_and_its_consumers_are_exported(
    common: dict[str, Any],
    capfd: pytest.CaptureFixture[str],
    otlp_collector: tuple[str, list[ExportTraceServiceRequest]],
) -> None:
    endpoint, received = otlp_collector
    trace_id = await republish_with_trace(common, capfd, otel_exporter_otlp_endpoint=endpoint)

    # The apps flushed their spans when they stopped.
    spans = [
        span
        for request in received
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
        if span.trace_id.hex() == trace_id
    ]
    server_spans = [span for span in spans if span.name == "POST /admin/republish"]
    assert len(server_spans) == 1
    assert server_spans[0].parent_span_id.hex() == "1" * 16  # the caller's span
    consumer_spans = [span for span in spans if span.name.endswith("registry.communes process")]
    assert len(consumer_spans) >= 130
    assert {span.parent_span_id for span in consumer_spans} == {server_spans[0].span_id}
    assert span_tracer() is None


def test_no_endpoint_exports_nothing() -> None:
    assert not configure_tracing("registry", None).enabled
    assert span_tracer() is None
