"""Every Kafka topic of the system, in one place: its name, what keys it, and whether it is compacted.

Registry topics are compacted and carry each entity's full current state (a delete is a tombstone), so a
new consumer rebuilds its replica by reading from the start. Incident, activity and notice topics carry domain
events (facts in the past tense) and keep them for a long time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Owner(StrEnum):
    """The service that is the only writer of a topic."""

    REGISTRY = "registry"
    INCIDENTS = "incidents"
    ACTIVITIES = "activities"
    NOTIFICATIONS = "notifications"
    NOTICES = "notices"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    owner: str
    """The service that is the only writer (an ``Owner`` for the main topics)."""
    key: str
    """What the message key holds; all events of one key stay in order on one partition."""
    compacted: bool
    description: str
    configs: dict[str, str] = field(default_factory=dict)

    def topic_configs(self) -> dict[str, str]:
        """Broker-side topic configuration for creation."""
        base = (
            {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"}
            if self.compacted
            # Domain events are the history other systems replay; keep them for a year.
            else {"cleanup.policy": "delete", "retention.ms": str(365 * 24 * 3600 * 1000)}
        )
        return {**base, **self.configs}


REGISTRY_CLUSTERS = TopicSpec(
    "registry.clusters",
    Owner.REGISTRY,
    "cluster number",
    True,
    "Current state of each professional cluster.",
)
REGISTRY_COMMUNES = TopicSpec(
    "registry.communes",
    Owner.REGISTRY,
    "commune GSO code",
    True,
    "Current state of each commune or ward, with its cluster and Culture and Social Affairs office.",
)
REGISTRY_SCHOOLS = TopicSpec(
    "registry.schools",
    Owner.REGISTRY,
    "school id",
    True,
    "Current state of each school.",
)
REGISTRY_STAFF = TopicSpec(
    "registry.staff",
    Owner.REGISTRY,
    "staff id",
    True,
    "Current state of each staff member, with roles and cluster memberships.",
)
REGISTRY_OFFICES = TopicSpec(
    "registry.offices",
    Owner.REGISTRY,
    "office code",
    True,
    "Current state of each Department office and of the province-level recipient, with its duty contact.",
)
INCIDENT_EVENTS = TopicSpec(
    "incidents.events",
    Owner.INCIDENTS,
    "incident id",
    False,
    "Everything that happens to an incident, in order per incident.",
)
ACTIVITY_EVENTS = TopicSpec(
    "activities.events",
    Owner.ACTIVITIES,
    "activity, pairing or proposal id",
    False,
    "Professional activities, contests, delegations, support program and personnel proposals.",
)
NOTIFICATION_EVENTS = TopicSpec(
    "notifications.deliveries",
    Owner.NOTIFICATIONS,
    "source event id",
    False,
    "The outcome of each delivery attempt chain (delivered or failed).",
)

NOTICE_EVENTS = TopicSpec(
    "notices.events",
    Owner.NOTICES,
    "notice id (a school's figures: school code)",
    False,
    "The Department's notices, their receipts and reminders, and the returns schools file on them.",
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    REGISTRY_CLUSTERS,
    REGISTRY_COMMUNES,
    REGISTRY_SCHOOLS,
    REGISTRY_STAFF,
    REGISTRY_OFFICES,
    INCIDENT_EVENTS,
    ACTIVITY_EVENTS,
    NOTIFICATION_EVENTS,
    NOTICE_EVENTS,
)


def dead_letter_topic(service_name: str) -> TopicSpec:
    """Each consuming service parks what it cannot process in its own dead-letter topic."""
    return TopicSpec(
        f"{service_name}.dead-letter",
        service_name,
        "original message key",
        False,
        f"Messages {service_name} could not process, with the reason and origin in headers.",
        {"retention.ms": str(90 * 24 * 3600 * 1000)},
    )


@dataclass(frozen=True)
class TopicNaming:
    """Maps the logical names used in code to the names on the broker (``KAFKA_TOPIC_PREFIX``)."""

    prefix: str = ""

    def physical(self, logical_name: str) -> str:
        return self.prefix + logical_name

    def logical(self, physical_name: str) -> str:
        return physical_name.removeprefix(self.prefix)
