"""Every registry table, imported in one place so the metadata the app creates is complete."""

from services.registry.clusters.models import Cluster, ClusterMembership
from services.registry.communes.models import Commune, CommuneAssignment, OldDistrict
from services.registry.schools.models import CoreRegion, School
from services.registry.staff.models import Staff
from services.registry.tables import RegistryTable

REGISTRY_METADATA = RegistryTable.metadata

__all__ = [
    "REGISTRY_METADATA",
    "Cluster",
    "ClusterMembership",
    "Commune",
    "CommuneAssignment",
    "CoreRegion",
    "OldDistrict",
    "School",
    "Staff",
]
