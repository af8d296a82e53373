"""HTTP routes of registration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from services.activities.registrations import queries, service
from services.activities.registrations.models import RegistrationCreate, RegistrationPublic
from shared.auth import CurrentPrincipal
from shared.events.activities import RegistrationStatus
from shared.tabular import rows_of
from shared.web import UnitOfWorkDep
from shared.web.tables import FILE_RESPONSES, ExportFormat, export_format, table_response

router = APIRouter(tags=["registrations"])


@router.post(
    "/activities/{activity_id}/registrations",
    response_model=RegistrationPublic,
    status_code=201,
    responses={200: {"description": "Already registered: nothing changed"}},
)
async def register(
    activity_id: str,
    data: RegistrationCreate,
    response: Response,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
) -> object:
    """Register a teacher or pupil of a school; over capacity, join the waiting list."""
    registration, created = await service.register(
        uow=uow, principal=principal, activity_id=activity_id, data=data
    )
    if not created:
        response.status_code = 200
    return RegistrationPublic.model_validate(registration.model_dump())


@router.get(
    "/activities/{activity_id}/registrations",
    response_model=list[RegistrationPublic],
    responses=FILE_RESPONSES,
)
async def list_registrations(
    activity_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    fmt: Annotated[ExportFormat, Depends(export_format())],
    status: RegistrationStatus | None = None,
) -> object:
    """An activity's registrations with waiting-list positions (a principal sees their own school's), as
    JSON, CSV or XLSX."""
    registrations = await queries.list_registrations(
        uow=uow, principal=principal, activity_id=activity_id, status=status
    )
    if fmt is ExportFormat.JSON:
        return registrations
    columns = list(RegistrationPublic.model_fields)
    rows = rows_of([registration.model_dump(mode="json") for registration in registrations], columns)
    return table_response(fmt, name=f"registrations-{activity_id}", columns=columns, rows=rows)


@router.post(
    "/activities/{activity_id}/registrations/{registration_id}/withdraw", response_model=RegistrationPublic
)
async def withdraw(
    activity_id: str, registration_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Withdraw a registration; the first on the waiting list takes the freed place."""
    registration = await service.withdraw(
        uow=uow, principal=principal, activity_id=activity_id, registration_id=registration_id
    )
    return RegistrationPublic.model_validate(registration.model_dump())
