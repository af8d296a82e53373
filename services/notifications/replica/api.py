"""What the service knows of the registry, for operators checking that its replica is current."""

from __future__ import annotations

from fastapi import APIRouter

from services.notifications.replica import queries
from services.notifications.replica.models import ClusterReplicaPublic
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["registry replica"])


@router.get("/replica/clusters", response_model=list[ClusterReplicaPublic])
async def list_replica_clusters(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """The clusters as this service last heard of them from the registry's events."""
    return await queries.list_clusters(uow=uow)
