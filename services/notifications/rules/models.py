"""The rules table an administrator edits, and its API shapes."""

from __future__ import annotations

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from services.notifications.recipients.domain import RecipientRole
from services.notifications.rules.domain import Priority
from services.notifications.tables import NotificationsTable
from shared.events.notifications import DeliveryChannel
from shared.web.patch import PatchModel

MAX_CLUSTERS = 99
"""Cluster numbers run from 1 to 99."""


class RuleBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    event_type: str = Field(
        description="Full CloudEvents type, e.g. vn.gov.nghean.edu.incidents.incident.reported.v1"
    )
    enabled: bool = True
    min_severity: str | None = Field(default=None, description="critical, high, medium or low")
    restricted: bool | None = Field(default=None, description="true: restricted cases only; false: others")
    cluster_nos: list[int] = Field(
        default_factory=list, sa_type=JSON, max_length=MAX_CLUSTERS, description="Empty: any cluster"
    )
    roles: list[RecipientRole] = Field(sa_type=JSON, min_length=1, max_length=len(RecipientRole))
    channels: list[DeliveryChannel] = Field(
        sa_type=JSON, min_length=1, max_length=len(DeliveryChannel), description="email, sms, in_app"
    )
    priority: Priority | None = Field(default=None, description="Empty: from the event's severity")


class Rule(RuleBase, NotificationsTable, table=True):
    __tablename__ = "rules"

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, unique=True, description="Names a seeded default rule")


class RuleCreate(RuleBase):
    pass


class RuleUpdate(PatchModel):
    clearable = frozenset({"min_severity", "restricted", "priority"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    enabled: bool | None = None
    min_severity: str | None = None
    restricted: bool | None = None
    cluster_nos: list[int] | None = Field(default=None, max_length=MAX_CLUSTERS)
    roles: list[RecipientRole] | None = Field(default=None, min_length=1, max_length=len(RecipientRole))
    channels: list[DeliveryChannel] | None = Field(
        default=None, min_length=1, max_length=len(DeliveryChannel)
    )
    priority: Priority | None = None


class RulePublic(RuleBase):
    id: int
    code: str | None
