"""What an import answers: every bad row by line and field, and what applying did (or would do)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class FileFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"


class RowErrorPublic(BaseModel):
    line: int = Field(
        description="CSV or XLSX: the line (row) in the file (header = 1). JSON: the item's position from 1"
    )
    field: str | None
    message: str


class ImportReport(BaseModel):
    entity: str
    dry_run: bool
    applied: bool = Field(description="True only when every row was valid and the import was not a dry run")
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowErrorPublic] = Field(default_factory=list)
    errors_not_listed: int = Field(
        default=0, description="Errors beyond the first 1,000, counted but not listed: fix those and retry"
    )
