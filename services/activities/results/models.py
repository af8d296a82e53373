"""Result tables (one sheet per published version) and the shapes the API reads and writes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from services.activities.tables import ActivitiesTable
from shared.clock import utc_now
from shared.dates import RecordDate
from shared.db import UTCDateTime
from shared.events.activities import Award
from shared.validation import FreeText, SingleLine


class ResultSheet(ActivitiesTable, table=True):
    """One published version of an activity's results; never updated once written."""

    __tablename__ = "result_sheets"
    __table_args__ = (UniqueConstraint("activity_id", "version", name="uq_result_version"),)

    id: str = Field(primary_key=True, max_length=36)
    activity_id: str = Field(foreign_key="activities.id", index=True, max_length=36)
    version: int
    supersedes_version: int | None = None
    correction_reason: str | None = None
    decision_number: str = Field(max_length=100)
    decision_date: date
    published_by: str
    published_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ResultEntry(ActivitiesTable, table=True):
    __tablename__ = "result_entries"

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: str = Field(foreign_key="result_sheets.id", index=True, max_length=36)
    registration_id: str = Field(max_length=36)
    school_code: str = Field(max_length=20)
    staff_code: str | None = None
    full_name: str
    score: float | None = None
    rank: int | None = None
    award: str | None = None
    position: int
    """Order within the sheet: by rank, unranked last."""


MAX_RESULT_LINES = 20_000
"""One sheet's lines; the route takes a body large enough for them (``results.api``)."""


class ResultLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_id: str
    score: float | None = PydanticField(default=None, ge=0, le=1000)
    award: Award | None = None


class ResultsPublish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[ResultLineIn] = PydanticField(min_length=1, max_length=MAX_RESULT_LINES)
    decision_number: SingleLine = PydanticField(min_length=1, max_length=100, examples=["1234/QĐ-SGDĐT"])
    decision_date: RecordDate
    correction_reason: FreeText | None = PydanticField(default=None, max_length=2000)


class ResultLinePublic(SQLModel):
    registration_id: str
    school_code: str
    school_name: str | None = None
    staff_code: str | None
    full_name: str
    score: float | None
    rank: int | None
    award: Award | None


class ResultsPublic(SQLModel):
    activity_id: str
    version: int
    supersedes_version: int | None
    correction_reason: str | None
    decision_number: str
    decision_date: date
    published_by: str
    published_at: datetime
    entries: list[ResultLinePublic]
