"""The consumer guide's example consumer (docs/consumers/example_consumer.py), run against the real broker
on what the real registry publishes, checked against the committed contract."""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from types import ModuleType
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from deploy.local.kafka import REPO_ROOT
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.events.envelope import Envelope
from tests.support.apps import running

pytestmark = pytest.mark.kafka


def load_example() -> ModuleType:
    path = REPO_ROOT / "docs" / "consumers" / "example_consumer.py"
    spec = importlib.util.spec_from_file_location("example_consumer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


async def test_the_example_consumer_builds_its_directory_from_the_registry_and_resumes_where_it_stopped(
    common: dict[str, Any], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    example = load_example()
    topic = f"{topic_prefix}registry.clusters"
    group = f"{topic_prefix}example.cluster-directory"
    registry = create_registry(RegistrySettings(**common))
    async with running(registry):  # seeds the 5 clusters; its relay publishes their states
        directory = example.ClusterDirectory()
        outcome = await example.consume(
            kafka_bootstrap_servers, [topic], group, directory.apply, stop_after=5, idle_timeout_s=30
        )
    assert outcome.handled == 5 and outcome.invalid == []
    assert sorted(directory.clusters) == ["1", "2", "3", "4", "5"]
    assert all(state["version"] >= 1 and state["name"] for state in directory.clusters.values())

    # Something that breaks the contract, a tombstone, and a type this consumer does not know.
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
    await producer.start()
    try:
        for key, value, event_type in (
            (b"6", json.dumps({"cluster_no": "six"}).encode(), "vn.gov.nghean.edu.registry.cluster.v1"),
            (b"5", None, "vn.gov.nghean.edu.registry.cluster.v1"),
            (b"7", b"{}", "vn.gov.nghean.edu.registry.cluster.v9"),
        ):
            envelope = Envelope(id=str(uuid.uuid4()), type=event_type, source="/tests", time=None)
            headers = envelope.kafka_headers()
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()

    # The same group resumes after its committed offsets: the five states are not delivered again.
    resumed = await example.consume(
        kafka_bootstrap_servers, [topic], group, directory.apply, idle_timeout_s=3
    )
    assert (resumed.handled, resumed.skipped) == (1, 1)
    assert len(resumed.invalid) == 1 and "cluster_no" in resumed.invalid[0][1]
    assert sorted(directory.clusters) == ["1", "2", "3", "4"]  # cluster 5's tombstone removed it
