"""Every table of the activities service, imported in one place so the schema is complete at start-up."""

from services.activities.activities.models import Activity, ActivityCluster
from services.activities.delegations.models import (
    Delegation,
    DelegationMember,
    DelegationVisit,
    Recommendation,
)
from services.activities.divisions.models import Division
from services.activities.proposals.models import Proposal
from services.activities.registrations.models import Registration
from services.activities.replica.models import ClusterReplica, CommuneReplica, SchoolReplica, StaffReplica
from services.activities.results.models import ResultEntry, ResultSheet
from services.activities.support.models import Contribution, Pairing, SupportAward
from services.activities.tables import ACTIVITIES_METADATA

__all__ = [
    "ACTIVITIES_METADATA",
    "Activity",
    "ActivityCluster",
    "ClusterReplica",
    "CommuneReplica",
    "Contribution",
    "Delegation",
    "DelegationMember",
    "DelegationVisit",
    "Division",
    "Pairing",
    "Proposal",
    "Recommendation",
    "Registration",
    "ResultEntry",
    "ResultSheet",
    "SchoolReplica",
    "StaffReplica",
    "SupportAward",
]
