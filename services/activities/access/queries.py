"""The caller's scope as the registry replica knows it now: the cluster of their school or commune."""

from __future__ import annotations

from collections.abc import Collection

from services.activities.access import domain
from services.activities.replica.models import CommuneReplica, SchoolReplica
from shared.auth import Principal, Role
from shared.db import UnitOfWork


async def home_cluster(uow: UnitOfWork, principal: Principal) -> int | None:
    """The cluster of a principal's school or a commune officer's commune, as the replica knows it now."""
    if principal.role is Role.SCHOOL_PRINCIPAL and principal.school_id:
        school = await uow.session.get(SchoolReplica, principal.school_id)
        return school.cluster_no if school else None
    if principal.role is Role.COMMUNE_OFFICER and principal.commune_code:
        commune = await uow.session.get(CommuneReplica, principal.commune_code)
        return commune.cluster_no if commune else None
    return None


async def visible_clusters(uow: UnitOfWork, principal: Principal) -> frozenset[int] | None:
    """The clusters whose activities the caller reads; None means all of them."""
    return domain.visible_clusters(principal, home_cluster=await home_cluster(uow, principal))


async def can_read(
    uow: UnitOfWork, principal: Principal, *, cluster_nos: Collection[int], whole_province: bool
) -> bool:
    return domain.can_read(
        principal,
        cluster_nos=cluster_nos,
        whole_province=whole_province,
        home_cluster=await home_cluster(uow, principal),
    )
