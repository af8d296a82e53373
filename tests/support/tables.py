"""Spreadsheets in tests: files to import (XLSX, CSV) and an export read back the two ways a Department
opens it (openpyxl, and Python's csv module after the UTF-8 byte-order mark), which must agree."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook

from shared.tabular import XLSX_MEDIA_TYPE
from shared.text import from_spreadsheet_cell

CSV = "text/csv"


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    sheet.append([None] * len(rows[0]))  # the empty rows a spreadsheet keeps at the end
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(["" if cell is None else cell for cell in row] for row in rows)
    return out.getvalue().encode()


async def send(
    client: httpx.AsyncClient, path: str, data: bytes, media_type: str, headers: dict[str, str], **params: Any
) -> httpx.Response:
    return await client.post(
        path, content=data, params=params, headers={**headers, "Content-Type": media_type}
    )


def read_back(response: httpx.Response) -> list[list[str]]:
    """An export's rows as text, by openpyxl (XLSX) or by the csv module after the byte-order mark."""
    if response.headers["content-type"].startswith(XLSX_MEDIA_TYPE):
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        rows = [
            ["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)
        ]
        return [
            row + [""] * (len(rows[0]) - len(row)) for row in rows
        ]  # a sheet drops empty cells at the end
    assert response.content.startswith(b"\xef\xbb\xbf"), "a CSV export starts with a UTF-8 byte-order mark"
    text = response.content[3:].decode("utf-8")
    # The ' a CSV cell carries before a formula character is the escape, not the text (XLSX stores text).
    return [
        [from_spreadsheet_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""))
    ]


def raw_csv_rows(response: httpx.Response) -> list[list[str]]:
    """A CSV export's cells exactly as a spreadsheet program reads them (the formula escape kept)."""
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def both_exports_agree(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[list[str]]:
    """Both files answer with their media types and the same rows; the Accept header chooses too; an
    unknown format is a 422 naming ``query.format``. The rows, as read back."""
    as_csv = await client.get(path, params={**params, "format": "csv"}, headers=headers)
    as_xlsx = await client.get(path, params={**params, "format": "xlsx"}, headers=headers)
    assert as_csv.status_code == as_xlsx.status_code == 200, (as_csv.text, path)
    assert as_csv.headers["content-type"].startswith(CSV), path
    assert as_xlsx.headers["content-type"] == XLSX_MEDIA_TYPE, path
    assert read_back(as_csv) == read_back(as_xlsx), path
    by_accept = await client.get(path, params=params, headers={**headers, "Accept": XLSX_MEDIA_TYPE})
    assert by_accept.headers["content-type"] == XLSX_MEDIA_TYPE
    wrong = await client.get(path, params={**params, "format": "pdf"}, headers=headers)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "query.format")
    return read_back(as_csv)
