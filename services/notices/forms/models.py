"""The return forms table and the shapes the API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from services.notices.forms.domain import FormDefinition
from services.notices.tables import NoticesTable
from shared.clock import utc_now
from shared.db import UTCDateTime


class ReturnForm(NoticesTable, table=True):
    """A form is never edited once a notice may use it: a changed form is a new code."""

    __tablename__ = "return_forms"

    code: str = Field(primary_key=True, max_length=60)
    name: str = Field(max_length=300)
    description: str | None = None
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by: str
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

    def spec(self) -> FormDefinition:
        return FormDefinition.model_validate(self.definition)


class ReturnFormCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = PydanticField(pattern=r"^[a-z][a-z0-9_-]{0,59}$", examples=["start_of_year_2026"])
    name: str = PydanticField(min_length=1, max_length=300)
    description: str | None = PydanticField(default=None, max_length=2000)
    definition: FormDefinition


class ReturnFormPublic(SQLModel):
    code: str
    name: str
    description: str | None
    definition: FormDefinition
    created_by: str
    created_at: datetime
