"""Operators' view of incidents (DESIGN §6): open incidents by severity and cluster, overdue ones, the
time to acknowledge, and escalations fired. Registered on the service's own registry.

It knows no concept: the use cases that change an incident record into it, and the escalation job sets
the gauges from the counts the reports concept reads.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class OpenTally(Protocol):
    """Open incidents of one severity in one cluster (None: the Department), and how many are overdue."""

    @property
    def severity(self) -> str: ...
    @property
    def cluster_no(self) -> int | None: ...
    @property
    def open(self) -> int: ...
    @property
    def acknowledgement_overdue(self) -> int: ...
    @property
    def overdue(self) -> int: ...


def cluster_label(cluster_no: int | None) -> str:
    return str(cluster_no) if cluster_no is not None else "department"


class IncidentMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.open_incidents = Gauge(
            "incidents_open",
            "Open incidents by severity and cluster",
            ["severity", "cluster"],
            registry=registry,
        )
        self.overdue_acknowledgements = Gauge(
            "incidents_acknowledgement_overdue",
            "Incidents not acknowledged by their deadline, by severity and cluster",
            ["severity", "cluster"],
            registry=registry,
        )
        self.overdue = Gauge(
            "incidents_overdue",
            "Open incidents past their acknowledgement or resolution deadline, by cluster",
            ["cluster"],
            registry=registry,
        )
        self.time_to_acknowledge = Histogram(
            "incidents_time_to_acknowledge_seconds",
            "From report to acknowledgement",
            ["severity"],
            registry=registry,
            buckets=(60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600),
        )
        self.escalations = Counter(
            "incidents_escalations",
            "Escalation steps fired, by level and deadline",
            ["level", "deadline"],
            registry=registry,
        )

    def refresh(self, counts: Iterable[OpenTally]) -> None:
        """Set the gauges from the open incidents as the database holds them now."""
        by_severity: Tally[tuple[str, str]] = Tally()
        ack_overdue: Tally[tuple[str, str]] = Tally()
        overdue: Tally[str] = Tally()
        for row in counts:
            cluster = cluster_label(row.cluster_no)
            by_severity[(row.severity, cluster)] += row.open
            ack_overdue[(row.severity, cluster)] += row.acknowledgement_overdue
            overdue[cluster] += row.overdue
        # Cleared first: a cluster whose last open incident closed must read 0, not its old count.
        for gauge in (self.open_incidents, self.overdue_acknowledgements, self.overdue):
            gauge.clear()
        for (severity, cluster), count in by_severity.items():
            self.open_incidents.labels(severity, cluster).set(count)
        for severity, cluster in by_severity:
            self.overdue_acknowledgements.labels(severity, cluster).set(ack_overdue[(severity, cluster)])
        for cluster in overdue.keys() | {c for _, c in by_severity}:
            self.overdue.labels(cluster).set(overdue[cluster])
