"""Bulk import rows: read CSV or JSON, validate every row, and report each bad one by line and field.

A dry run and a real import share this code, so what the dry run reports is exactly what applying refuses.
Everything here is plain CPU work without I/O: the use case runs it in a worker thread, off the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from shared.tabular import TableFormat, UnreadableTable, read_table, records, rows_of, write_table

Row = TypeVar("Row", bound=BaseModel)

MAX_IMPORT_ROWS = 5_000
"""The most rows one import file may hold; a larger file is refused before its rows are checked.

An import is applied in one transaction, all rows or none (the contract the Department relies on: a file
lands whole or not at all, and fixing a bad row and sending the file again is always safe). That
transaction must stay short: on SQLite it holds the one write lock from its first INSERT to its commit, and
every other writer (the outbox relay, the next request) waits at most the busy timeout (10 s) before
failing with "database is locked". Rows are built first and written in one flush at the end, so the lock
is held for the flush alone: for 5,000 schools (and their 5,000 outbox rows) 2.0 to 2.4 s, measured on a
2-core machine at a load average of 10 (the whole import took 2.2 s of CPU). 5,000 rows cover any
cluster's or level's file and all the province's principals and vice-principals.

Rather than applying a larger file in several transactions, which would let a crash or a concurrent
change leave it half applied (and apply later parts against checks made before the earlier ones landed),
the import refuses it and says to split it: each part is then all or nothing again. Generated sample data,
which nobody needs to see land whole, is the one caller that applies in chunks (``SAMPLE_CHUNK_ROWS``)."""

MAX_LISTED_ERRORS = 1_000
"""The report lists the first errors by line and counts the rest: a file of garbage must not answer
with (and hold in memory) hundreds of thousands of messages."""


@dataclass(frozen=True)
class RowError:
    line: int
    """CSV: the line in the file (the header is line 1). JSON: the item's position, from 1."""
    field: str | None
    message: str


@dataclass
class Errors:
    """Row errors in line order: the first ``limit`` kept, the others only counted."""

    limit: int = MAX_LISTED_ERRORS
    listed: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(error)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    def __iter__(self) -> Iterator[RowError]:
        """The listed errors."""
        return iter(self.listed)

    def merged(self, other: Errors) -> Errors:
        """Both lists in line order, still within the limit (each list is in line order already)."""
        both = Errors(self.limit, count=self.count + other.count)
        both.listed = sorted([*self.listed, *other.listed], key=lambda error: error.line)[: self.limit]
        return both


@dataclass
class CheckedRows(Generic[Row]):
    valid: list[tuple[int, Row]] = field(default_factory=list)
    errors: Errors = field(default_factory=Errors)


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not UTF-8, not CSV, not a JSON list): no row can be reported."""


def _too_many(rows: int) -> UnreadableFile:
    return UnreadableFile(
        f"the file has more than {MAX_IMPORT_ROWS:,} rows ({rows:,} or more): an import is applied in one "
        f"transaction, so split the file into parts of at most {MAX_IMPORT_ROWS:,} rows and import each"
    )


def read_table_rows(
    data: bytes, fmt: TableFormat, *, columns: Iterable[str], max_rows: int = MAX_IMPORT_ROWS
) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a CSV or XLSX file keyed by column. Unknown columns are refused, not silently dropped; so is
    a file of more than ``max_rows`` rows, as soon as the row after the last allowed one is read.

    An empty cell is left out, as if the column were absent: a new row takes the default, an existing
    entity keeps its value (a spreadsheet cannot tell "empty" from "unchanged"; JSON ``null`` clears).
    """
    try:
        header, rows = read_table(data, fmt, max_rows=max_rows)
    except UnreadableTable as exc:
        if str(exc).startswith("the file has more than"):
            raise _too_many(max_rows + 1) from exc
        raise UnreadableFile(str(exc)) from exc
    expected = list(columns)
    unknown = [name for name in header if name not in set(expected)]
    if unknown:
        raise UnreadableFile(
            f"unknown columns: {', '.join(unknown)}; expected some of: {', '.join(expected)}"
        )
    return [(line, dict(record)) for line, record in records(header, rows)]


def read_csv(
    data: bytes, *, columns: Iterable[str], max_rows: int = MAX_IMPORT_ROWS
) -> list[tuple[int, dict[str, Any]]]:
    return read_table_rows(data, TableFormat.CSV, columns=columns, max_rows=max_rows)


def read_json(data: bytes, *, max_rows: int = MAX_IMPORT_ROWS) -> list[tuple[int, dict[str, Any]]]:
    try:
        items = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except RecursionError:  # "[[[[…]]]]": the decoder recurses once per level
        raise UnreadableFile("not valid import JSON: nested too deeply") from None
    if not isinstance(items, list):
        raise UnreadableFile("the JSON body must be a list of objects")
    if len(items) > max_rows:
        raise _too_many(len(items))
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
            checked.errors.add(RowError(line, None, "the row has more cells than the header has columns"))
            continue
        if "__not_object__" in raw:
            checked.errors.add(RowError(line, None, "each item must be a JSON object"))
            continue
        try:
            row = model.model_validate(dict(raw))
        except (ValidationError, RecursionError) as exc:
            if isinstance(exc, RecursionError):  # a JSON item nested deep enough to exhaust the validator
                checked.errors.add(RowError(line, None, "the item is nested too deeply"))
                continue
            checked.errors.extend(
                RowError(line, ".".join(str(part) for part in error["loc"]) or None, error["msg"])
                for error in exc.errors()
            )
            continue
        value = str(getattr(row, key))
        if value in first_line_of:
            checked.errors.add(
                RowError(line, key, f"{key} {value} already appears on line {first_line_of[value]}")
            )
            continue
        first_line_of[value] = line
        checked.valid.append((line, row))
    return checked


def write_csv(records: Iterable[Mapping[str, Any]], *, columns: list[str]) -> str:
    """The export side: the same columns an import reads, so an export can be edited and imported back.

    Every cell goes through ``spreadsheet_cell``, which keeps a spreadsheet from running one as a formula
    (and reading undoes what it added); the file starts with a UTF-8 byte-order mark for Excel."""
    return write_table(TableFormat.CSV, columns, rows_of(records, columns)).decode("utf-8")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # spreadsheets often save UTF-8 with a byte-order mark
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"the file is not UTF-8 (byte {exc.start})") from exc
