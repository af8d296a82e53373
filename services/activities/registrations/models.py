"""Registration table and the shapes the API reads and writes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.activities.tables import ActivitiesTable
from shared.clock import utc_now
from shared.dates import BirthDate
from shared.db import UTCDateTime
from shared.events.activities import ParticipantKind, RegistrationStatus
from shared.validation import SingleLine


class Registration(ActivitiesTable, table=True):
    __tablename__ = "registrations"
    # The last line of defence of "registering twice is a no-op": one row per person and activity.
    __table_args__ = (
        UniqueConstraint("activity_id", "participant_key", name="uq_registration_person"),
        # Counting and serving one activity's waiting list without scanning its other registrations.
        Index("ix_registrations_activity_status_queue", "activity_id", "status", "queue_no"),
    )

    id: str = Field(primary_key=True, max_length=36)
    activity_id: str = Field(foreign_key="activities.id", index=True, max_length=36)
    participant_key: str = Field(index=True, max_length=300)
    """The same person in every activity: ``staff:<code>``, or ``pupil:<school>:<name>:<born>``."""
    participant_kind: str
    school_code: str = Field(index=True, max_length=20)
    staff_code: str | None = Field(default=None, max_length=40)
    full_name: str = Field(max_length=200)
    birth_date: date | None = None
    grade: int | None = None
    subject: str | None = Field(default=None, max_length=100)
    status: str = Field(index=True)
    queue_no: int
    """Order of arrival in the activity; the waiting list is served in this order."""
    registered_by: str
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_code: str = PydanticField(min_length=1, max_length=20)
    participant_kind: ParticipantKind
    staff_code: str | None = PydanticField(default=None, min_length=1, max_length=40, description="Teachers")
    full_name: SingleLine | None = PydanticField(
        default=None, min_length=1, max_length=200, description="Pupils"
    )
    birth_date: BirthDate | None = PydanticField(default=None, description="Pupils")
    grade: int | None = PydanticField(default=None, ge=1, le=12, description="Pupils")
    subject: SingleLine | None = PydanticField(default=None, min_length=1, max_length=100)


class RegistrationPublic(SQLModel):
    id: str
    activity_id: str
    participant_kind: ParticipantKind
    school_code: str
    staff_code: str | None
    full_name: str
    birth_date: date | None
    grade: int | None
    subject: str | None
    status: RegistrationStatus
    waitlist_position: int | None = None
    registered_by: str
    created_at: datetime
    updated_at: datetime
