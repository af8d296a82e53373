"""The submissions table (every version a school filed) and the shapes of submissions and rates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.notices.tables import NoticesTable
from shared.db import UTCDateTime


class ReturnSubmission(NoticesTable, table=True):
    """One version of a school's return; the highest version is the school's answer, the first says
    whether it came on time."""

    __tablename__ = "return_submissions"
    __table_args__ = (
        UniqueConstraint("notice_id", "school_code", "version", name="uq_return_version"),
        UniqueConstraint("notice_id", "school_code", "idempotency_key", name="uq_return_idempotency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: str = Field(foreign_key="notices.id", index=True, max_length=36)
    school_code: str = Field(max_length=20, index=True)
    version: int
    values: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    late: bool = False
    submitted_by: str
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    idempotency_key: str | None = Field(default=None, max_length=200)


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, Any]
    """Answers by field code: numbers for int and decimal fields, text, true/false."""


class SubmissionPublic(SQLModel):
    notice_id: str
    school_code: str
    version: int
    values: dict[str, Any]
    late: bool
    submitted_by: str
    submitted_at: datetime


class GroupBy(StrEnum):
    CLUSTER = "cluster"
    COMMUNE = "commune"
    LEVEL = "level"
    SCHOOL = "school"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class Rate(BaseModel):
    """How a group of schools answered: expected, submitted (on time or late) and missing."""

    model_config = ConfigDict(frozen=True)

    group: str
    cluster_no: int | None = None
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    reporting_rate: float
    """submitted / expected"""
    on_time_rate: float
    """on time / expected"""


class SchoolReturn(BaseModel):
    """One school's line of the report: its status and, if it answered, its current values."""

    school_code: str
    name: str
    cluster_no: int | None
    commune_code: str
    level: str | None
    status: str
    """on_time, late or missing"""
    version: int | None = None
    submitted_at: datetime | None = None
    values: dict[str, Any] = {}


class RatesReport(BaseModel):
    notice_id: str
    number: str
    form_code: str
    school_year: str
    due_at: datetime
    group_by: GroupBy
    totals: Rate
    rates: list[Rate]
    schools: list[SchoolReturn]
