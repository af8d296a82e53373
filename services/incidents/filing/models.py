"""What a reporter sends, and the ``Idempotency-Key`` of each report: the same key from the same caller
returns the same incident."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field

from services.incidents.incidents.models import PeopleAffected
from services.incidents.tables import IncidentsTable
from shared.dates import RecordDatetime
from shared.db import UTCDateTime
from shared.validation import FreeText, SingleLine


class IncidentReport(BaseModel):
    """What a reporter sends. ``school_code`` or ``commune_code`` says where; a principal's is implied."""

    model_config = ConfigDict(extra="forbid")

    school_code: str | None = PydanticField(default=None, min_length=1, max_length=20)
    commune_code: str | None = PydanticField(default=None, min_length=1, max_length=10)
    category: str = PydanticField(min_length=1, max_length=40)
    severity: str | None = PydanticField(
        default=None, max_length=40, description="Defaults from the category; rules may raise it"
    )
    title: SingleLine = PydanticField(min_length=1, max_length=200)
    description: FreeText = PydanticField(min_length=1, max_length=20_000)
    place: SingleLine | None = PydanticField(default=None, max_length=300)
    occurred_at: RecordDatetime
    people: PeopleAffected = PydanticField(default_factory=PeopleAffected)
    restricted: bool | None = PydanticField(
        default=None, description="A child-safety case; defaults from the category"
    )


class IdempotencyRecord(IncidentsTable, table=True):
    """A report's ``Idempotency-Key``: the same key from the same caller returns the same incident."""

    __tablename__ = "idempotency_keys"

    reporter_subject: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    incident_id: str = Field(foreign_key="incidents.id", max_length=36)
    created_at: datetime = Field(sa_type=UTCDateTime)
