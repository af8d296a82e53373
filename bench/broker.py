"""The broker a benchmark runs against: ``KAFKA_BOOTSTRAP_SERVERS`` when set, else a local one it starts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deploy.local.kafka import KafkaLauncher


@contextmanager
def bench_broker(work_dir: Path) -> Iterator[str]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        yield bootstrap
        return
    launcher = KafkaLauncher(work_dir / "kafka")
    launcher.start()
    try:
        yield launcher.bootstrap_servers
    finally:
        launcher.stop()
