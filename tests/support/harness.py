"""Runs the shared messaging machinery the way a service does, against the real broker and database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import create_engine, create_schema, session_factory
from shared.events.base import EventPayload
from shared.events.topics import (
    REGISTRY_CLUSTERS,
    REGISTRY_COMMUNES,
    REGISTRY_SCHOOLS,
    REGISTRY_STAFF,
    TopicSpec,
)
from shared.messaging import MESSAGING_METADATA, EventConsumer, Messaging
from shared.settings import Environment, ServiceSettings
from tests.support.probe import PROBE_METADATA, PROBE_TOPIC


def node_settings(*, name: str, bootstrap: str, prefix: str, database_url: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        environment=Environment.TEST,
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        kafka_session_timeout_ms=6_000,
        kafka_heartbeat_interval_ms=500,
        kafka_max_poll_interval_ms=10_000,
        outbox_sweep_interval_s=0.2,
        consumer_max_attempts=3,
        consumer_retry_base_delay_s=0.05,
        consumer_retry_max_delay_s=0.2,
    )


@dataclass
class MessagingNode:
    """One 'service instance': its database, its metrics registry and its ``Messaging``."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    registry: CollectorRegistry
    messaging: Messaging

    @classmethod
    async def start(
        cls,
        settings: ServiceSettings,
        *,
        consumers: Sequence[EventConsumer] = (),
        publishes: Sequence[TopicSpec] = (PROBE_TOPIC,),
        engine: AsyncEngine | None = None,
    ) -> MessagingNode:
        engine = engine or create_engine(settings.resolved_database_url)
        await create_schema(engine, MESSAGING_METADATA, PROBE_METADATA)
        sessions = session_factory(engine)
        registry = CollectorRegistry()
        messaging = Messaging(
            settings,
            engine=engine,
            sessions=sessions,
            metrics_registry=registry,
            publishes=publishes,
            consumers=consumers,
        )
        await messaging.start()
        return cls(settings, engine, sessions, registry, messaging)

    async def stop(self, *, dispose: bool = True) -> None:
        await self.messaging.stop()
        if dispose:
            await self.engine.dispose()

    async def publish(self, *events: EventPayload) -> list[str]:
        """Record the events in one unit of work, as a service's use case would; returns their ids."""
        async with self.messaging.unit_of_work() as uow:
            ids = [uow.record(event) for event in events]
            await uow.commit()
        return ids

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


REGISTRY_TOPICS = (REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF)


async def start_stand_in_registry(
    *, bootstrap: str, prefix: str, database_url: str, states: Sequence[EventPayload] = ()
) -> MessagingNode:
    """A node that plays the registry: it publishes the registry's topics, and these states through its
    outbox as the registry does, so a test controls exactly what the services' replicas learn."""
    settings = node_settings(name="registry", bootstrap=bootstrap, prefix=prefix, database_url=database_url)
    node = await MessagingNode.start(settings, publishes=REGISTRY_TOPICS)
    if states:
        await node.publish(*states)
    return node
