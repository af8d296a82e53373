"""The receipts table: one row per addressee of a published notice, and the shapes of the report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.notices.tables import NoticesTable
from shared.db import UTCDateTime
from shared.events.notices import AddresseeKind


class Receipt(NoticesTable, table=True):
    """Who a notice was expected to reach (from the replica when it was published) and how far it got.

    The school's or commune's cluster, commune and level are kept as they were then, so a report on an
    old notice counts it where it was addressed.
    """

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("notice_id", "addressee_key", name="uq_receipt_once"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: str = Field(foreign_key="notices.id", index=True, max_length=36)
    addressee_key: str = Field(max_length=80)
    kind: AddresseeKind
    name: str = Field(max_length=300)
    school_code: str | None = Field(default=None, index=True, max_length=20)
    commune_code: str = Field(index=True, max_length=10)
    cluster_no: int | None = Field(default=None, index=True)
    level: str | None = None
    principal_staff_code: str | None = Field(default=None, index=True, max_length=40)
    expected_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_channels: list[str] = Field(default_factory=list, sa_type=JSON)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = None
    acknowledged_via: str | None = Field(default=None, description="app or link")
    reminder_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReceiptPublic(SQLModel):
    notice_id: str
    addressee_key: str
    kind: AddresseeKind
    name: str
    school_code: str | None
    commune_code: str
    cluster_no: int | None
    level: str | None
    state: str
    expected_at: datetime
    delivered_at: datetime | None
    delivered_channels: list[str]
    opened_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledged_via: str | None
    reminder_sent_at: datetime | None


class Tally(BaseModel):
    model_config = ConfigDict(frozen=True)

    expected: int = 0
    delivered: int = 0
    opened: int = 0
    acknowledged: int = 0
    unacknowledged: int = 0


class ClusterTally(Tally):
    cluster_no: int | None


class CommuneTally(Tally):
    commune_code: str
    cluster_no: int | None


class ReceiptReport(BaseModel):
    notice_id: str
    number: str
    published_at: datetime | None
    reply_by: datetime | None
    totals: Tally
    by_cluster: list[ClusterTally]
    by_commune: list[CommuneTally]
    receipts: list[ReceiptPublic]


class Unacknowledged(BaseModel):
    notice_id: str
    number: str
    subject: str
    published_at: datetime
    reply_by: datetime | None
    addressee_key: str
    name: str
    kind: AddresseeKind
    cluster_no: int | None
    commune_code: str
    delivered_at: datetime | None
    opened_at: datetime | None
    days_since_published: int


class AcknowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office: AddresseeKind | None = None
    """For a commune officer: which office acknowledges (default: each of the commune's)."""
