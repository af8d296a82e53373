"""Events the notices service publishes on ``notices.events``: the Department's notices to schools and
communes, the reminders to those who have not acknowledged one, and the returns schools file on them.

Notice, reminder and return events are keyed by the notice id, so one notice's story stays in order; a
school's figures from a return are keyed by the school code, so the registry applies one school's years in
order. A published notice carries its audience twice: as the sender chose it (``audience``, which the
notifications service resolves against its own replica) and as the notices service resolved it
(``addressees``, each with the signatures of its own open and acknowledge links, which only the notices
service can make). Attachments travel as signed download links, and the small ones also as their bytes.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from shared.events.activities import SchoolLevel, SchoolLevelV2, fits_v1
from shared.events.base import EventPayload, event_type
from shared.events.topics import NOTICE_EVENTS


class AddresseeKind(StrEnum):
    """Who a notice is addressed to: a school (its principal) or one of a commune's two offices."""

    SCHOOL_PRINCIPAL = "school_principal"
    PEOPLE_COMMITTEE = "people_committee"
    """The commune's People's Committee (Ủy ban nhân dân xã)."""
    CULTURE_OFFICE = "culture_office"
    """The commune's Office of Culture and Social Affairs (Phòng Văn hóa - Xã hội)."""


_KEY_PREFIX = {
    AddresseeKind.SCHOOL_PRINCIPAL: "school",
    AddresseeKind.PEOPLE_COMMITTEE: "people-committee",
    AddresseeKind.CULTURE_OFFICE: "commune-office",
}


def addressee_key(kind: AddresseeKind, code: str) -> str:
    """``school:<MOET code>``, ``people-committee:<GSO code>`` or ``commune-office:<GSO code>``.

    The same keys the notifications service gives a school without a known principal and a commune's
    offices, so a delivery's ``recipient_key`` names the addressee directly (a principal's is
    ``staff:<code>``).
    """
    return f"{_KEY_PREFIX[kind]}:{code}"


def parse_addressee_key(key: str) -> tuple[AddresseeKind, str] | None:
    prefix, _, code = key.partition(":")
    for kind, known in _KEY_PREFIX.items():
        if prefix == known and code:
            return kind, code
    return None


class PrincipalGroupV1(BaseModel):
    """The principals of the schools matching every list given (an empty list: no restriction on it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cluster_nos: list[int] = Field(default_factory=list, description="Schools of these clusters")
    commune_codes: list[str] = Field(default_factory=list, description="Schools of these communes")
    levels: list[SchoolLevel] = Field(default_factory=list, description="Schools of these levels")

    def is_empty(self) -> bool:
        return not (self.cluster_nos or self.commune_codes or self.levels)


class PrincipalGroupV2(PrincipalGroupV1):
    """A principal group that may name an upper-secondary school's or a GDTX centre's level."""

    levels: list[SchoolLevelV2] = Field(  # type: ignore[assignment]
        default_factory=list, description="Schools of these levels"
    )


class CommuneGroupV1(BaseModel):
    """Communes: every commune, or those of the clusters given, and those named (a union)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    all_communes: bool = False
    cluster_nos: list[int] = Field(default_factory=list)
    commune_codes: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.all_communes or self.cluster_nos or self.commune_codes)


