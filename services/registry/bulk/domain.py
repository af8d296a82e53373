"""Bulk import rows: read CSV or JSON, validate every row, and report each bad one by line and field.

A dry run and a real import share this code, so what the dry run reports is exactly what applying refuses.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

Row = TypeVar("Row", bound=BaseModel)


@dataclass(frozen=True)
class RowError:
    line: int
    """CSV: the line in the file (the header is line 1). JSON: the item's position, from 1."""
    field: str | None
    message: str


@dataclass
class CheckedRows(Generic[Row]):
    valid: list[tuple[int, Row]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not UTF-8, not CSV, not a JSON list): no row can be reported."""


def read_csv(data: bytes, *, columns: Iterable[str]) -> list[tuple[int, dict[str, Any]]]:
    """Rows keyed by column. Unknown columns are refused, not silently dropped.

    An empty cell is left out, as if the column were absent: a new row takes the default, an existing
    entity keeps its value (a spreadsheet cannot tell "empty" from "unchanged"; JSON ``null`` clears).
    """
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in set(columns)]
    if not header:
        raise UnreadableFile("the CSV file is empty: its first line must name the columns")
    if unknown:
        raise UnreadableFile(f"unknown columns: {', '.join(unknown)}; expected some of: {', '.join(columns)}")
    rows = []
    for record in reader:
        if None in record:  # more cells than the header names
            rows.append((reader.line_num, {"__extra__": record.pop(None)}))
            continue
        rows.append((reader.line_num, {key: value for key, value in record.items() if value}))
    return rows


def read_json(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        items = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(items, list):
        raise UnreadableFile("the JSON body must be a list of objects")
    return [(position, item if isinstance(item, dict) else {"__not_object__": item}) for position, item in
            enumerate(items, start=1)]  # fmt: skip


def check_rows(
    rows: Sequence[tuple[int, Mapping[str, Any]]], model: type[Row], *, key: str
) -> CheckedRows[Row]:
    """Validate each row against ``model``; a key seen on an earlier line is an error on the later one."""
    checked: CheckedRows[Row] = CheckedRows()
    first_line_of: dict[str, int] = {}
    for line, raw in rows:
        if "__extra__" in raw:
            checked.errors.append(RowError(line, None, "the row has more cells than the header has columns"))
            continue
        if "__not_object__" in raw:
            checked.errors.append(RowError(line, None, "each item must be a JSON object"))
            continue
        try:
            row = model.model_validate(dict(raw))
        except ValidationError as exc:
            checked.errors.extend(
                RowError(line, ".".join(str(part) for part in error["loc"]) or None, error["msg"])
                for error in exc.errors()
            )
            continue
        value = str(getattr(row, key))
        if value in first_line_of:
            checked.errors.append(
                RowError(line, key, f"{key} {value} already appears on line {first_line_of[value]}")
            )
            continue
        first_line_of[value] = line
        checked.valid.append((line, row))
    return checked


def write_csv(records: Iterable[Mapping[str, Any]], *, columns: list[str]) -> str:
    """The export side: the same columns an import reads, so an export can be edited and imported back."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({name: _cell(record.get(name)) for name in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # spreadsheets often save UTF-8 with a byte-order mark
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"the file is not UTF-8 (byte {exc.start})") from exc
