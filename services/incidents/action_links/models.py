"""The links used (each link's id once, so a second use is refused) and what a link's page shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field

from services.incidents.action_links.domain import LinkState
from services.incidents.tables import IncidentsTable
from shared.db import UTCDateTime
from shared.events.incidents import IncidentStatus


class UsedActionLink(IncidentsTable, table=True):
    """A link that did its action: its id is the key, so it does it once however often it is sent."""

    __tablename__ = "used_action_links"

    jti: str = Field(primary_key=True, max_length=64)
    incident_id: str = Field(foreign_key="incidents.id", index=True, max_length=36)
    staff_code: str = Field(max_length=64)
    action: str = Field(max_length=20)
    via: str = Field(max_length=20)
    used_at: datetime = Field(sa_type=UTCDateTime)


class ActionLinkPreview(BaseModel):
    """What a link's page shows before (and after) it is used, to whoever holds the link."""

    state: LinkState = PydanticField(description="valid, used or expired")
    message: str = PydanticField(description="What the person reads about the link's state, in Vietnamese")
    action: str = PydanticField(description="What the link does: acknowledge")
    action_label: str = PydanticField(description="The action in words, e.g. Tiếp nhận sự cố")
    expires_at: datetime
    person_code: str = PydanticField(description="The staff code of the person the link was sent to")
    person_name: str | None = PydanticField(description="Their name in the registry, if it knows them")
    incident_id: str
    reference: str = PydanticField(description="The incident's reference, e.g. SC-2026-000123")
    title: str | None = PydanticField(
        description="The incident's title while the link can be used; never for a restricted case"
    )
    school_name: str | None
    status: IncidentStatus
    acknowledged_at: datetime | None
