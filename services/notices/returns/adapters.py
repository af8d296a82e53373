"""The rates report as files: CSV (UTF-8 with a BOM, so spreadsheet programs read Vietnamese right) and
XLSX (openpyxl), a sheet of the rates and a sheet of the schools with their answers. A school's answer is
its own text: no cell of either file runs as a formula (``shared.text.spreadsheet_cell``, text cells)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.notices.returns.models import RatesReport
from shared.text import spreadsheet_cell

RATE_COLUMNS = [
    "group",
    "cluster_no",
    "expected",
    "submitted",
    "on_time",
    "late",
    "missing",
    "reporting_rate",
    "on_time_rate",
]
SCHOOL_COLUMNS = [
    "school_code",
    "name",
    "cluster_no",
    "commune_code",
    "level",
    "status",
    "version",
    "submitted_at",
]


def _rate_rows(report: RatesReport) -> list[list[object]]:
    rows = [[getattr(rate, name) for name in RATE_COLUMNS] for rate in report.rates]
    rows.append([getattr(report.totals, name) for name in RATE_COLUMNS])
    return rows


def _field_codes(report: RatesReport) -> list[str]:
    return sorted({code for school in report.schools for code in school.values})


def _school_rows(report: RatesReport) -> list[list[object]]:
    codes = _field_codes(report)
    rows = []
    for school in report.schools:
        line: list[object] = [getattr(school, name) for name in SCHOOL_COLUMNS]
        line[-1] = school.submitted_at.isoformat() if school.submitted_at else None
        rows.append(line + [school.values.get(code) for code in codes])
    return rows


def to_csv(report: RatesReport) -> bytes:
    """The rates, grouped as asked; with ``group_by=school`` each school's answers too."""
    out = io.StringIO()
    writer = csv.writer(out)
    header: list[str] = RATE_COLUMNS
    rows = _rate_rows(report)
    if report.group_by == "school":
        header, rows = SCHOOL_COLUMNS + _field_codes(report), _school_rows(report)
    table: list[list[object]] = [list(header), *rows]
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in table)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(report: RatesReport) -> bytes:
    book = Workbook()
    rates = book.active
    assert rates is not None
    rates.title = f"rates by {report.group_by}"[:31]
    _append(rates, RATE_COLUMNS)
    for row in _rate_rows(report):
        _append(rates, row)
    schools = book.create_sheet("schools")
    _append(schools, SCHOOL_COLUMNS + _field_codes(report))
    for row in _school_rows(report):
        _append(schools, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _append(sheet: Worksheet, row: Sequence[object]) -> None:
    """One row; its text cells stay text ("=…" would otherwise be stored as a formula)."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
