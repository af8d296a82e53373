"""Proposal table and the API's shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from services.activities.proposals.domain import ProposalStatus
from services.activities.tables import ActivitiesTable
from shared.clock import utc_now
from shared.db import UTCDateTime
from shared.validation import FreeText, SingleLine


class Proposal(ActivitiesTable, table=True):
    __tablename__ = "personnel_proposals"

    id: str = Field(primary_key=True, max_length=36)
    cluster_no: int = Field(index=True)
    staff_code: str | None = None
    full_name: str
    school_code: str | None = None
    proposed_role: str
    justification: str
    status: str = Field(default=ProposalStatus.PROPOSED, index=True)
    reasons: str | None = None
    proposed_by: str
    decided_by: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster_no: int = PydanticField(ge=1)
    staff_code: str | None = PydanticField(default=None, max_length=40)
    full_name: SingleLine = PydanticField(min_length=1, max_length=200)
    school_code: str | None = PydanticField(default=None, max_length=20)
    proposed_role: SingleLine = PydanticField(min_length=1, max_length=200, examples=["core_principal"])
    justification: FreeText = PydanticField(min_length=1, max_length=5000)


class ProposalTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ProposalStatus
    reasons: FreeText | None = PydanticField(
        default=None, max_length=5000, description="Required for a decision"
    )


class ProposalPublic(SQLModel):
    id: str
    cluster_no: int
    staff_code: str | None
    full_name: str
    school_code: str | None
    proposed_role: str
    justification: str
    status: ProposalStatus
    reasons: str | None
    proposed_by: str
    decided_by: str | None
    created_at: datetime
    updated_at: datetime
