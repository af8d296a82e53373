"""The console's two tables: a signed-in person's session (their tokens live here, never in the browser)
and a sign-in under way (the PKCE verifier and where to go back to)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field

from services.console.tables import ConsoleTable
from shared.db.types import UTCDateTime


class ConsoleSession(ConsoleTable, table=True):
    """One signed-in browser. The cookie holds a random id; this row is found by its SHA-256."""

    __tablename__ = "console_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    subject: str
    username: str
    display_name: str
    role: str = Field(max_length=40)
    staff_code: str | None = None
    cluster_no: int | None = None
    school_code: str | None = Field(default=None, max_length=20)
    school_name: str | None = None
    commune_code: str | None = Field(default=None, max_length=10)
    access_token: str = Field(sa_column=Column(Text, nullable=False))
    access_expires_at: datetime = Field(sa_type=UTCDateTime)
    refresh_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    refresh_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    id_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PendingSignIn(ConsoleTable, table=True):
    """A sign-in sent to the identity provider and not back yet (the OAuth ``state`` is its key)."""

    __tablename__ = "console_sign_ins"

    state: str = Field(primary_key=True, max_length=64)
    code_verifier: str = Field(max_length=128)
    nonce: str = Field(max_length=64)
    return_to: str = Field(max_length=2000)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
