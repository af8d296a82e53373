"""Metrics, health checks, JSON logs and W3C trace context, the same in every service."""

from shared.observability.health import health_router
from shared.observability.logging import configure_logging, log_context
from shared.observability.metrics import ServiceMetrics
from shared.observability.tracing import (
    TraceContextMiddleware,
    current_traceparent,
    trace_id_from_traceparent,
    use_traceparent,
)

__all__ = [
    "ServiceMetrics",
    "TraceContextMiddleware",
    "configure_logging",
    "current_traceparent",
    "health_router",
    "log_context",
    "trace_id_from_traceparent",
    "use_traceparent",
]
