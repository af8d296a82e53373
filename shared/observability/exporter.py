"""Sends spans to an OpenTelemetry collector over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

Off by default: propagation (``tracing``) needs no collector, and a service must never slow down or fail
because one is missing. Spans are batched and sent in the background; the provider is this module's own
(never OpenTelemetry's global one), so tests can run several apps in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Tracer

from shared.observability.tracing import set_span_tracer, span_tracer


@dataclass
class SpanExport:
    """What ``configure_tracing`` switched on; ``shutdown()`` flushes the last spans and switches it off."""

    provider: TracerProvider | None
    tracer: Tracer | None = None

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    def shutdown(self) -> None:
        if self.provider is not None:
            if span_tracer() is self.tracer:  # another app of this process may have switched on its own
                set_span_tracer(None)
            self.provider.shutdown()
            self.provider = None


def otlp_traces_url(endpoint: str) -> str:
    """The collector's base URL (``http://collector:4318``) with OTLP/HTTP's traces path, as the spec says."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def configure_tracing(
    service_name: str,
    endpoint: str | None,
    *,
    environment: str = "development",
    exporter: SpanExporter | None = None,
) -> SpanExport:
    """Export this process's spans to ``endpoint`` (or to ``exporter``, for tests); no-op when neither."""
    if not endpoint and exporter is None:
        return SpanExport(None)
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": service_name,
                "service.namespace": "edu-clusters",
                "deployment.environment": environment,
            }
        )
    )
    provider.add_span_processor(
        BatchSpanProcessor(exporter or OTLPSpanExporter(endpoint=otlp_traces_url(endpoint or "")))
    )
    tracer = provider.get_tracer("edu-clusters")
    set_span_tracer(tracer)
    return SpanExport(provider, tracer)
