"""Support program tables and the API's shapes. Money and values are whole VND in a BIGINT, never floats."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from services.activities.tables import ActivitiesTable
from shared.clock import utc_now
from shared.dates import RecordDate
from shared.db import UTCDateTime
from shared.events.activities import ContributionKindV2, SupportUnitKind, SupportUnitV1
from shared.validation import FreeText, SingleLine

PERIOD_CODE = r"^\d{4}-\d{4}$"


class SupportPeriod(ActivitiesTable, table=True):
    """A period (giai đoạn) of the program, e.g. 2023-2028: data, so the Department adds the next one."""

    __tablename__ = "support_periods"

    code: str = Field(primary_key=True, max_length=9)
    name: str
    starts_on: date
    ends_on: date


class Pairing(ActivitiesTable, table=True):
    __tablename__ = "support_pairings"

    id: str = Field(primary_key=True, max_length=36)
    helper_kind: str
    helper_code: str = Field(index=True)
    helper_name: str
    helper_cluster_no: int | None = Field(default=None, index=True)
    helped_kind: str
    helped_code: str = Field(index=True)
    helped_name: str
    helped_cluster_no: int | None = Field(default=None, index=True)
    period_from: date
    period_to: date | None = None
    period_code: str | None = Field(default=None, index=True, max_length=9)
    """The program's period its start falls in (None only for a pairing stored before periods existed)."""
    note: str | None = None
    created_by: str
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)

    def helper(self) -> SupportUnitV1:
        return SupportUnitV1(
            kind=SupportUnitKind(self.helper_kind),
            code=self.helper_code,
            name=self.helper_name,
            cluster_no=self.helper_cluster_no,
        )

    def helped(self) -> SupportUnitV1:
        return SupportUnitV1(
            kind=SupportUnitKind(self.helped_kind),
            code=self.helped_code,
            name=self.helped_name,
            cluster_no=self.helped_cluster_no,
        )


class Contribution(ActivitiesTable, table=True):
    __tablename__ = "support_contributions"

    id: str = Field(primary_key=True, max_length=36)
    pairing_id: str = Field(foreign_key="support_pairings.id", index=True, max_length=36)
    kind: str = Field(index=True)
    value_vnd: int = Field(sa_type=BigInteger)
    description: str
    contributed_on: date
    school_year: str = Field(index=True, max_length=9)
    period_code: str | None = Field(default=None, index=True, max_length=9)
    """The program's period its date falls in (None only for one stored before periods existed)."""
    recorded_by: str
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class SupportAward(ActivitiesTable, table=True):
    """The Department's recognition of a group or an individual for the program."""

    __tablename__ = "support_awards"

    id: str = Field(primary_key=True, max_length=36)
    school_year: str = Field(index=True, max_length=9)
    recipient_kind: str
    recipient_name: str
    unit_code: str | None = None
    cluster_no: int | None = Field(default=None, index=True)
    title: str
    decision_number: str
    decision_date: date
    recorded_by: str


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SupportUnitKind
    code: str = PydanticField(min_length=1, max_length=40)
    name: SingleLine | None = PydanticField(default=None, max_length=300, description="Looked up for schools")
    cluster_no: int | None = PydanticField(
        default=None, ge=1, description="Looked up for schools and communes"
    )


class PairingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helper: UnitIn
    helped: UnitIn
    period_from: RecordDate
    period_to: RecordDate | None = None
    note: FreeText | None = PydanticField(default=None, max_length=2000)


class PairingPublic(SQLModel):
    id: str
    helper: SupportUnitV1
    helped: SupportUnitV1
    period_from: date
    period_to: date | None
    period_code: str | None
    note: str | None
    created_by: str
    created_at: datetime


class ContributionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ContributionKindV2
    value_vnd: int = PydanticField(ge=0, le=10**15, description="Whole VND: money given, or goods' value")
    description: FreeText = PydanticField(min_length=1, max_length=2000)
    contributed_on: RecordDate


class ContributionPublic(SQLModel):
    id: str
    pairing_id: str
    kind: ContributionKindV2
    value_vnd: int
    description: str
    contributed_on: date
    school_year: str
    period_code: str | None
    recorded_by: str
    recorded_at: datetime


class AwardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_year: str = PydanticField(pattern=r"^\d{4}-\d{4}$", examples=["2025-2026"])
    recipient_kind: str = PydanticField(pattern=r"^(group|individual)$")
    recipient_name: str = PydanticField(min_length=1, max_length=300)
    unit_code: str | None = PydanticField(default=None, max_length=40)
    cluster_no: int | None = PydanticField(default=None, ge=1)
    title: str = PydanticField(min_length=1, max_length=300, examples=["Bằng khen của Giám đốc Sở"])
    decision_number: str = PydanticField(min_length=1, max_length=100)
    decision_date: RecordDate


class AwardPublic(AwardCreate):
    id: str
    decision_date: date  # as stored: an award stored before the bound is still read
    recorded_by: str


class PeriodCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = PydanticField(pattern=PERIOD_CODE, examples=["2028-2033"])
    name: SingleLine = PydanticField(min_length=1, max_length=300, examples=["Giai đoạn 2028-2033"])
    starts_on: RecordDate
    ends_on: RecordDate


class PeriodPublic(SQLModel):
    code: str
    name: str
    starts_on: date
    ends_on: date


class TotalLine(SQLModel):
    group: str
    contributions: int
    value_vnd: int


def pairing_public(pairing: Pairing) -> PairingPublic:
    return PairingPublic.model_validate(
        {**pairing.model_dump(), "helper": pairing.helper(), "helped": pairing.helped()}
    )
