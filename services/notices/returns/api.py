"""HTTP routes of returns: file (and correct) a school's return, read its versions, the rates report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from services.notices.returns import adapters, queries, service
from services.notices.returns.models import (
    ExportFormat,
    GroupBy,
    RatesReport,
    SubmissionCreate,
    SubmissionPublic,
)
from shared.auth import CurrentPrincipal
from shared.clock import utc_now
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["returns"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post("/notices/{notice_id}/return", response_model=SubmissionPublic, status_code=201)
async def submit_return(
    notice_id: str,
    data: SubmissionCreate,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> object:
    """File the caller's school's return, or correct it before the due date (a new version); after the
    due date a first return is taken and marked late. The same ``Idempotency-Key`` counts once."""
    submission, created = await service.submit(
        uow=uow,
        principal=principal,
        notice_id=notice_id,
        values=data.values,
        idempotency_key=idempotency_key,
        now=utc_now(),
    )
    if not created:
        return JSONResponse(submission.model_dump(mode="json"), status_code=200)
    return submission


@router.get("/notices/{notice_id}/return/schools/{school_code}", response_model=list[SubmissionPublic])
async def school_versions(
    notice_id: str, school_code: str, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Every version a school filed, oldest first."""
    return await queries.versions(uow=uow, principal=principal, notice_id=notice_id, school_code=school_code)


@router.get("/notices/{notice_id}/return/rates", response_model=RatesReport)
async def reporting_rates(
    notice_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    group_by: GroupBy = GroupBy.CLUSTER,
    cluster_no: int | None = Query(default=None, ge=1, le=99),
    format: ExportFormat = ExportFormat.JSON,
) -> object:
    """Expected, submitted, on time, late and missing per cluster, commune, level or school; as JSON,
    CSV (UTF-8 with BOM) or XLSX."""
    report = await queries.rates_report(
        uow=uow, principal=principal, notice_id=notice_id, group_by=group_by, cluster_no=cluster_no
    )
    name = f"return-{report.number.replace('/', '-')}-{group_by.value}"
    if format is ExportFormat.CSV:
        return Response(
            adapters.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}.csv"'},
        )
    if format is ExportFormat.XLSX:
        return Response(
            adapters.to_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}.xlsx"'},
        )
    return report


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
