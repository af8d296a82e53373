"""Activity tables and the shapes the API reads and writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from services.activities.activities.domain import Audience, Seats
from services.activities.tables import ActivitiesTable
from shared.clock import utc_now
from shared.dates import RecordDatetime
from shared.db import UTCDateTime
from shared.events.activities import ActivityKind, ActivityStatus, EligibilityV2, SchoolLevelV2
from shared.validation import FreeText, SingleLine
from shared.web.patch import PatchModel


class Activity(ActivitiesTable, table=True):
    __tablename__ = "activities"

    id: str = Field(primary_key=True, max_length=36)
    title: str = Field(max_length=300)
    kind: str = Field(index=True)
    status: str = Field(default=ActivityStatus.PLANNED, index=True)
    division_code: str = Field(foreign_key="divisions.code")
    whole_province: bool = False
    levels: list[str] = Field(default_factory=list, sa_type=JSON)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, index=True)
    venue_school_code: str | None = Field(default=None, index=True)
    venue_name: str | None = None
    description: str | None = None
    capacity: int | None = None
    waitlist_enabled: bool = True
    registration_opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    registration_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    eligibility: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    seats_taken: int = 0
    registration_seq: int = 0
    """Grows with every registration change; bumping it is how a registration locks its activity."""
    cancel_reason: str | None = None
    created_by: str
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

    def seats(self) -> Seats:
        return Seats(capacity=self.capacity, taken=self.seats_taken, waitlist_enabled=self.waitlist_enabled)


class ActivityCluster(ActivitiesTable, table=True):
    """The clusters an activity involves, as rows so that scoped lists and the calendar filter in SQL."""

    __tablename__ = "activity_clusters"

    activity_id: str = Field(foreign_key="activities.id", primary_key=True, max_length=36)
    cluster_no: int = Field(primary_key=True, index=True)


class EligibilityIn(EligibilityV2):
    """Eligibility as a request states it: each list no longer than what it can name."""

    levels: list[SchoolLevelV2] = PydanticField(
        default_factory=list, max_length=len(SchoolLevelV2), description="School levels admitted"
    )
    cluster_nos: list[Annotated[int, PydanticField(ge=1, le=99)]] = PydanticField(
        default_factory=list, max_length=99, description="Clusters whose schools may register"
    )
    staff_roles: list[Annotated[str, PydanticField(max_length=40)]] = PydanticField(
        default_factory=list,
        max_length=20,
        description="Registry staff roles admitted, e.g. ['core_teacher']",
    )
    subjects: list[Annotated[str, PydanticField(max_length=100)]] = PydanticField(
        default_factory=list, max_length=50, description="Teaching subjects admitted"
    )


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: SingleLine = PydanticField(min_length=1, max_length=300)
    kind: ActivityKind
    division_code: str = PydanticField(min_length=1, max_length=20)
    whole_province: bool = False
    cluster_nos: list[Annotated[int, PydanticField(ge=1, le=99)]] = PydanticField(
        default_factory=list, max_length=99, description="Empty when whole_province"
    )
    levels: list[SchoolLevelV2] = PydanticField(min_length=1, max_length=len(SchoolLevelV2))
    starts_at: RecordDatetime
    ends_at: RecordDatetime
    venue_school_code: str | None = PydanticField(default=None, max_length=20)
    venue_name: SingleLine | None = PydanticField(default=None, max_length=300)
    description: FreeText | None = PydanticField(default=None, max_length=5000)
    capacity: int | None = PydanticField(default=None, ge=1, le=100_000)
    waitlist_enabled: bool = True
    registration_opens_at: RecordDatetime | None = None
    registration_closes_at: RecordDatetime | None = None
    eligibility: EligibilityIn = PydanticField(default_factory=EligibilityIn)


class ActivityUpdate(PatchModel):
    clearable = frozenset(
        {
            "venue_school_code",
            "venue_name",
            "description",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
        }
    )

    title: SingleLine | None = PydanticField(default=None, min_length=1, max_length=300)
    starts_at: RecordDatetime | None = None
    ends_at: RecordDatetime | None = None
    venue_school_code: str | None = PydanticField(default=None, max_length=20)
    venue_name: SingleLine | None = PydanticField(default=None, max_length=300)
    description: FreeText | None = PydanticField(default=None, max_length=5000)
    capacity: int | None = PydanticField(default=None, ge=1, le=100_000)
    registration_opens_at: RecordDatetime | None = None
    registration_closes_at: RecordDatetime | None = None
    eligibility: EligibilityIn | None = None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ActivityStatus
    reason: FreeText | None = PydanticField(default=None, max_length=2000, description="Required to cancel")


class ActivityPublic(SQLModel):
    id: str
    title: str
    kind: ActivityKind
    status: ActivityStatus
    division_code: str
    whole_province: bool
    cluster_nos: list[int]
    levels: list[SchoolLevelV2]
    starts_at: datetime
    ends_at: datetime
    venue_school_code: str | None
    venue_name: str | None
    description: str | None
    capacity: int | None
    waitlist_enabled: bool
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    eligibility: EligibilityV2
    seats_taken: int
    cancel_reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


def activity_public(activity: Activity, cluster_nos: list[int]) -> ActivityPublic:
    return ActivityPublic.model_validate(
        {**activity.model_dump(), "cluster_nos": cluster_nos, "eligibility": activity.eligibility}
    )


@dataclass
class LoadedActivity:
    """An activity with the clusters it involves, as the use cases pass it around."""

    activity: Activity
    cluster_nos: list[int]

    def audience(self) -> Audience:
        return Audience(
            whole_province=self.activity.whole_province,
            cluster_nos=self.cluster_nos,
            levels=self.activity.levels,
            eligibility=EligibilityV2.model_validate(self.activity.eligibility),
        )


@dataclass(frozen=True)
class PlacesTally:
    """An activity's registrations as its events report them."""

    registered: int
    waitlisted: int
    school_codes: list[str]
    """The schools with someone registered or waiting, sorted."""
