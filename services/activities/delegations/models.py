"""Delegation tables (an activity of kind ``delegation`` plus its details) and the API's shapes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from services.activities.tables import ActivitiesTable
from shared.clock import utc_now
from shared.dates import RecordDate, RecordDatetime
from shared.db import UTCDateTime
from shared.events.activities import SchoolLevelV2 as SchoolLevel
from shared.validation import FreeText, SingleLine


class Delegation(ActivitiesTable, table=True):
    __tablename__ = "delegations"

    activity_id: str = Field(foreign_key="activities.id", primary_key=True, max_length=36)
    purpose: str
    findings: str | None = None
    report_filed_by: str | None = None
    report_filed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DelegationMember(ActivitiesTable, table=True):
    __tablename__ = "delegation_members"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="delegations.activity_id", index=True, max_length=36)
    staff_code: str | None = None
    full_name: str
    role: str
    unit: str | None = None


class DelegationVisit(ActivitiesTable, table=True):
    __tablename__ = "delegation_visits"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="delegations.activity_id", index=True, max_length=36)
    commune_code: str
    school_code: str | None = None
    visit_date: date


class Recommendation(ActivitiesTable, table=True):
    __tablename__ = "delegation_recommendations"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="delegations.activity_id", index=True, max_length=36)
    text: str
    addressee_school_code: str | None = None
    addressee_commune_code: str | None = None
    follow_up_due: date | None = Field(default=None, index=True)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


MAX_MEMBERS = 100
MAX_VISITS = 1000
"""More than one visit a day to each of a cluster's schools over a school year."""
MAX_RECOMMENDATIONS = 500


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_code: str | None = PydanticField(default=None, max_length=40)
    full_name: SingleLine = PydanticField(min_length=1, max_length=200)
    role: str = PydanticField(default="member", pattern=r"^(head|deputy|member|secretary)$")
    unit: SingleLine | None = PydanticField(default=None, max_length=200)


class VisitPublic(BaseModel):
    commune_code: str = PydanticField(min_length=1, max_length=10)
    school_code: str | None = PydanticField(default=None, max_length=20)
    visit_date: date


class VisitIn(VisitPublic):
    """A visit as written: its date bounded (a visit stored before the bound is still read as it is)."""

    model_config = ConfigDict(extra="forbid")

    visit_date: RecordDate


class DelegationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: SingleLine = PydanticField(min_length=1, max_length=300)
    purpose: FreeText = PydanticField(min_length=1, max_length=5000)
    division_code: str = PydanticField(min_length=1, max_length=20)
    whole_province: bool = False
    cluster_nos: list[int] = PydanticField(default_factory=list, max_length=99)
    levels: list[SchoolLevel] = PydanticField(
        default_factory=lambda: [SchoolLevel.PRESCHOOL, SchoolLevel.PRIMARY, SchoolLevel.LOWER_SECONDARY],
        max_length=len(SchoolLevel),
    )
    starts_at: RecordDatetime
    ends_at: RecordDatetime
    members: list[MemberIn] = PydanticField(min_length=1, max_length=MAX_MEMBERS)
    visits: list[VisitIn] = PydanticField(min_length=1, max_length=MAX_VISITS)


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: FreeText = PydanticField(min_length=1, max_length=5000)
    addressee_school_code: str | None = None
    addressee_commune_code: str | None = None
    follow_up_due: RecordDate | None = None


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: FreeText = PydanticField(min_length=1, max_length=20000)
    recommendations: list[RecommendationIn] = PydanticField(
        default_factory=list, max_length=MAX_RECOMMENDATIONS
    )


class RecommendationPublic(SQLModel):
    id: int
    activity_id: str
    """The delegation it came from (marking it done names both)."""
    text: str
    addressee_school_code: str | None
    addressee_commune_code: str | None
    follow_up_due: date | None
    done_at: datetime | None


class DelegationPublic(SQLModel):
    activity_id: str
    title: str
    status: str
    cluster_nos: list[int]
    starts_at: datetime
    ends_at: datetime
    purpose: str
    members: list[MemberIn]
    visits: list[VisitPublic]
    findings: str | None
    report_filed_at: datetime | None
    recommendations: list[RecommendationPublic]
