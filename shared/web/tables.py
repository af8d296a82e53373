"""Exports and reports as files at the edge: ``?format=json|csv|xlsx`` (or the Accept header) chooses, and
a table answers as an attachment in that format (``shared.tabular`` writes it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from shared.tabular import MEDIA_TYPES, XLSX_MEDIA_TYPE, TableFormat, format_of_media_type, write_table


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


FORMAT_DESCRIPTION = "json, csv (UTF-8 with a byte-order mark) or xlsx; without it, from the Accept header"


def export_format(default: ExportFormat = ExportFormat.JSON) -> Callable[..., ExportFormat]:
    """A dependency: the format the query names, else the first of the Accept header's that is a table
    format or JSON, else ``default``. Anything else in ``format`` is a 422 naming it (``query.format``)."""

    def dependency(
        request: Request,
        fmt: Annotated[ExportFormat | None, Query(alias="format", description=FORMAT_DESCRIPTION)] = None,
    ) -> ExportFormat:
        if fmt is not None:
            return fmt
        for entry in request.headers.get("accept", "").split(","):
            table = format_of_media_type(entry)
            if table is not None:
                return ExportFormat(table.value)
            if entry.split(";")[0].strip().lower() == "application/json":
                return ExportFormat.JSON
        return default

    return dependency


def table_response(
    fmt: ExportFormat | TableFormat,
    *,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet: str | None = None,
) -> Response:
    """A CSV or XLSX attachment named ``name`` (ASCII, so every browser keeps it)."""
    table = TableFormat(fmt.value)
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    return Response(
        write_table(table, columns, rows, sheet=sheet or safe),
        media_type=MEDIA_TYPES[table],
        headers={"Content-Disposition": f'attachment; filename="{safe}.{table.value}"'},
    )


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string"}},
        }
    }
}
"""For ``responses=`` of a route that can answer a file: the OpenAPI names both media types."""
