"""Routes on incidents: read, move through the lifecycle, notes, timeline and escalations; and what the
incidents routes need besides a unit of work and a principal (the clock, settings, metrics)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from services.incidents.incidents import queries, service
from services.incidents.incidents.domain import Action
from services.incidents.incidents.models import (
    EscalationPublic,
    IncidentPublic,
    NoteCreate,
    NotePublic,
    TimelineEntryPublic,
    TransitionRequest,
)
from services.incidents.metrics import IncidentMetrics
from services.incidents.settings import IncidentsSettings
from shared.auth import CurrentPrincipal
from shared.events.incidents import IncidentStatus
from shared.web import UnitOfWorkDep


async def now(request: Request) -> datetime:
    """The app's clock (injected, so tests can move time)."""
    moment: datetime = request.app.state.clock()
    return moment


async def incidents_settings(request: Request) -> IncidentsSettings:
    settings: IncidentsSettings = request.app.state.runtime.settings
    return settings


async def incident_metrics(request: Request) -> IncidentMetrics:
    metrics: IncidentMetrics = request.app.state.incident_metrics
    return metrics


Now = Annotated[datetime, Depends(now)]
SettingsDep = Annotated[IncidentsSettings, Depends(incidents_settings)]
MetricsDep = Annotated[IncidentMetrics, Depends(incident_metrics)]
IncidentId = Annotated[str, Path(min_length=1, max_length=36, description="The incident's id")]

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=list[IncidentPublic])
async def list_incidents(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    status_: Annotated[IncidentStatus | None, Query(alias="status")] = None,
    cluster_no: Annotated[int | None, Query(ge=1, le=99)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    severity: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[IncidentPublic]:
    """List the incidents you may see, newest first."""
    found = await queries.list_visible(
        uow=uow,
        principal=principal,
        status=status_,
        cluster_no=cluster_no,
        category=category,
        severity=severity,
        limit=limit,
        offset=offset,
    )
    return [queries.present(incident, principal) for incident in found]


@router.get("/{incident_id}", response_model=IncidentPublic)
async def get_incident(
    incident_id: IncidentId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> IncidentPublic:
    """Read one incident (restricted details only for its cluster leader and the Department)."""
    incident = await queries.get_visible(uow=uow, principal=principal, incident_id=incident_id)
    return queries.present(incident, principal)


class Transition:
    """What every lifecycle route needs, gathered once so each route names only its action."""

    def __init__(
        self, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now, metrics: MetricsDep
    ) -> None:
        self.uow, self.principal, self.now, self.metrics = uow, principal, now, metrics

    async def apply(
        self, action: Action, incident_id: str, request: TransitionRequest | None
    ) -> IncidentPublic:
        incident = await service.transition(
            uow=self.uow,
            principal=self.principal,
            incident_id=incident_id,
            action=action,
            reason=request.reason if request else None,
            now=self.now,
            metrics=self.metrics,
        )
        return queries.present(incident, self.principal)


TransitionDep = Annotated[Transition, Depends()]


@router.post("/{incident_id}/acknowledge", response_model=IncidentPublic)
async def acknowledge(
    incident_id: IncidentId, transition: TransitionDep, request: TransitionRequest | None = None
) -> IncidentPublic:
    """Acknowledge a reported incident: its acknowledgement escalations stop."""
    return await transition.apply(Action.ACKNOWLEDGE, incident_id, request)


@router.post("/{incident_id}/start", response_model=IncidentPublic)
async def start(
    incident_id: IncidentId, transition: TransitionDep, request: TransitionRequest | None = None
) -> IncidentPublic:
    """Mark an acknowledged incident as being handled."""
    return await transition.apply(Action.START, incident_id, request)


@router.post("/{incident_id}/resolve", response_model=IncidentPublic)
async def resolve(
    incident_id: IncidentId, transition: TransitionDep, request: TransitionRequest | None = None
) -> IncidentPublic:
    """Resolve an incident: every escalation still pending stops."""
    return await transition.apply(Action.RESOLVE, incident_id, request)


@router.post("/{incident_id}/close", response_model=IncidentPublic)
async def close(
    incident_id: IncidentId, transition: TransitionDep, request: TransitionRequest | None = None
) -> IncidentPublic:
    """Close a resolved incident (cluster leader or Department)."""
    return await transition.apply(Action.CLOSE, incident_id, request)


@router.post("/{incident_id}/reopen", response_model=IncidentPublic)
async def reopen(
    incident_id: IncidentId, request: TransitionRequest, transition: TransitionDep
) -> IncidentPublic:
    """Reopen a resolved or closed incident with a reason; its deadlines start again."""
    return await transition.apply(Action.REOPEN, incident_id, request)


@router.get("/{incident_id}/timeline", response_model=list[TimelineEntryPublic])
async def get_timeline(incident_id: IncidentId, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Every change to the incident: who, when, from which status to which, and why."""
    return await queries.timeline(uow=uow, principal=principal, incident_id=incident_id)


@router.post("/{incident_id}/notes", response_model=NotePublic, status_code=status.HTTP_201_CREATED)
async def add_note(
    incident_id: IncidentId, data: NoteCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now
) -> object:
    """Add a note to the incident's record."""
    return await service.add_note(
        uow=uow, principal=principal, incident_id=incident_id, text=data.text, now=now
    )


@router.get("/{incident_id}/notes", response_model=list[NotePublic])
async def list_notes(incident_id: IncidentId, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Read the incident's notes (restricted incidents: cluster leader and Department only)."""
    return await queries.list_notes(uow=uow, principal=principal, incident_id=incident_id)


@router.get("/{incident_id}/escalations", response_model=list[EscalationPublic])
async def list_escalations(
    incident_id: IncidentId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """The incident's escalation steps: pending, fired or cancelled."""
    return await queries.list_escalations(uow=uow, principal=principal, incident_id=incident_id)
