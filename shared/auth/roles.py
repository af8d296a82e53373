"""The roles a bearer token can carry (DESIGN §4): who someone is decides what they may see."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DEPARTMENT_ADMIN = "department_admin"
    DEPARTMENT_OFFICER = "department_officer"
    CLUSTER_LEADER = "cluster_leader"
    CLUSTER_MEMBER = "cluster_member"
    SCHOOL_PRINCIPAL = "school_principal"
    COMMUNE_OFFICER = "commune_officer"
    INTEGRATION_CLIENT = "integration_client"


DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER})
"""The Department directs every school and commune, clustered or not, so its staff see everything."""

CLUSTER_ROLES = frozenset({Role.CLUSTER_LEADER, Role.CLUSTER_MEMBER})
"""A cluster's people act for one cluster and see only what is currently assigned to it."""
