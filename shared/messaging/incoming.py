"""Turns a raw Kafka record into a validated event, or says precisely why it cannot be one.

Every reason here is permanent (retrying cannot fix a malformed message), so the consumer parks such
records in the dead-letter topic at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from shared.events.base import EventPayload, EventSpec
from shared.events.catalog import spec_for_type
from shared.events.envelope import Envelope, InvalidEnvelope


class InvalidMessage(ValueError):
    """The record cannot be processed as it is; the message is the reason stored with the dead letter."""


@dataclass(frozen=True)
class IncomingEvent:
    envelope: Envelope
    spec: EventSpec
    event: EventPayload | None
    """``None`` for a tombstone: the entity with this key is gone."""
    key: str | None


def decode_record(record: Any, *, topic: str) -> IncomingEvent:
    """``topic`` is the record's logical topic name (without any environment prefix)."""
    headers = _decode_headers(record.headers)
    try:
        envelope = Envelope.from_headers(headers)
    except InvalidEnvelope as exc:
        raise InvalidMessage(str(exc)) from exc
    spec = spec_for_type(envelope.type)
    if spec is None:
        raise InvalidMessage(f"unknown event type {envelope.type!r}")
    if spec.topic.name != topic:
        raise InvalidMessage(f"event type {envelope.type!r} does not belong on topic {topic!r}")
    key = record.key.decode("utf-8", errors="replace") if record.key is not None else None
    if record.value is None:
        if not spec.topic.compacted or key is None:
            raise InvalidMessage("a tombstone (null value) is only valid with a key on a compacted topic")
        return IncomingEvent(envelope, spec, None, key)
    return IncomingEvent(envelope, spec, _decode_body(spec, envelope, record.value), key)


def _decode_headers(raw_headers: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw_headers:
        try:
            headers[name] = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidMessage(f"header {name!r} is not valid UTF-8") from exc
    return headers


def _decode_body(spec: EventSpec, envelope: Envelope, value: bytes) -> EventPayload:
    if envelope.content_type and not envelope.content_type.startswith("application/json"):
        raise InvalidMessage(f"content-type {envelope.content_type!r} is not application/json")
    try:  # parsed and validated in one pass by pydantic-core
        return spec.model.model_validate_json(value)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise InvalidMessage(f"body is not valid JSON: {exc.errors()[0]['msg']}") from exc
        raise InvalidMessage(f"body does not match {spec.event_type}: {_summarise(exc)}") from exc


def _summarise(error: ValidationError) -> str:
    """Field paths and messages, e.g. ``cluster_no: Input should be a valid integer``."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '(body)'}: {item['msg']}" for item in error.errors()
    )
