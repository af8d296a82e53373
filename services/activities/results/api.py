"""HTTP routes of results and the award list export."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.activities.results import queries, service
from services.activities.results.models import ResultLinePublic, ResultsPublic, ResultsPublish
from shared.auth import CurrentPrincipal
from shared.tabular import rows_of
from shared.web import MIB, UnitOfWorkDep, body_limit
from shared.web.tables import FILE_RESPONSES, ExportFormat, export_format, table_response

router = APIRouter(tags=["results"])

Format = Annotated[ExportFormat, Depends(export_format())]
RESULT_COLUMNS = list(ResultLinePublic.model_fields)


@router.post("/activities/{activity_id}/results", response_model=ResultsPublic, status_code=201)
@body_limit(4 * MIB)  # a sheet of MAX_RESULT_LINES lines of about 120 bytes each, with room to spare
async def publish_results(
    activity_id: str, data: ResultsPublish, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Publish results (final), or a correction as a new version with its reason (organisers)."""
    return await service.publish(uow=uow, principal=principal, activity_id=activity_id, data=data)


@router.get("/activities/{activity_id}/results", response_model=ResultsPublic, responses=FILE_RESPONSES)
async def get_results(
    activity_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    fmt: Format,
    version: int | None = Query(default=None, ge=1, le=1_000_000),
) -> object:
    """The latest published results, or a given version (JSON; CSV or XLSX: one row per entry)."""
    results = await queries.get_results(
        uow=uow, principal=principal, activity_id=activity_id, version=version
    )
    if fmt is ExportFormat.JSON:
        return results
    rows = rows_of(results.entries, RESULT_COLUMNS)
    name = f"results-{activity_id}-v{results.version}"
    return table_response(fmt, name=name, columns=RESULT_COLUMNS, rows=rows)


@router.get("/activities/{activity_id}/results/versions")
async def list_result_versions(activity_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Every published version, the superseded ones included."""
    sheets = await queries.list_versions(uow=uow, principal=principal, activity_id=activity_id)
    return [sheet.model_dump(exclude={"id"}) for sheet in sheets]


@router.get("/activities/{activity_id}/awards", responses=FILE_RESPONSES)
async def export_awards(
    activity_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal, fmt: Format
) -> Response:
    """The award list of the latest results, as JSON, CSV or XLSX."""
    results = await queries.get_results(uow=uow, principal=principal, activity_id=activity_id)
    rows = queries.award_rows(results)
    if fmt is ExportFormat.JSON:
        return Response(json.dumps(rows, ensure_ascii=False), media_type="application/json")
    name = f"awards-{activity_id}-v{results.version}"
    columns = list(queries.AWARD_FILE_COLUMNS)
    return table_response(fmt, name=name, columns=columns, rows=rows_of(rows, columns))
