"""What ``GET /dev/mail`` answers: the mail the catcher received."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class CaughtMailPublic(BaseModel):
    sender: str
    recipients: list[str]
    subject: str
    body: str
    message_id: str | None
    received_at: datetime
