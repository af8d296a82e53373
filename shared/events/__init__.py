"""Event schemas, the CloudEvents envelope and the topics they travel on."""

from shared.events.base import EventPayload, EventSpec, event_type
from shared.events.catalog import all_event_specs, spec_for_type
from shared.events.envelope import Envelope, InvalidEnvelope
from shared.events.registry import (
    ClusterStateV1,
    CommuneStateV1,
    OfficeStateV1,
    SchoolStateV1,
    SchoolStateV2,
    StaffStateV1,
)
from shared.events.topics import ALL_TOPICS, TopicSpec, dead_letter_topic

__all__ = [
    "ALL_TOPICS",
    "ClusterStateV1",
    "CommuneStateV1",
    "Envelope",
    "EventPayload",
    "EventSpec",
    "InvalidEnvelope",
    "OfficeStateV1",
    "SchoolStateV1",
    "SchoolStateV2",
    "StaffStateV1",
    "TopicSpec",
    "all_event_specs",
    "dead_letter_topic",
    "event_type",
    "spec_for_type",
]
