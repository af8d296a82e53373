"""The notices table and the shapes the API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from services.notices.tables import NoticesTable
from shared.clock import utc_now
from shared.dates import RecordDate, RecordDatetime
from shared.db import UTCDateTime
from shared.events.activities import SchoolLevelV2
from shared.events.notices import CommuneGroupV1, NoticeAudienceV2, PrincipalGroupV2
from shared.web.patch import PatchModel

MAX_CLUSTERS = 99
MAX_COMMUNES = 500
"""The province has 130 communes and wards."""
MAX_SCHOOLS = 5_000
"""The province has about 1,600 schools; an audience of more names goes by cluster, commune or level."""
MAX_GROUPS = 100

ClusterNo = Annotated[int, PydanticField(ge=1, le=99)]
CommuneCode = Annotated[str, PydanticField(min_length=1, max_length=10)]


class PrincipalGroupIn(PrincipalGroupV2):
    """A group of principals as a request states it: each list no longer than what it can name."""

    cluster_nos: list[ClusterNo] = PydanticField(default_factory=list, max_length=MAX_CLUSTERS)
    commune_codes: list[CommuneCode] = PydanticField(default_factory=list, max_length=MAX_COMMUNES)
    levels: list[SchoolLevelV2] = PydanticField(default_factory=list, max_length=len(SchoolLevelV2))


class CommuneGroupIn(CommuneGroupV1):
    cluster_nos: list[ClusterNo] = PydanticField(default_factory=list, max_length=MAX_CLUSTERS)
    commune_codes: list[CommuneCode] = PydanticField(default_factory=list, max_length=MAX_COMMUNES)


class AudienceIn(NoticeAudienceV2):
    """The audience as a request states it (the event's ``NoticeAudienceV2``, with bounded lists)."""

    # A list of the event's group type holding the bounded subclass: read as the event's type everywhere.
    principal_groups: list[PrincipalGroupIn] = PydanticField(  # type: ignore[assignment]
        default_factory=list,
        max_length=MAX_GROUPS,
        description="Principals of schools by cluster, commune and level",
    )
    school_codes: list[Annotated[str, PydanticField(min_length=1, max_length=20)]] = PydanticField(
        default_factory=list, max_length=MAX_SCHOOLS, description="The principals of these schools"
    )
    people_committees: CommuneGroupIn | None = PydanticField(
        default=None, description="The People's Committees of these communes"
    )
    culture_offices: CommuneGroupIn | None = PydanticField(
        default=None, description="The Offices of Culture and Social Affairs of these communes"
    )


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Notice(NoticesTable, table=True):
    __tablename__ = "notices"

    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(max_length=60, index=True)
    notice_date: date
    issuing_unit: str = Field(max_length=300)
    subject: str = Field(max_length=500)
    summary: str = Field(max_length=1000)
    body: str = Field(sa_type=Text)
    audience: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    reply_by: datetime | None = Field(default=None, sa_type=UTCDateTime)
    corrects_notice_id: str | None = Field(default=None, foreign_key="notices.id", max_length=36)
    return_form_code: str | None = Field(default=None, foreign_key="return_forms.code", max_length=60)
    return_school_year: str | None = Field(default=None, max_length=9)
    return_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    return_overdue_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the missing schools were reported after the due date (once, by one instance)."""
    status: str = Field(default=NoticeStatus.DRAFT, index=True)
    created_by: str
    sender_cluster_no: int | None = Field(default=None, description="Set when a cluster leader wrote it")
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    published_by: str | None = None
    published_event_id: str | None = Field(default=None, max_length=64, index=True)
    """The CloudEvents id of the published event: the notifications service's deliveries name it."""
    links_expire_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def audience_spec(self) -> NoticeAudienceV2:
        """Every level the registry names; published as v1 when its levels fit v1 (``notice_published``)."""
        return NoticeAudienceV2.model_validate(self.audience)


class NoticeAttachment(NoticesTable, table=True):
    """A file a notice carries (``attachments`` checks and stores it, under its SHA-256)."""

    __tablename__ = "notice_attachments"

    id: str = Field(primary_key=True, max_length=36)
    notice_id: str = Field(foreign_key="notices.id", index=True, max_length=36)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    uploaded_by: str
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ReturnRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form_code: str = PydanticField(min_length=1, max_length=60)
    school_year: str = PydanticField(pattern=r"^\d{4}-\d{4}$", examples=["2026-2027"])
    due_at: RecordDatetime


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = PydanticField(min_length=1, max_length=60, examples=["1234/SGDĐT-VP"])
    notice_date: RecordDate
    issuing_unit: str = PydanticField(min_length=1, max_length=300, examples=["Sở GD&ĐT Nghệ An"])
    subject: str = PydanticField(min_length=1, max_length=500)
    summary: str | None = PydanticField(
        default=None, max_length=1000, description="Default: the body's start"
    )
    body: str = PydanticField(min_length=1, max_length=100_000)
    audience: AudienceIn
    reply_by: RecordDatetime | None = None
    corrects_notice_id: str | None = PydanticField(
        default=None, max_length=36, description="The published notice this one corrects"
    )
    return_request: ReturnRequestCreate | None = None


class NoticeUpdate(PatchModel):
    clearable = frozenset({"reply_by", "return_request", "summary"})

    number: str | None = PydanticField(default=None, min_length=1, max_length=60)
    notice_date: RecordDate | None = None
    issuing_unit: str | None = PydanticField(default=None, min_length=1, max_length=300)
    subject: str | None = PydanticField(default=None, min_length=1, max_length=500)
    summary: str | None = PydanticField(default=None, max_length=1000)
    body: str | None = PydanticField(default=None, min_length=1, max_length=100_000)
    audience: AudienceIn | None = None
    reply_by: RecordDatetime | None = None
    return_request: ReturnRequestCreate | None = None


class AttachmentPublic(SQLModel):
    id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


class ReturnRequestPublic(SQLModel):
    form_code: str
    school_year: str
    due_at: datetime


class NoticePublic(SQLModel):
    id: str
    number: str
    notice_date: date
    issuing_unit: str
    subject: str
    summary: str
    body: str
    audience: NoticeAudienceV2
    reply_by: datetime | None
    corrects_notice_id: str | None
    return_request: ReturnRequestPublic | None
    status: NoticeStatus
    created_by: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    published_by: str | None
    attachments: list[AttachmentPublic]


def notice_public(notice: Notice, attachments: list[AttachmentPublic]) -> NoticePublic:
    request = (
        ReturnRequestPublic(
            form_code=notice.return_form_code,
            school_year=notice.return_school_year or "",
            due_at=notice.return_due_at,
        )
        if notice.return_form_code and notice.return_due_at
        else None
    )
    return NoticePublic.model_validate(
        {
            **notice.model_dump(),
            "audience": notice.audience_spec(),
            "return_request": request,
            "attachments": attachments,
        }
    )
