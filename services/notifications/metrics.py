"""The delivery metrics the operations engineer writes alerts on; their names are fixed."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class DeliveryMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "notification_deliveries_total",
            "Delivery attempts by channel and outcome (delivered, failed, retried)",
            ["channel", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "notification_delivery_latency_seconds",
            "From the source event's time to delivery (held messages included)",
            ["channel"],
            registry=registry,
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600),
        )
        self.retry_backlog = Gauge(
            "notification_retry_backlog",
            "Deliveries waiting for a retry after a transient failure",
            ["channel"],
            registry=registry,
        )
