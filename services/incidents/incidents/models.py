"""An incident, its timeline and notes, and the escalation steps planned for it (fired by the
escalation scheduler), with the shapes the API reads and writes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from services.incidents.tables import IncidentsTable
from shared.db import UTCDateTime
from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus, RouteKind


class Incident(IncidentsTable, table=True):
    __tablename__ = "incidents"
    __table_args__ = (
        sa.Index("ix_incidents_open", "status", "cluster_no"),
        sa.Index("ix_incidents_unrouted_school", "route", "school_code"),
    )

    id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(max_length=20, unique=True)
    school_code: str | None = Field(default=None, max_length=20, index=True)
    commune_code: str | None = Field(default=None, max_length=10, index=True)
    cluster_no: int | None = Field(default=None, index=True)
    route: RouteKind = Field(max_length=30)
    category: str = Field(max_length=40, index=True)
    severity: str = Field(max_length=40)
    restricted: bool = False
    status: IncidentStatus = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str = Field(sa_type=sa.Text)
    place: str | None = Field(default=None, max_length=300)
    injured: int = 0
    dead: int = 0
    missing: int = 0
    out_of_school: int = 0
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    reported_at: datetime = Field(sa_type=UTCDateTime, index=True)
    reporter_subject: str = Field(max_length=200)
    reporter_role: str = Field(max_length=40)
    acknowledge_due_at: datetime = Field(sa_type=UTCDateTime)
    resolve_due_at: datetime = Field(sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation_rank: int = Field(default=0, description="The highest level notified so far (0: none)")


class PeopleAffected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    injured: int = PydanticField(default=0, ge=0, le=100_000)
    dead: int = PydanticField(default=0, ge=0, le=100_000)
    missing: int = PydanticField(default=0, ge=0, le=100_000)
    out_of_school: int = PydanticField(default=0, ge=0, le=1_000_000, description="Pupils kept out of school")


class IncidentPublic(BaseModel):
    """An incident as a caller may see it: ``details_hidden`` when it is restricted and they may not."""

    id: str
    reference: str
    school_code: str | None
    commune_code: str | None
    cluster_no: int | None
    route: RouteKind
    category: str
    severity: str
    restricted: bool
    status: IncidentStatus
    title: str | None
    description: str | None
    place: str | None
    people: PeopleAffected | None
    details_hidden: bool
    occurred_at: datetime
    reported_at: datetime
    reporter_role: str
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    escalation_rank: int


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = PydanticField(default=None, max_length=2000)


class TimelineKind(StrEnum):
    REPORTED = "reported"
    ROUTED = "routed"
    REROUTED = "rerouted"
    STATUS_CHANGED = "status_changed"
    ESCALATED = "escalated"
    NOTE_ADDED = "note_added"


class TimelineEntry(IncidentsTable, table=True):
    """One thing that happened to an incident: who, when, what, and why."""

    __tablename__ = "incident_timeline"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incidents.id", index=True, max_length=36)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: TimelineKind = Field(max_length=30)
    actor_subject: str = Field(max_length=200)
    actor_role: str = Field(max_length=40)
    from_status: IncidentStatus | None = Field(default=None, max_length=20)
    to_status: IncidentStatus | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    detail: str | None = Field(default=None, max_length=300, description="Facts with no personal details")


class TimelineEntryPublic(SQLModel):
    at: datetime
    kind: TimelineKind
    actor_subject: str
    actor_role: str
    from_status: IncidentStatus | None
    to_status: IncidentStatus | None
    reason: str | None
    detail: str | None


class Note(IncidentsTable, table=True):
    __tablename__ = "incident_notes"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incidents.id", index=True, max_length=36)
    at: datetime = Field(sa_type=UTCDateTime)
    author_subject: str = Field(max_length=200)
    author_role: str = Field(max_length=40)
    text: str = Field(sa_type=sa.Text)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = PydanticField(min_length=1, max_length=10_000)


class NotePublic(SQLModel):
    id: int
    at: datetime
    author_subject: str
    author_role: str
    text: str


class JobState(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"


class EscalationJob(IncidentsTable, table=True):
    """One scheduled escalation step. Firing claims the row with a conditional UPDATE, so that of several
    scheduler instances exactly one fires it, once, even across restarts."""

    __tablename__ = "escalation_jobs"
    __table_args__ = (sa.Index("ix_escalation_jobs_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incidents.id", index=True, max_length=36)
    deadline: DeadlineKind = Field(max_length=20)
    deadline_at: datetime = Field(sa_type=UTCDateTime, description="The deadline this step follows")
    step: int = Field(ge=1)
    level: EscalationLevel = Field(max_length=30)
    notify_role: str = Field(max_length=50)
    due_at: datetime = Field(sa_type=UTCDateTime)
    state: JobState = Field(default=JobState.PENDING, max_length=20)
    fired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fired_by: str | None = Field(default=None, max_length=100)


class EscalationPublic(SQLModel):
    deadline: DeadlineKind
    step: int
    level: EscalationLevel
    notify_role: str
    due_at: datetime
    state: JobState
    fired_at: datetime | None