class NoticeAudienceV1(BaseModel):
    """Who a notice is for, as its sender chose: the union of every part given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    all_principals: bool = Field(default=False, description="Every active school's principal")
    principal_groups: list[PrincipalGroupV1] = Field(
        default_factory=list, description="Principals of schools by cluster, commune and level"
    )
    school_codes: list[str] = Field(default_factory=list, description="The principals of these schools")
    people_committees: CommuneGroupV1 | None = Field(
        default=None, description="The People's Committees of these communes"
    )
    culture_offices: CommuneGroupV1 | None = Field(
        default=None, description="The Offices of Culture and Social Affairs of these communes"
    )

    def is_empty(self) -> bool:
        groups = [group for group in self.principal_groups if not group.is_empty()]
        offices = [group for group in (self.people_committees, self.culture_offices) if group is not None]
        return not (
            self.all_principals
            or groups
            or self.school_codes
            or any(not group.is_empty() for group in offices)
        )


class NoticeAudienceV2(NoticeAudienceV1):
    """An audience whose principal groups may name every level the registry names."""

    principal_groups: list[PrincipalGroupV2] = Field(  # type: ignore[assignment]
        default_factory=list, description="Principals of schools by cluster, commune and level"
    )

    def fits_v1(self) -> bool:
        return all(fits_v1(group.levels) for group in self.principal_groups)

    def as_v1(self) -> NoticeAudienceV1:
        return NoticeAudienceV1.model_validate(self.model_dump())


class NoticeAttachmentV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    attachment_id: str
    filename: str
    content_type: str
    size_bytes: int = Field(ge=0)
    sha256: str = Field(description="Hex SHA-256 of the file: the stored file's name")
    url: str = Field(description="A signed download link, valid until the notice's links expire")
    content_base64: str | None = Field(
        default=None, description="The file itself, for small attachments an email may carry"
    )


class LinkAction(StrEnum):
    OPEN = "open"
    ACKNOWLEDGE = "acknowledge"


class NoticeLinksV1(BaseModel):
    """Where an addressee's signed links point, and until when they work.

    A link reads ``{base_url}/{action}?notice=<id>&to=<addressee key>&exp=<unix time>&sig=<signature>``;
    ``url`` builds it, so the producer and every consumer write the same link.
    """

    model_config = ConfigDict(frozen=True)

    base_url: str
    expires_at: datetime

    def url(self, action: LinkAction, *, notice_id: str, addressee: str, signature: str) -> str:
        query = urlencode(
            {"notice": notice_id, "to": addressee, "exp": int(self.expires_at.timestamp()), "sig": signature}
        )
        return f"{self.base_url.rstrip('/')}/{action.value}?{query}"


class AddresseeV1(BaseModel):
    """One addressee as the notices service resolved it, with the signatures of its two links."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description="school:<code>, people-committee:<gso> or commune-office:<gso>")
    kind: AddresseeKind
    open_sig: str
    acknowledge_sig: str


class ReturnRequestV1(BaseModel):
    """A return a notice asks the schools it addresses for."""

    model_config = ConfigDict(frozen=True)

    form_code: str
    form_name: str
    school_year: str = Field(description="e.g. 2026-2027")
    due_at: datetime


@event_type("notices.notice.published.v1", topic=NOTICE_EVENTS, key="notice_id")
class NoticePublishedV1(EventPayload):
    """A notice was published to its audience; it cannot change any more (a correction is a new notice)."""

    notice_id: str
    number: str = Field(description="The official number, e.g. 1234/SGDĐT-VP")
    notice_date: date
    issuing_unit: str
    title: str = Field(description="The notice's subject line (trích yếu)")
    summary: str
    reply_by: datetime | None = None
    corrects_notice_id: str | None = Field(default=None, description="The notice this one corrects")
    corrects_number: str | None = None
    attachments: list[NoticeAttachmentV1] = Field(default_factory=list)
    audience: NoticeAudienceV1
    cluster_nos: list[int] = Field(description="The clusters the resolved audience reaches")
    addressees: list[AddresseeV1] = Field(description="The audience as the notices service resolved it")
    links: NoticeLinksV1
    return_request: ReturnRequestV1 | None = None
    published_by: str
    occurred_at: datetime


@event_type("notices.notice.published.v2", topic=NOTICE_EVENTS, key="notice_id")
class NoticePublishedV2(NoticePublishedV1):
    """A notice whose audience names a level v1 cannot (upper-secondary schools, GDTX centres); every
    other notice stays v1, so a v1 consumer never meets a level it cannot name. The same fields as v1."""

    audience: NoticeAudienceV2


def notice_published(*, audience: NoticeAudienceV2, **fields: object) -> NoticePublishedV1:
    """The published event for this audience: v1 while its levels fit v1's enum, else v2."""
    if audience.fits_v1():
        return NoticePublishedV1(audience=audience.as_v1(), **fields)
    return NoticePublishedV2(audience=audience, **fields)


