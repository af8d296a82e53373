"""The route that files an incident report; the incidents routes read and move it from then on."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status

from services.incidents.catalog.queries import CatalogSnapshot
from services.incidents.filing import service
from services.incidents.filing.models import IncidentReport
from services.incidents.incidents.api import Now, SettingsDep
from services.incidents.incidents.models import IncidentPublic
from services.incidents.incidents.queries import present
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/incidents", tags=["incidents"])


async def catalog_now(request: Request, uow: UnitOfWorkDep) -> CatalogSnapshot:
    """The catalog as this process keeps it (read in the request's unit of work when it is not kept)."""
    snapshot: CatalogSnapshot = await request.app.state.catalog.get(uow)
    return snapshot


CatalogDep = Annotated[CatalogSnapshot, Depends(catalog_now)]

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
    catalog: CatalogDep,
    principal: CurrentPrincipal,
    now: Now,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> IncidentPublic:
    """Report an incident at a school or commune; it is routed and its deadlines start at once."""
    incident, created = await service.report(
        uow=uow,
        catalog=catalog,
        principal=principal,
        data=data,
        now=now,
        skew=timedelta(seconds=settings.occurred_at_skew_s),
        idempotency_key=idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return present(incident, principal)
