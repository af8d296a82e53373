"""The base of the incidents service's tables (now in ``services.incidents.tables``)."""

from services.incidents.tables import INCIDENTS_METADATA, IncidentsTable

__all__ = ["INCIDENTS_METADATA", "IncidentsTable"]
