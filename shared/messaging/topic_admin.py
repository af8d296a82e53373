"""Creates the topics a service writes to, with their partition counts and compaction, before it starts.

Relying on the broker's auto-creation would give registry topics the default ``delete`` policy, and a
compacted topic is what lets a new consumer rebuild a replica from the start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.events.topics import TopicNaming, TopicSpec

log = logging.getLogger(__name__)


class KafkaTopicError(RuntimeError):
    pass


async def ensure_topics(
    client_options: dict[str, object],
    topics: Iterable[TopicSpec],
    *,
    naming: TopicNaming,
    partitions: int,
    replication_factor: int,
) -> list[str]:
    """Create the missing topics; returns the names it created. Safe when another service races it."""
    admin = AIOKafkaAdminClient(**client_options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in topics if naming.physical(spec.name) not in existing]
        if not missing:
            return []
        new_topics = [
            NewTopic(
                naming.physical(spec.name), partitions, replication_factor, topic_configs=spec.topic_configs()
            )
            for spec in missing
        ]
        response = await admin.create_topics(new_topics)
        created = []
        for topic, error_code, *message in response.topic_errors:
            if error_code == 0:
                created.append(topic)
            elif error_code != TopicAlreadyExistsError.errno:  # another process raced us: fine
                raise KafkaTopicError(f"could not create topic {topic}: error {error_code} {message}")
        log.info("created topics", extra={"topics": created})
        return created
    finally:
        await admin.close()
