"""Tables as files, the way a Department opens them: CSV (UTF-8 with a byte-order mark, cells that cannot
run as formulas) or XLSX (openpyxl), written and read by every import, export and report.

Reading gives the header and each row's cells as text with its line in the file (the header is line 1
in both formats), so an import reports a bad row by the line a person sees in their spreadsheet program.
Writing takes the columns and plain values (text, numbers, bools, dates, lists).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

from shared.text import from_spreadsheet_cell, spreadsheet_cell

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {TableFormat.CSV: f"{CSV_MEDIA_TYPE}; charset=utf-8", TableFormat.XLSX: XLSX_MEDIA_TYPE}


def format_of_media_type(content_type: str) -> TableFormat | None:
    """The table format a Content-Type (or one Accept entry) names; None: neither."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in (CSV_MEDIA_TYPE, "application/csv"):
        return TableFormat.CSV
    if media_type in (XLSX_MEDIA_TYPE, "application/xlsx"):
        return TableFormat.XLSX
    return None


def format_of_filename(filename: str) -> TableFormat | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return TableFormat(suffix) if suffix in set(TableFormat) else None


class UnreadableTable(ValueError):
    """The file as a whole cannot be read: not UTF-8 CSV, not an XLSX workbook, or too many rows."""


Rows = list[tuple[int, list[str | None]]]
"""Each row's line in the file and its cells as text (None: an empty cell)."""


def read_table(data: bytes, fmt: TableFormat, *, max_rows: int) -> tuple[list[str], Rows]:
    """The header and the rows after it; more than ``max_rows`` rows is refused as soon as one more is
    read. Blank lines of a CSV and empty rows of a sheet (spreadsheets keep them at the end) are skipped."""
    rows = _csv_rows(data) if fmt is TableFormat.CSV else _xlsx_rows(data)
    header: list[str] | None = None
    body: Rows = []
    for line, cells in rows:
        if header is None:
            header = [(cell or "").strip() for cell in cells]
            while header and not header[-1]:
                header.pop()
            continue
        if fmt is TableFormat.XLSX and all(cell is None for cell in cells):
            continue
        if len(body) == max_rows:
            raise UnreadableTable(f"the file has more than {max_rows:,} rows")
        body.append((line, cells))
    if not header:
        raise UnreadableTable("the file is empty: its first line must name the columns")
    return header, body


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str | None]]]:
    try:
        text = data.decode("utf-8-sig")  # spreadsheets often save UTF-8 with a byte-order mark
    except UnicodeDecodeError as exc:
        raise UnreadableTable(f"the file is not UTF-8 (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            if not cells:
                continue
            yield reader.line_num, [from_spreadsheet_cell(cell) if cell else None for cell in cells]
    except csv.Error as exc:
        raise UnreadableTable(f"not a CSV file: {exc} (line {reader.line_num})") from exc


MAX_XLSX_COLUMNS = 200
"""A row is read this far at most: a sheet whose used range claims 16,384 columns costs nothing more."""


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str | None]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableTable("not an XLSX workbook (save the sheet as .xlsx or .csv)") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise UnreadableTable("the workbook has no sheet")
        for line, values in enumerate(
            sheet.iter_rows(max_col=MAX_XLSX_COLUMNS, values_only=True), start=1
        ):  # fmt: skip
            cells = [_xlsx_text(value) for value in values]
            while cells and cells[-1] is None:
                cells.pop()
            yield line, cells
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise UnreadableTable("the XLSX workbook is damaged") from exc
    finally:
        book.close()


def _xlsx_text(value: Any) -> str | None:
    """A cell as the text the same cell holds in a CSV: a whole number without ``.0``, a date as ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def records(header: Sequence[str], rows: Rows) -> list[tuple[int, dict[str, str]]]:
    """Rows keyed by column, empty cells left out; a row with more cells than columns keeps them under
    ``__extra__``, for the importer to report."""
    keyed: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows:
        extra = [cell for cell in cells[len(header) :] if cell is not None]
        if extra:
            keyed.append((line, {"__extra__": ";".join(extra)}))
            continue
        keyed.append(
            (line, {name: cell for name, cell in zip(header, cells, strict=False) if cell is not None})
        )
    return keyed


def cell_value(value: Any) -> Any:
    """A value as an XLSX cell holds it: numbers stay numbers; text, bools, dates and lists become text as
    the CSV writes them (so both files read back to the same rows)."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    return str(value)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads the diacritics right), every cell through
    ``spreadsheet_cell`` (no formulas)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(name) for name in columns])
    for row in rows:
        writer.writerow([spreadsheet_cell(cell_value(value)) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data") -> bytes:
    """One sheet, the columns in bold-free row 1; text cells are written as text, never as formulas."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31] or "data")

    def line(values: Iterable[Any]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value=cell_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" stays text: openpyxl would otherwise store it as a formula
            cells.append(cell)
        return cells

    ws.append(line(columns))
    for row in rows:
        ws.append(line(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_table(
    fmt: TableFormat, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data"
) -> bytes:
    if fmt is TableFormat.CSV:
        return write_csv(columns, rows)
    return write_xlsx(columns, rows, sheet=sheet)


def rows_of(items: Iterable[Any], columns: Sequence[str]) -> list[list[Any]]:
    """Rows from mappings or objects, in the columns' order (a missing field is an empty cell)."""
    rows = []
    for item in items:
        if isinstance(item, dict):
            rows.append([item.get(name) for name in columns])
        else:
            rows.append([getattr(item, name, None) for name in columns])
    return rows
