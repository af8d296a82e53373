"""Every table of the incidents service, for whoever needs the whole schema (being regrouped by concept)."""

from services.incidents.catalog.models import Category, Severity, SeverityRule
from services.incidents.filing.models import IdempotencyRecord
from services.incidents.incidents.models import (
    EscalationJob,
    Incident,
    JobState,
    Note,
    TimelineEntry,
    TimelineKind,
)
from services.incidents.replica.models import ReplicaCluster, ReplicaCommune, ReplicaSchool
from services.incidents.tables import INCIDENTS_METADATA

__all__ = [
    "INCIDENTS_METADATA",
    "Category",
    "EscalationJob",
    "IdempotencyRecord",
    "Incident",
    "JobState",
    "Note",
    "ReplicaCluster",
    "ReplicaCommune",
    "ReplicaSchool",
    "Severity",
    "SeverityRule",
    "TimelineEntry",
    "TimelineKind",
]
