"""What the world is told about an incident: event payloads built from its state, with no free text and
no personal details (descriptions, places, names and notes never leave the service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.events.incidents import IncidentStatus, RouteKind


class Publishable(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def school_code(self) -> str | None: ...
    @property
    def commune_code(self) -> str | None: ...
    @property
    def cluster_no(self) -> int | None: ...
    @property
    def route(self) -> RouteKind: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def restricted(self) -> bool: ...
    @property
    def status(self) -> IncidentStatus: ...
    @property
    def occurred_at(self) -> datetime: ...


def facts(incident: Publishable) -> dict[str, Any]:
    """The fields every incident event carries (``IncidentFactsV1``)."""
    return {
        "incident_id": incident.id,
        "reference": incident.reference,
        "school_code": incident.school_code,
        "commune_code": incident.commune_code,
        "cluster_no": incident.cluster_no,
        "route": incident.route,
        "category": incident.category,
        "severity": incident.severity,
        "restricted": incident.restricted,
        "status": incident.status,
        "occurred_at": incident.occurred_at,
    }
