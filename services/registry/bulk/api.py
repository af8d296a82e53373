"""HTTP routes for bulk import and export of schools and staff, in CSV or JSON.

Registered before the school and staff routers so ``/schools/export`` is not read as a school's code.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from services.registry.bulk import service
from services.registry.bulk.domain import MAX_IMPORT_ROWS
from services.registry.bulk.models import FileFormat, ImportReport
from services.registry.bulk.service import Importer, SchoolImporter, StaffImporter
from services.registry.schools import models as school_models
from services.registry.schools import queries as school_queries
from services.registry.schools.api import Filters as SchoolFilterDep
from services.registry.staff import models as staff_models
from services.registry.staff import queries as staff_queries
from services.registry.staff.api import Filters as StaffFilterDep
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.errors import Unprocessable
from shared.web import MIB, UnitOfWorkDep, body_limit

router = APIRouter(tags=["import and export"])

Manager = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.CLUSTER_LEADER))]
DryRun = Annotated[bool, Query(description="Check every row and report, change nothing")]
Format = Annotated[FileFormat | None, Query(alias="format", description="Default: from Content-Type")]
EVERYTHING = 10**9  # an export is not paginated
IMPORT_MAX_BYTES = 8 * MIB
"""Room for MAX_IMPORT_ROWS rows of about 1.5 KB each (a school's row is nearer 300 bytes); other routes take
the service's small default."""

_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {"type": "array", "maxItems": MAX_IMPORT_ROWS, "items": {"type": "object"}}
            },
        },
    }
}
_IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    # Beside the report, a 422 can be the error body of every route (a bad query value, an unreadable
    # file): shared.web.openapi declares both.
    422: {
        "model": ImportReport,
        "description": "Some rows are wrong (each named by line and field), or the file or a parameter is",
    }
}


@router.post(
    "/schools/import", response_model=ImportReport, openapi_extra=_IMPORT_BODY, responses=_IMPORT_RESPONSES,
    tags=["schools"],
)  # fmt: skip
@body_limit(IMPORT_MAX_BYTES)
async def import_schools(
    request: Request, uow: UnitOfWorkDep, principal: Manager, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """Create or update schools from a CSV or JSON file: all rows, or none if any is wrong."""
    return await _import(request, uow, SchoolImporter(principal), fmt, dry_run)


@router.post(
    "/staff/import", response_model=ImportReport, openapi_extra=_IMPORT_BODY, responses=_IMPORT_RESPONSES,
    tags=["staff"],
)  # fmt: skip
@body_limit(IMPORT_MAX_BYTES)
async def import_staff(
    request: Request, uow: UnitOfWorkDep, principal: Manager, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """Create or update staff from a CSV or JSON file: all rows, or none if any is wrong."""
    return await _import(request, uow, StaffImporter(principal), fmt, dry_run)


@router.get("/schools/export", tags=["schools"], response_class=Response)
async def export_schools(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, filters: SchoolFilterDep, fmt: Format = None
) -> Response:
    """The schools you may see, in the columns an import reads (CSV by default)."""
    schools, _ = await school_queries.list_schools(
        uow=uow, principal=principal, limit=EVERYTHING, offset=0, **filters.values
    )
    records = [school.model_dump(mode="json") for school in schools]
    return _file(records, school_models.IMPORT_COLUMNS, fmt or FileFormat.CSV, "schools")


@router.get("/staff/export", tags=["staff"], response_class=Response)
async def export_staff(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, filters: StaffFilterDep, fmt: Format = None
) -> Response:
    """The staff you may see, in the columns an import reads (CSV by default)."""
    people, _ = await staff_queries.list_staff(
        uow=uow, principal=principal, limit=EVERYTHING, offset=0, **filters.values
    )
    records = [person.model_dump(mode="json") for person in people]
    return _file(records, staff_models.IMPORT_COLUMNS, fmt or FileFormat.CSV, "staff")


async def _import(
    request: Request, uow: UnitOfWorkDep, importer: Importer, fmt: FileFormat | None, dry_run: bool
) -> Response:
    fmt = fmt or _format_of(request.headers.get("content-type", ""))
    report = await service.import_rows(
        uow=uow, importer=importer, data=await request.body(), fmt=fmt, dry_run=dry_run
    )
    return JSONResponse(report.model_dump(mode="json"), status_code=422 if report.errors else 200)


def _format_of(content_type: str) -> FileFormat:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in ("text/csv", "application/csv"):
        return FileFormat.CSV
    if media_type == "application/json":
        return FileFormat.JSON
    raise Unprocessable(
        "send text/csv or application/json, or name the format with ?format=", field="content-type"
    )


def _file(records: list[dict[str, Any]], columns: list[str], fmt: FileFormat, name: str) -> Response:
    media_type = "text/csv; charset=utf-8" if fmt is FileFormat.CSV else "application/json"
    return Response(
        service.export_rows(records, columns=columns, fmt=fmt),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'},
    )
