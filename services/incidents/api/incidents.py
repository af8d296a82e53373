"""Routes on incidents: report, read, move through the lifecycle, notes, timeline and escalations."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from services.incidents.api.dependencies import IncidentId, MetricsDep, Now, SettingsDep
from services.incidents.domain.lifecycle import Action
from services.incidents.models import (
    EscalationPublic,
    IncidentPublic,
    IncidentReport,
    NoteCreate,
    NotePublic,
    TimelineEntryPublic,
    TransitionRequest,
)
from services.incidents.service import incidents as service
from services.incidents.service import lifecycle, reporting
from shared.auth import CurrentPrincipal
from shared.events.incidents import IncidentStatus
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/incidents", tags=["incidents"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Retrying with the same key returns the incident the first attempt created",
    ),
]


@router.post("", response_model=IncidentPublic, status_code=status.HTTP_201_CREATED)
async def report_incident(
    data: IncidentReport,
    response: Response,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> IncidentPublic:
    """Report an incident at a school or commune; it is routed and its deadlines start at once."""
    incident, created = await reporting.report(
        uow=uow,
        principal=principal,
        data=data,
        now=now,
        skew=timedelta(seconds=settings.occurred_at_skew_s),
        idempotency_key=idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return service.present(incident, principal)


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
    found = await service.list_visible(
        uow=uow,
        principal=principal,
        status=status_,
        cluster_no=cluster_no,
        category=category,
        severity=severity,
        limit=limit,
        offset=offset,
    )
    return [service.present(incident, principal) for incident in found]


@router.get("/{incident_id}", response_model=IncidentPublic)
async def get_incident(
    incident_id: IncidentId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> IncidentPublic:
    """Read one incident (restricted details only for its cluster leader and the Department)."""
    incident = await service.get_visible(uow=uow, principal=principal, incident_id=incident_id)
    return service.present(incident, principal)


class Transition:
    """What every lifecycle route needs, gathered once so each route names only its action."""

    def __init__(
        self, uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now, metrics: MetricsDep
    ) -> None:
        self.uow, self.principal, self.now, self.metrics = uow, principal, now, metrics

    async def apply(
        self, action: Action, incident_id: str, request: TransitionRequest | None
    ) -> IncidentPublic:
        incident = await lifecycle.transition(
            uow=self.uow,
            principal=self.principal,
            incident_id=incident_id,
            action=action,
            reason=request.reason if request else None,
            now=self.now,
            metrics=self.metrics,
        )
        return service.present(incident, self.principal)


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
    return await service.timeline(uow=uow, principal=principal, incident_id=incident_id)


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
    return await service.list_notes(uow=uow, principal=principal, incident_id=incident_id)


@router.get("/{incident_id}/escalations", response_model=list[EscalationPublic])
async def list_escalations(
    incident_id: IncidentId, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """The incident's escalation steps: pending, fired or cancelled."""
    return await service.escalations(uow=uow, principal=principal, incident_id=incident_id)
