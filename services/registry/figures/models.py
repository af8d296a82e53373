"""The school-year figures table: every report a school's returns made, per school year (the history),
and its API shape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from services.registry.tables import RegistryTable
from shared.db import UTCDateTime


class SchoolYearFigures(RegistryTable, table=True):
    __tablename__ = "school_year_figures"
    __table_args__ = (
        UniqueConstraint("school_code", "notice_id", "version", name="uq_school_year_figures_report"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_code: str = Field(foreign_key="schools.code", index=True, max_length=20)
    school_year: str = Field(max_length=9, index=True)
    pupils: int | None = None
    classes: int | None = None
    teachers: int | None = None
    notice_id: str = Field(max_length=36, description="The notice whose return reported them")
    form_code: str = Field(max_length=60)
    version: int = Field(description="The return's version")
    reported_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class SchoolYearFiguresPublic(SQLModel):
    school_year: str
    pupils: int | None
    classes: int | None
    teachers: int | None
    notice_id: str
    form_code: str
    version: int
    reported_at: datetime
    current: bool
    """The report that stands for its school year (the newest)."""
