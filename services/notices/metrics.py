"""Operators' view of notices (DESIGN §6): addressees silent past a notice's reply date, and schools
missing a return past its due date, by cluster. Registered on the service's own registry and refreshed
from the database by the metrics job (every replica reports the same numbers: alerts take max())."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Gauge


def cluster_label(cluster_no: int | None) -> str:
    return str(cluster_no) if cluster_no is not None else "department"


class NoticeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.unacknowledged = Gauge(
            "notices_unacknowledged_past_reply_by",
            "Addressees who have not acknowledged a notice whose reply date passed, by cluster",
            ["cluster"],
            registry=registry,
        )
        self.returns_missing = Gauge(
            "notices_returns_missing",
            "Schools that have filed nothing for a return past its due date, by cluster",
            ["cluster"],
            registry=registry,
        )

    def refresh(self, *, unacknowledged: Mapping[int | None, int], missing: Mapping[int | None, int]) -> None:
        # Cleared first: a cluster whose last silent addressee answered must read 0, not its old count.
        for gauge, counts in ((self.unacknowledged, unacknowledged), (self.returns_missing, missing)):
            gauge.clear()
            for cluster_no, count in counts.items():
                gauge.labels(cluster_label(cluster_no)).set(count)