@event_type("notices.notice.reminder_sent.v1", topic=NOTICE_EVENTS, key="notice_id")
class NoticeReminderSentV1(EventPayload):
    """An addressee has not acknowledged a notice whose reply date is near: remind them, once."""

    notice_id: str
    number: str
    title: str
    issuing_unit: str
    reply_by: datetime
    addressee: AddresseeV1
    links: NoticeLinksV1
    cluster_nos: list[int] = Field(description="The addressee's cluster, if it is in one")
    occurred_at: datetime


@event_type("notices.return.requested.v1", topic=NOTICE_EVENTS, key="notice_id")
class ReturnRequestedV1(EventPayload):
    notice_id: str
    number: str
    request: ReturnRequestV1
    expected_school_codes: list[str]
    cluster_nos: list[int]
    occurred_at: datetime


FieldValue = int | str | bool | None
"""An answered field: integers and booleans as such, decimals and text as strings (``"12.50"``)."""


@event_type("notices.return.submitted.v1", topic=NOTICE_EVENTS, key="notice_id")
class ReturnSubmittedV1(EventPayload):
    """A school filed its return (the first version); ``late`` when after the due date."""

    notice_id: str
    form_code: str
    school_code: str
    cluster_no: int | None = None
    commune_code: str
    version: int = Field(ge=1)
    late: bool
    values: dict[str, FieldValue]
    submitted_by: str
    occurred_at: datetime


@event_type("notices.return.corrected.v1", topic=NOTICE_EVENTS, key="notice_id")
class ReturnCorrectedV1(EventPayload):
    """A school corrected its return before the due date: a new version, the old ones kept."""

    notice_id: str
    form_code: str
    school_code: str
    cluster_no: int | None = None
    commune_code: str
    version: int = Field(ge=2)
    supersedes_version: int = Field(ge=1)
    values: dict[str, FieldValue]
    submitted_by: str
    occurred_at: datetime


class MissingSchoolV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    school_code: str
    name: str
    commune_code: str


@event_type("notices.return.overdue.v1", topic=NOTICE_EVENTS, key="notice_id")
class ReturnOverdueV1(EventPayload):
    """The due date passed and these schools of one cluster (or of none) have filed nothing."""

    notice_id: str
    number: str
    title: str
    form_name: str
    due_at: datetime
    cluster_no: int | None = Field(default=None, description="None: schools the Department directs itself")
    cluster_nos: list[int] = Field(description="[cluster_no], or empty: for routing like other events")
    missing: list[MissingSchoolV1]
    expected_count: int = Field(ge=0, description="Schools of this cluster the return was asked of")
    occurred_at: datetime


@event_type("notices.school.figures_reported.v1", topic=NOTICE_EVENTS, key="school_code")
class SchoolFiguresReportedV1(EventPayload):
    """A school's own figures for a school year, from the latest version of an accepted return.

    The registry keeps them as the school's figures for that year; a field the return did not ask for is
    None and leaves the registry's figure as it is.
    """

    school_code: str
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    pupils: int | None = Field(default=None, ge=0)
    classes: int | None = Field(default=None, ge=0)
    teachers: int | None = Field(default=None, ge=0)
    notice_id: str
    form_code: str
    version: int = Field(ge=1)
    reported_at: datetime


__all__ = [
    "AddresseeKind",
    "AddresseeV1",
    "CommuneGroupV1",
    "FieldValue",
    "LinkAction",
    "MissingSchoolV1",
    "NoticeAttachmentV1",
    "NoticeAudienceV1",
    "NoticeAudienceV2",
    "NoticeLinksV1",
    "NoticePublishedV1",
    "NoticePublishedV2",
    "NoticeReminderSentV1",
    "PrincipalGroupV1",
    "PrincipalGroupV2",
    "ReturnCorrectedV1",
    "ReturnOverdueV1",
    "ReturnRequestV1",
    "ReturnRequestedV1",
    "ReturnSubmittedV1",
    "SchoolFiguresReportedV1",
    "addressee_key",
    "notice_published",
    "parse_addressee_key",
]
