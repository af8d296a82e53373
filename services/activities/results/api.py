"""HTTP routes of results and the award list export."""

from __future__ import annotations

import json
from enum import StrEnum

from fastapi import APIRouter, Query, Response

from services.activities.results import queries, service
from services.activities.results.models import ResultsPublic, ResultsPublish
from shared.auth import CurrentPrincipal
from shared.web import MIB, UnitOfWorkDep, body_limit

router = APIRouter(tags=["results"])


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@router.post("/activities/{activity_id}/results", response_model=ResultsPublic, status_code=201)
@body_limit(4 * MIB)  # a sheet of MAX_RESULT_LINES lines of about 120 bytes each, with room to spare
async def publish_results(
    activity_id: str, data: ResultsPublish, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Publish results (final), or a correction as a new version with its reason (organisers)."""
    return await service.publish(uow=uow, principal=principal, activity_id=activity_id, data=data)


@router.get("/activities/{activity_id}/results", response_model=ResultsPublic)
async def get_results(
    activity_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    version: int | None = Query(default=None, ge=1, le=1_000_000),
) -> object:
    """The latest published results, or a given version."""
    return await queries.get_results(uow=uow, principal=principal, activity_id=activity_id, version=version)


@router.get("/activities/{activity_id}/results/versions")
async def list_result_versions(activity_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Every published version, the superseded ones included."""
    sheets = await queries.list_versions(uow=uow, principal=principal, activity_id=activity_id)
    return [sheet.model_dump(exclude={"id"}) for sheet in sheets]


@router.get("/activities/{activity_id}/awards")
async def export_awards(
    activity_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    format: ExportFormat = ExportFormat.JSON,
) -> Response:
    """The award list of the latest results, as CSV or JSON."""
    results = await queries.get_results(uow=uow, principal=principal, activity_id=activity_id)
    rows = queries.award_rows(results)
    if format is ExportFormat.CSV:
        return Response(
            queries.awards_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="awards-{activity_id}-v{results.version}.csv"'
            },
        )
    return Response(json.dumps(rows, ensure_ascii=False), media_type="application/json")
