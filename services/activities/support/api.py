"""HTTP routes of the support program."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.activities.support import queries, service
from services.activities.support.domain import TotalsBy
from services.activities.support.models import (
    PERIOD_CODE,
    AwardCreate,
    AwardPublic,
    ContributionCreate,
    ContributionPublic,
    PairingCreate,
    PairingPublic,
    PeriodCreate,
    PeriodPublic,
    TotalLine,
    pairing_public,
)
from shared.auth import CurrentPrincipal
from shared.events.activities import ContributionKindV2
from shared.tabular import rows_of
from shared.web import UnitOfWorkDep
from shared.web.tables import FILE_RESPONSES, ExportFormat, export_format, table_response

Format = Annotated[ExportFormat, Depends(export_format())]

router = APIRouter(prefix="/support", tags=["support program"])


@router.get("/periods", response_model=list[PeriodPublic])
async def list_periods(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """The program's periods (giai đoạn), oldest first; every contribution belongs to the one of its date."""
    return await queries.list_periods(uow)


@router.post("/periods", response_model=PeriodPublic, status_code=201)
async def create_period(data: PeriodCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Add the program's next period (Department staff); periods never overlap."""
    return await service.create_period(uow=uow, principal=principal, data=data)


@router.post("/pairings", response_model=PairingPublic, status_code=201)
async def create_pairing(data: PairingCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Pair a helper unit with a helped unit for a period (Department staff)."""
    return pairing_public(await service.create_pairing(uow=uow, principal=principal, data=data))


@router.get("/pairings", response_model=list[PairingPublic])
async def list_pairings(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """The pairings the caller may see."""
    return [pairing_public(p) for p in await queries.list_pairings(uow=uow, principal=principal)]


@router.post("/pairings/{pairing_id}/contributions", response_model=ContributionPublic, status_code=201)
async def record_contribution(
    pairing_id: str, data: ContributionCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Record money (whole VND), goods or equipment (with their value), professional support or training."""
    return await service.record_contribution(uow=uow, principal=principal, pairing_id=pairing_id, data=data)


@router.get("/pairings/{pairing_id}/contributions", response_model=list[ContributionPublic])
async def list_contributions(pairing_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """A pairing's contributions in date order."""
    return await queries.list_contributions(uow=uow, principal=principal, pairing_id=pairing_id)


@router.get("/totals", response_model=list[TotalLine], responses=FILE_RESPONSES)
async def support_totals(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    fmt: Format,
    by: TotalsBy = TotalsBy.SCHOOL_YEAR,
    school_year: str | None = None,
    period: str | None = Query(default=None, pattern=PERIOD_CODE, description="A period's code"),
    cluster_no: int | None = Query(default=None, ge=1, le=99),
    kind: ContributionKindV2 | None = None,
) -> object:
    """Totals in whole VND by school year, period, kind, unit or cluster, with filters (a period's totals
    per kind: ``by=kind&period=2023-2028``), as JSON, CSV or XLSX."""
    lines = await queries.totals(
        uow=uow,
        principal=principal,
        by=by,
        school_year=school_year,
        period=period,
        cluster_no=cluster_no,
        kind=kind,
    )
    if fmt is ExportFormat.JSON:
        return lines
    columns = list(TotalLine.model_fields)
    return table_response(
        fmt, name=f"support-totals-{by.value}", columns=columns, rows=rows_of(lines, columns)
    )


@router.post("/awards", response_model=AwardPublic, status_code=201)
async def record_award(data: AwardCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Record the Department's award to a group or an individual of the program."""
    return await service.record_award(uow=uow, principal=principal, data=data)


@router.get("/awards", response_model=list[AwardPublic], responses=FILE_RESPONSES)
async def list_awards(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, fmt: Format, school_year: str | None = None
) -> object:
    """The program's awards, by school year (JSON, CSV or XLSX)."""
    awards = await queries.list_awards(uow=uow, principal=principal, school_year=school_year)
    if fmt is ExportFormat.JSON:
        return awards
    columns = list(AwardPublic.model_fields)
    rows = rows_of([AwardPublic.model_validate(award).model_dump(mode="json") for award in awards], columns)
    return table_response(fmt, name="support-awards", columns=columns, rows=rows)
