"""The base of every event payload and the catalog that maps a CloudEvents type to its schema.

An event class declares, once, its versioned type, its topic and which field keys it; producers and
consumers both look those up here, so the two sides cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.events.topics import TopicSpec

TYPE_PREFIX = "vn.gov.nghean.edu."


class EventPayload(BaseModel):
    """The JSON body of an event.

    Unknown fields are ignored so that a producer may add optional fields without breaking old consumers;
    anything else that changes the meaning is a new type (``….v2``).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    first_type: ClassVar[str]
    """The type of its first version: a ``….v2`` that extends its ``….v1`` (the same fields, wider enums)
    names the v1 here, so rules and templates written for v1 serve it too."""
    topic: ClassVar[TopicSpec]
    key_field: ClassVar[str]
    entity: ClassVar[str]

    def message_key(self) -> str:
        return str(getattr(self, self.key_field))

    def subject(self) -> str:
        """The CloudEvents subject: which entity the event is about, e.g. ``cluster/3``."""
        return f"{self.entity}/{self.message_key()}"


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    model: type[EventPayload]
    topic: TopicSpec


_CATALOG: dict[str, EventSpec] = {}

E = TypeVar("E", bound=type[EventPayload])


def event_type(short_type: str, *, topic: TopicSpec, key: str) -> Callable[[E], E]:
    """Class decorator that names an event type and registers it.

    Short types read ``<service>.<entity>[.<what happened>].v<N>``: ``registry.cluster.v1``,
    ``incidents.incident.escalated.v1``.
    """
    parts = short_type.split(".")
    if len(parts) < 3 or not re.fullmatch(r"v[0-9]+", parts[-1]):
        raise ValueError(f"event type {short_type!r} must read <service>.<entity>[.<fact>].v<N>")

    def register(cls: E) -> E:
        full_type = TYPE_PREFIX + short_type
        if full_type in _CATALOG and _CATALOG[full_type].model is not cls:
            raise ValueError(f"event type {full_type!r} is registered twice")
        if key not in cls.__pydantic_fields__:
            raise ValueError(f"{cls.__name__} has no field {key!r} to key its messages by")
        cls.first_type = _first_type(cls, full_type)
        cls.event_type = full_type
        cls.topic = topic
        cls.key_field = key
        cls.entity = parts[1]
        _CATALOG[full_type] = EventSpec(full_type, cls, topic)
        return cls

    return register


def _first_type(cls: type[EventPayload], full_type: str) -> str:
    """The first version's type among the registered classes it extends with the same name, or its own."""
    name = full_type.rsplit(".", 1)[0]
    for base in cls.__mro__[1:]:
        base_type = base.__dict__.get("event_type")
        if isinstance(base_type, str) and base_type.rsplit(".", 1)[0] == name:
            return str(base.__dict__["first_type"])
    return full_type


def spec_for_type(full_type: str) -> EventSpec | None:
    return _CATALOG.get(full_type)


def all_event_specs() -> list[EventSpec]:
    return sorted(_CATALOG.values(), key=lambda spec: spec.event_type)
