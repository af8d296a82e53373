"""HTTP routes for bulk import and export, in CSV, XLSX or JSON: schools and staff; the onboarding files of
cluster memberships, commune contacts and the Department's offices.

Registered before the school and staff routers so ``/schools/export`` is not read as a school's code.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from services.registry.bulk import service
from services.registry.bulk.domain import MAX_IMPORT_ROWS
from services.registry.bulk.models import FileFormat, ImportReport
from services.registry.bulk.service import (
    CommuneContactsImporter,
    Importer,
    MembershipImporter,
    OfficeImporter,
    SchoolImporter,
    StaffImporter,
)
from services.registry.communes import models as commune_models
from services.registry.communes import queries as commune_queries
from services.registry.memberships import models as membership_models
from services.registry.memberships import queries as membership_queries
from services.registry.offices import models as office_models
from services.registry.offices import queries as office_queries
from services.registry.schools import models as school_models
from services.registry.schools import queries as school_queries
from services.registry.schools.api import Filters as SchoolFilterDep
from services.registry.staff import models as staff_models
from services.registry.staff import queries as staff_queries
from services.registry.staff.api import Filters as StaffFilterDep
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.errors import Unprocessable
from shared.tabular import MEDIA_TYPES, XLSX_MEDIA_TYPE, TableFormat, format_of_media_type
from shared.web import MIB, UnitOfWorkDep, body_limit
from shared.web.tables import FILE_RESPONSES, table_response

router = APIRouter(tags=["import and export"])

Manager = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.CLUSTER_LEADER))]
DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
DryRun = Annotated[bool, Query(description="Check every row and report, change nothing")]
Format = Annotated[
    FileFormat | None,
    Query(
        alias="format", description="csv, xlsx or json. Default: from Content-Type (import), Accept (export)"
    ),
]
EVERYTHING = 10**9  # an export is not paginated
IMPORT_MAX_BYTES = 8 * MIB
"""Room for MAX_IMPORT_ROWS rows of about 1.5 KB each (a school's row is nearer 300 bytes); other routes take
the service's small default."""

_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
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
_IMPORT_ROUTE: dict[str, Any] = {
    "response_model": ImportReport,
    "openapi_extra": _IMPORT_BODY,
    "responses": _IMPORT_RESPONSES,
}
"""What every import route declares: its report, its body (CSV, XLSX or JSON rows) and its refusals."""


@router.post("/schools/import", **_IMPORT_ROUTE, tags=["schools"])
@body_limit(IMPORT_MAX_BYTES)
async def import_schools(
    request: Request, uow: UnitOfWorkDep, principal: Manager, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """Create or update schools from a CSV, XLSX or JSON file: all rows, or none if any is wrong."""
    return await _import(request, uow, SchoolImporter(principal), fmt, dry_run)


@router.post("/staff/import", **_IMPORT_ROUTE, tags=["staff"])
@body_limit(IMPORT_MAX_BYTES)
async def import_staff(
    request: Request, uow: UnitOfWorkDep, principal: Manager, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """Create or update staff from a CSV, XLSX or JSON file: all rows, or none if any is wrong."""
    return await _import(request, uow, StaffImporter(principal), fmt, dry_run)


@router.post("/memberships/import", **_IMPORT_ROUTE, tags=["clusters"])
@body_limit(IMPORT_MAX_BYTES)
async def import_memberships(
    request: Request, uow: UnitOfWorkDep, _admin: DepartmentAdmin, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """Cluster leaders, members and unit representatives with their periods, by cluster number and staff
    code: all rows, or none if any is wrong (department admin). A new leader ends the previous leader's
    period."""
    return await _import(request, uow, MembershipImporter(), fmt, dry_run)


@router.post("/communes/contacts/import", **_IMPORT_ROUTE, tags=["communes"])
@body_limit(IMPORT_MAX_BYTES)
async def import_commune_contacts(
    request: Request, uow: UnitOfWorkDep, _admin: DepartmentAdmin, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """The contacts of communes' People's Committees and Offices of Culture and Social Affairs, by GSO
    code: all rows, or none if any is wrong (department admin)."""
    return await _import(request, uow, CommuneContactsImporter(), fmt, dry_run)


@router.post("/offices/import", **_IMPORT_ROUTE, tags=["offices"])
@body_limit(IMPORT_MAX_BYTES)
async def import_offices(
    request: Request, uow: UnitOfWorkDep, _admin: DepartmentAdmin, fmt: Format = None, dry_run: DryRun = False
) -> Response:
    """The Department's offices and the province-level recipient with their duty contacts, by code: all
    rows, or none if any is wrong (department admin)."""
    return await _import(request, uow, OfficeImporter(), fmt, dry_run)


TemplateFormat = Annotated[TableFormat, Query(alias="format", description="xlsx (default) or csv")]


@router.get(
    "/memberships/import/template", tags=["clusters"], response_class=Response, responses=FILE_RESPONSES
)
async def memberships_template(_admin: DepartmentAdmin, fmt: TemplateFormat = TableFormat.XLSX) -> Response:
    """An empty memberships spreadsheet: the columns the import reads, to fill in (department admin)."""
    return _template(membership_models.IMPORT_COLUMNS, fmt, "memberships")


@router.get(
    "/communes/contacts/import/template", tags=["communes"], response_class=Response, responses=FILE_RESPONSES
)
async def commune_contacts_template(
    _admin: DepartmentAdmin, fmt: TemplateFormat = TableFormat.XLSX
) -> Response:
    """An empty commune contacts spreadsheet: the columns the import reads (department admin)."""
    return _template(commune_models.CONTACT_COLUMNS, fmt, "commune-contacts")


@router.get("/offices/import/template", tags=["offices"], response_class=Response, responses=FILE_RESPONSES)
async def offices_template(_admin: DepartmentAdmin, fmt: TemplateFormat = TableFormat.XLSX) -> Response:
    """An empty offices spreadsheet: the columns the import reads (department admin)."""
    return _template(office_models.IMPORT_COLUMNS, fmt, "offices")


@router.get("/memberships/export", tags=["clusters"], response_class=Response)
async def export_memberships(
    request: Request,
    uow: UnitOfWorkDep,
    _principal: CurrentPrincipal,
    history: Annotated[bool, Query(description="Include past periods")] = True,
    fmt: Format = None,
) -> Response:
    """Every cluster's periods, in the columns the import reads (CSV by default)."""
    members = await membership_queries.all_periods(uow=uow, current_only=not history)
    records = [member.model_dump(mode="json") for member in members]
    return _file(records, membership_models.IMPORT_COLUMNS, _export_format(request, fmt), "memberships")


@router.get("/communes/contacts/export", tags=["communes"], response_class=Response)
async def export_commune_contacts(
    request: Request, uow: UnitOfWorkDep, _principal: CurrentPrincipal, fmt: Format = None
) -> Response:
    """Every commune's contacts, in the columns the import reads (CSV by default)."""
    communes, _ = await commune_queries.list_communes(uow=uow, limit=EVERYTHING, offset=0)
    records = [{**commune.model_dump(mode="json"), "commune_code": commune.gso_code} for commune in communes]
    return _file(records, commune_models.CONTACT_COLUMNS, _export_format(request, fmt), "commune-contacts")


@router.get("/offices/export", tags=["offices"], response_class=Response)
async def export_offices(
    request: Request, uow: UnitOfWorkDep, _principal: CurrentPrincipal, fmt: Format = None
) -> Response:
    """The offices, in the columns the import reads (CSV by default)."""
    records = [office.model_dump(mode="json") for office in await office_queries.list_offices(uow=uow)]
    return _file(records, office_models.IMPORT_COLUMNS, _export_format(request, fmt), "offices")


@router.get("/schools/export", tags=["schools"], response_class=Response)
async def export_schools(
    request: Request,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    filters: SchoolFilterDep,
    fmt: Format = None,
) -> Response:
    """The schools you may see, in the columns an import reads (CSV by default)."""
    schools, _ = await school_queries.list_schools(
        uow=uow, principal=principal, limit=EVERYTHING, offset=0, **filters.values
    )
    records = [school.model_dump(mode="json") for school in schools]
    return _file(records, school_models.IMPORT_COLUMNS, _export_format(request, fmt), "schools")


@router.get("/staff/export", tags=["staff"], response_class=Response)
async def export_staff(
    request: Request,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    filters: StaffFilterDep,
    fmt: Format = None,
) -> Response:
    """The staff you may see, in the columns an import reads (CSV by default)."""
    people, _ = await staff_queries.list_staff(
        uow=uow, principal=principal, limit=EVERYTHING, offset=0, **filters.values
    )
    records = [person.model_dump(mode="json") for person in people]
    return _file(records, staff_models.IMPORT_COLUMNS, _export_format(request, fmt), "staff")


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
    if media_type == "application/json":
        return FileFormat.JSON
    table = format_of_media_type(media_type)
    if table is not None:
        return FileFormat(table.value)
    raise Unprocessable(
        f"send text/csv, {XLSX_MEDIA_TYPE} or application/json, or name the format with ?format=",
        field="content-type",
    )


def _export_format(request: Request, fmt: FileFormat | None) -> FileFormat:
    """The format asked for, else the first file format the Accept header names, else CSV."""
    if fmt is not None:
        return fmt
    for entry in request.headers.get("accept", "").split(","):
        if entry.split(";")[0].strip().lower() == "application/json":
            return FileFormat.JSON
        table = format_of_media_type(entry)
        if table is not None:
            return FileFormat(table.value)
    return FileFormat.CSV


def _template(columns: list[str], fmt: TableFormat, name: str) -> Response:
    return table_response(fmt, name=f"{name}-template", columns=columns, rows=[], sheet=name)


def _file(records: list[dict[str, Any]], columns: list[str], fmt: FileFormat, name: str) -> Response:
    media_type = "application/json" if fmt is FileFormat.JSON else MEDIA_TYPES[TableFormat(fmt.value)]
    return Response(
        service.export_rows(records, columns=columns, fmt=fmt),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'},
    )
