"""CloudEvents 1.0 in Kafka binary mode: the attributes travel as ``ce_*`` headers, the body is plain JSON.

Building and parsing live together so the producer's and the consumer's view of a header cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

SPEC_VERSION = "1.0"
JSON_CONTENT_TYPE = "application/json"
REQUIRED_HEADERS = ("ce_id", "ce_type", "ce_source", "ce_specversion")


class InvalidEnvelope(ValueError):
    """The message's headers are not a CloudEvents 1.0 binary-mode envelope."""


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    source: str
    time: datetime | None
    subject: str | None = None
    content_type: str | None = JSON_CONTENT_TYPE
    traceparent: str | None = None

    def to_headers(self) -> dict[str, str]:
        headers = {
            "ce_specversion": SPEC_VERSION,
            "ce_id": self.id,
            "ce_type": self.type,
            "ce_source": self.source,
        }
        if self.time is not None:
            headers["ce_time"] = format_time(self.time)
        if self.subject:
            headers["ce_subject"] = self.subject
        if self.content_type:
            headers["content-type"] = self.content_type
        if self.traceparent:
            headers["traceparent"] = self.traceparent
        return headers

    @classmethod
    def from_headers(cls, headers: dict[str, str]) -> Envelope:
        missing = [name for name in REQUIRED_HEADERS if not headers.get(name)]
        if missing:
            raise InvalidEnvelope(f"missing CloudEvents header(s): {', '.join(missing)}")
        if headers["ce_specversion"] != SPEC_VERSION:
            raise InvalidEnvelope(f"unsupported ce_specversion {headers['ce_specversion']!r}")
        raw_time = headers.get("ce_time")
        return cls(
            id=headers["ce_id"],
            type=headers["ce_type"],
            source=headers["ce_source"],
            time=parse_time(raw_time) if raw_time else None,
            subject=headers.get("ce_subject"),
            content_type=headers.get("content-type"),
            traceparent=headers.get("traceparent"),
        )


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as CloudEvents asks."""
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidEnvelope(f"ce_time {raw!r} is not an RFC 3339 timestamp") from exc
    if moment.tzinfo is None:
        raise InvalidEnvelope(f"ce_time {raw!r} has no timezone")
    return moment
