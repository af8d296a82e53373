"""A service's messaging parts wired together: broker, outbox relay, dead letters and consumer groups.

Each service's composition root builds one ``Messaging`` and starts and stops it with the web app, so no
service wires these parts differently from another.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Union

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db.unit_of_work import UnitOfWork
from shared.db.wakeups import Wakeups
from shared.events.catalog import all_event_specs
from shared.events.topics import TopicNaming, TopicSpec, dead_letter_topic
from shared.messaging.broker import aiokafka_client_options, create_broker
from shared.messaging.consumer import ConsumerMetrics, EventConsumer, RetryPolicy
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.outbox_relay import OutboxMetrics, OutboxRelay
from shared.messaging.topic_admin import ensure_topics
from shared.settings import ServiceSettings


class Messaging:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        metrics_registry: CollectorRegistry,
        publishes: Sequence[TopicSpec] = (),
        consumers: Sequence[EventConsumer] = (),
    ) -> None:
        self._settings = settings
        self.naming = TopicNaming(settings.kafka_topic_prefix)
        self.broker = create_broker(settings, metrics_registry=metrics_registry)
        self.relay = OutboxRelay(
            engine=engine,
            broker=self.broker,
            naming=self.naming,
            metrics=OutboxMetrics(metrics_registry),
            batch_size=settings.outbox_batch_size,
            sweep_interval=settings.outbox_sweep_interval_s,
        )
        self.wakeups = Wakeups(engine)
        self.unit_of_work = functools.partial(
            UnitOfWork,
            sessions,
            source=f"/edu-clusters/{settings.service_name}",
            on_commit=self.relay.wake,
            wakeups=self.wakeups,
        )
        self.dead_letter_topic = dead_letter_topic(settings.service_name)
        self.dead_letters = DeadLetters(
            self.broker, self.naming.physical(self.dead_letter_topic.name), metrics_registry
        )
        consumer_metrics = ConsumerMetrics(metrics_registry) if consumers else None
        retry = RetryPolicy(
            max_attempts=settings.consumer_max_attempts,
            base_delay=settings.consumer_retry_base_delay_s,
            max_delay=settings.consumer_retry_max_delay_s,
        )
        self._offset_committers = [
            consumer.attach(
                self.broker,
                uow_factory=self.unit_of_work,
                dead_letters=self.dead_letters,
                retry=retry,
                naming=self.naming,
                metrics=consumer_metrics,
                session_timeout_ms=settings.kafka_session_timeout_ms,
                heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
                max_poll_interval_ms=settings.kafka_max_poll_interval_ms,
                max_batch=settings.consumer_max_batch,
                max_transaction_s=settings.consumer_max_transaction_s,
            )
            for consumer in consumers
        ]
        consumed = [topic for consumer in consumers for topic in consumer.topics]
        for topic in publishes:
            self._document_publisher(topic)
        needed = [*publishes, self.dead_letter_topic, *consumed]
        self._topics = list({spec.name: spec for spec in needed}.values())

    def _document_publisher(self, topic: TopicSpec) -> None:
        """Declare what the service publishes on ``topic``, for its AsyncAPI document.

        The relay publishes through the broker itself (it sends pre-serialised outbox rows); these
        declarations only describe the channel and the schemas of the event types registered on it.
        """
        models = [spec.model for spec in all_event_specs() if spec.topic.name == topic.name]
        self.broker.publisher(
            self.naming.physical(topic.name),
            title=f"{topic.name}:publish",
            description=f"{topic.description} Key: {topic.key}. "
            + ("Compacted: the latest state per key." if topic.compacted else "Kept for a year."),
            schema=Union[tuple(models)] if models else None,  # noqa: UP007 - a runtime union of classes
        )

    async def start(self) -> None:
        # Topics first: a consumer subscribed to a missing topic would only notice it minutes later.
        await ensure_topics(
            aiokafka_client_options(self._settings),
            self._topics,
            naming=self.naming,
            partitions=self._settings.kafka_topic_partitions,
            replication_factor=self._settings.kafka_replication_factor,
        )
        await self.wakeups.start()
        await self.broker.start()
        self.relay.start()
        self.relay.wake()  # publish whatever a previous run left behind

    async def stop(self) -> None:
        await self.relay.stop()
        for committer in self._offset_committers:
            await committer.close()  # commit what is done while the consumers still own their partitions
        await self.broker.stop()
        await self.wakeups.stop()

    async def ping(self) -> None:
        if not await self.broker.ping(timeout=3.0):
            raise ConnectionError("Kafka broker does not answer")
