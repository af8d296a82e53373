"""The registry replica every consuming service keeps: one mechanism, each service its own tables.

A service declares which registry entities it mirrors (a table per entity, with only the columns it
needs) and, where it must react, a hook; ``registry_replica`` builds the consumer group that keeps them.
"""

from shared.replica.apply import apply_state, remove_entity
from shared.replica.consumer import ReplicaHook, ReplicaTable, registry_replica
from shared.replica.tables import VersionedRow

__all__ = [
    "ReplicaHook",
    "ReplicaTable",
    "VersionedRow",
    "apply_state",
    "registry_replica",
    "remove_entity",
]
