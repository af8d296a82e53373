"""HTTP route for a cluster's summary."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.clusters.api import ClusterNo
from services.registry.summaries import queries
from services.registry.summaries.models import ClusterSummary
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/clusters", tags=["clusters"])


@router.get("/{cluster_no}/summary", response_model=ClusterSummary)
async def cluster_summary(cluster_no: ClusterNo, uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """A cluster at a glance: its communes, schools by level, staff, leader and members."""
    return await queries.summary(uow=uow, cluster_no=cluster_no)
