"""The delivery metrics the operations engineer writes alerts on; their names are fixed."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class DeliveryMetrics:
    """Built before the app (the fan-out consumer counts into it), registered once the app's registry is."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.deliveries = Counter(
            "notification_deliveries_total",
            "Delivery attempts by channel and outcome (delivered, failed, retried)",
            ["channel", "outcome"],
            registry=None,
        )
        self.latency = Histogram(
            "notification_delivery_latency_seconds",
            "From the source event's time to delivery (held messages included)",
            ["channel"],
            registry=None,
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600),
        )
        self.retry_backlog = Gauge(
            "notification_retry_backlog",
            "Deliveries waiting for a retry after a transient failure",
            ["channel"],
            registry=None,
        )
        self.incidents_unreached = Counter(
            "notification_incidents_unreached_total",
            "Reported incidents whose first step reached nobody of their own cluster or commune (the "
            "registry has no leader, members or commune office there): the Department's duty desk stood in",
            ["cluster"],
            registry=None,
        )
        if registry is not None:
            self.register(registry)

    def register(self, registry: CollectorRegistry) -> None:
        for collector in (self.deliveries, self.latency, self.retry_backlog, self.incidents_unreached):
            registry.register(collector)
