"""Who may manage or read which activity (DESIGN §4), as plain predicates on the caller; no I/O.

Department staff (the organising divisions sit in the Department) manage everything. A cluster leader
manages the activities that involve their cluster and are not province-wide. Principals register their
own school's people. Everyone reads what involves their cluster; the cluster of a principal's school or a
commune officer's commune is looked up in the replica (``access.queries``) and handed in as ``home_cluster``.
"""

from __future__ import annotations

from collections.abc import Collection

from shared.auth.principal import Principal
from shared.auth.roles import Role


def can_manage(principal: Principal, *, cluster_nos: Collection[int], whole_province: bool) -> bool:
    if principal.is_department_staff:
        return True
    if principal.role is Role.CLUSTER_LEADER and not whole_province:
        return principal.cluster_no in cluster_nos
    return False


def can_create(principal: Principal, *, cluster_nos: Collection[int], whole_province: bool) -> bool:
    """A cluster leader plans activities for their own cluster alone; the Department for any."""
    if principal.is_department_staff:
        return True
    return (
        principal.role is Role.CLUSTER_LEADER
        and not whole_province
        and set(cluster_nos) == {principal.cluster_no}
    )


def visible_clusters(principal: Principal, *, home_cluster: int | None) -> frozenset[int] | None:
    """The clusters whose activities the caller reads; None means all of them."""
    if principal.sees_everything:
        return None
    clusters = set(principal.scoped_clusters)
    if home_cluster is not None:
        clusters.add(home_cluster)
    return frozenset(clusters)


def can_read(
    principal: Principal, *, cluster_nos: Collection[int], whole_province: bool, home_cluster: int | None
) -> bool:
    clusters = visible_clusters(principal, home_cluster=home_cluster)
    return clusters is None or whole_province or bool(clusters.intersection(cluster_nos))


def can_register_for(principal: Principal, school_code: str) -> bool:
    """Principals register their own school's people; Department staff may register anyone's."""
    if principal.is_department_staff:
        return True
    return principal.role is Role.SCHOOL_PRINCIPAL and principal.school_id == school_code
