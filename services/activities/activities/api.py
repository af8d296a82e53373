"""HTTP routes of activities and the calendar.

Editing an activity and changing its status touch its places, which the registrations concept keeps; it
sits above this one, so the composition root builds these routes with them (``activities_router``).
"""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.activities.activities import queries, service
from services.activities.activities.models import (
    ActivityCreate,
    ActivityPublic,
    ActivityUpdate,
    LoadedActivity,
    StatusChange,
    activity_public,
)
from services.activities.activities.service import Places
from shared.auth import CurrentPrincipal
from shared.events.activities import ActivityKind, ActivityStatus
from shared.web import UnitOfWorkDep


def _public(loaded: LoadedActivity) -> ActivityPublic:
    return activity_public(loaded.activity, loaded.cluster_nos)


def activities_router(places: Places) -> APIRouter:
    """The routes of activities and the calendar; ``places`` are the activities' seats and waiting lists."""
    router = APIRouter(tags=["activities"])

    @router.post("/activities", response_model=ActivityPublic, status_code=201)
    async def schedule_activity(
        data: ActivityCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
    ) -> object:
        """Plan an activity, seminar or contest and put it on the calendar."""
        return _public(await service.schedule(uow=uow, principal=principal, data=data))

    @router.get("/activities", response_model=list[ActivityPublic])
    async def list_activities(
        uow: UnitOfWorkDep,
        principal: CurrentPrincipal,
        cluster_no: int | None = Query(default=None, ge=1, le=99),
        kind: ActivityKind | None = None,
        status: ActivityStatus | None = None,
        starts_from: AwareDatetime | None = None,
        starts_before: AwareDatetime | None = None,
    ) -> object:
        """Activities the caller may see, filtered by cluster, kind, status and dates."""
        found = await queries.list_activities(
            uow=uow,
            principal=principal,
            cluster_no=cluster_no,
            kind=kind,
            status=status,
            starts_from=starts_from,
            starts_before=starts_before,
        )
        return [_public(loaded) for loaded in found]

    @router.get("/activities/{activity_id}", response_model=ActivityPublic)
    async def get_activity(activity_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
        """One activity, if the caller may see it."""
        return _public(await queries.load_for_reading(uow, principal, activity_id))

    @router.patch("/activities/{activity_id}", response_model=ActivityPublic)
    async def update_activity(
        activity_id: str, data: ActivityUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
    ) -> object:
        """Change an activity's details before it starts (organisers)."""
        return _public(
            await service.update_activity(
                uow=uow, principal=principal, activity_id=activity_id, data=data, places=places
            )
        )

    @router.post("/activities/{activity_id}/status", response_model=ActivityPublic)
    async def change_status(
        activity_id: str, change: StatusChange, uow: UnitOfWorkDep, principal: CurrentPrincipal
    ) -> object:
        """Open or close registration, start, complete or cancel an activity (organisers)."""
        return _public(
            await service.change_status(
                uow=uow, principal=principal, activity_id=activity_id, change=change, places=places
            )
        )

    @router.get("/calendar", response_model=list[ActivityPublic])
    async def cluster_calendar(
        uow: UnitOfWorkDep,
        principal: CurrentPrincipal,
        cluster_no: int = Query(ge=1, le=99, examples=[1]),
        week: str = Query(pattern=r"^\d{4}-W\d{2}$", examples=["2026-W48"]),
    ) -> object:
        """What is on in a cluster in an ISO week (Vietnam time), province-wide activities included."""
        found = await queries.calendar(uow=uow, principal=principal, cluster_no=cluster_no, week=week)
        return [_public(loaded) for loaded in found]

    return router
