"""What every channel is given (a ``Message``), what it answers (a ``SendResult``), and how an HTTP answer
is read, without I/O.

Channels do I/O and nothing else: they never touch the database and never decide about retries. They
classify what happened (delivered, transient, permanent); the delivery domain decides what follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Protocol

from shared.clock import utc_now
from shared.events.notifications import DeliveryChannel


class ResultKind(StrEnum):
    DELIVERED = "delivered"
    TRANSIENT = "transient"
    """Worth another try later: 5xx, 429, timeouts, a connection refused."""
    PERMANENT = "permanent"
    """Trying again cannot help: a bad address, a 4xx, a subscription gone (410)."""


@dataclass(frozen=True)
class SendResult:
    kind: ResultKind
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    """What the other side asked us to wait (``Retry-After``), if it said."""
    gone: bool = False
    """The receiver answered 410 Gone: its subscription is to be disabled."""

    @classmethod
    def delivered(cls, status_code: int | None = None) -> SendResult:
        return cls(ResultKind.DELIVERED, status_code)

    @classmethod
    def transient(
        cls, error: str, *, status_code: int | None = None, retry_after_s: float | None = None
    ) -> SendResult:
        return cls(ResultKind.TRANSIENT, status_code, error, retry_after_s)

    @classmethod
    def permanent(cls, error: str, *, status_code: int | None = None, gone: bool = False) -> SendResult:
        return cls(ResultKind.PERMANENT, status_code, error, gone=gone)


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Message:
    delivery_id: str
    channel: DeliveryChannel
    address: str
    recipient_name: str
    subject: str
    body: str
    source_event_id: str
    source_event_type: str
    payload: dict[str, Any] = field(default_factory=dict)
    """For webhooks: the source event's JSON, sent as it is."""
    text: dict[str, str] | None = None
    """For webhooks: the event in words (``title``, ``body``), rendered from its webhook template."""
    secret: str | None = None
    """For webhooks: the subscription's signing secret (``whsec_…``)."""
    recipients: tuple[str, ...] = ()
    attachments: tuple[MailAttachment, ...] = ()
    """For email: files to attach (a notice's small attachments)."""


class Channel(Protocol):
    async def send(self, message: Message) -> SendResult: ...

    async def close(self) -> None: ...


def parse_retry_after(
    value: str | None, *, cap_s: float = 3600.0, now: datetime | None = None
) -> float | None:
    """``Retry-After`` in seconds, given as seconds or as an HTTP date (RFC 9110 allows both)."""
    if not value:
        return None
    try:
        return min(max(float(value.strip()), 0.0), cap_s)
    except ValueError:
        pass
    try:
        until = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if until.tzinfo is None:  # an HTTP date is GMT, whether or not it says so
        until = until.replace(tzinfo=UTC)
    waited = (until - (now or utc_now())).total_seconds()
    return min(max(waited, 0.0), cap_s)


def classify_http(status_code: int, retry_after: str | None) -> SendResult:
    """A gateway's or webhook receiver's answer: 2xx done, 429/5xx retry, 410 gone, other 4xx stop."""
    if 200 <= status_code < 300:
        return SendResult.delivered(status_code)
    if status_code == 410:
        return SendResult.permanent("the receiver answered 410 Gone", status_code=410, gone=True)
    if status_code == 429 or status_code == 408 or status_code >= 500:
        return SendResult.transient(
            f"the receiver answered {status_code}",
            status_code=status_code,
            retry_after_s=parse_retry_after(retry_after),
        )
    return SendResult.permanent(f"the receiver answered {status_code}", status_code=status_code)
