"""Who may change what in the registry (issue #4, DESIGN §4), as plain predicates over a Principal.

The department admin writes everything; a cluster leader edits the schools and staff of the cluster; a
principal edits only the contacts of the school. Reading is scoped by ``Principal.can_see_*``.
"""

from __future__ import annotations

from enum import StrEnum

from shared.auth.principal import Principal
from shared.auth.roles import Role

SCHOOL_CONTACT_FIELDS = frozenset({"principal_name", "phone", "email", "address"})


class EditRight(StrEnum):
    NONE = "none"
    CONTACTS = "contacts"
    ALL = "all"


def manages_cluster(principal: Principal, cluster_no: int | None) -> bool:
    """The admin manages every cluster and the communes in none; a leader only their own cluster."""
    if principal.role is Role.DEPARTMENT_ADMIN:
        return True
    return (
        principal.role is Role.CLUSTER_LEADER
        and cluster_no is not None
        and cluster_no == principal.cluster_no
    )


def school_edit_right(principal: Principal, *, school_code: str, cluster_no: int | None) -> EditRight:
    if manages_cluster(principal, cluster_no):
        return EditRight.ALL
    if principal.role is Role.SCHOOL_PRINCIPAL and principal.school_id == school_code:
        return EditRight.CONTACTS
    return EditRight.NONE


def fields_beyond_right(right: EditRight, fields: set[str]) -> set[str]:
    """The changed fields the right does not cover; empty when the change is allowed."""
    if right is EditRight.ALL:
        return set()
    if right is EditRight.CONTACTS:
        return fields - SCHOOL_CONTACT_FIELDS
    return fields
