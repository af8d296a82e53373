"""Registry benchmark: a 20,000-school import and reads of one school by code, each against a baseline.

    .venv/bin/python -m bench.registry_import_and_reads [--schools 20000] [--seconds 10] [--clients 32]

1. Import: the labelled sample generator makes ``--schools`` rows; they are POSTed as JSON files of at
   most ``MAX_IMPORT_ROWS`` rows each (the most one import takes, in one transaction), one after the other,
   to ``/schools/import`` of a registry running under uvicorn (SQLite, the real broker). Printed: seconds to
   apply, and events/s from the request until the last school state is on Kafka. Baseline: the same number
   of messages of the same size produced straight to Kafka by an idempotent ``acks=all`` producer.
2. Reads: ``--clients`` concurrent keep-alive clients GET ``/schools/{code}`` (random codes, a valid
   token) for ``--seconds``; the baseline is a bare ASGI app under the same uvicorn answering that school's
   JSON (bench/bare_json.py). Printed: requests/s, p50/p99 and the ratio.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` when set, else starts the local broker. Both servers run as their own
process with one uvicorn worker, the load generator in this one, on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import aiohttp
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.broker import bench_broker
from bench.processes import start_server, wait_ready
from bench.report import goal
from deploy.local.kafka import free_port
from services.registry.admin.domain import CommuneForSamples, sample_rows
from services.registry.admin.seed import read_communes
from services.registry.bulk.domain import MAX_IMPORT_ROWS
from shared.auth import Principal, Role, TokenCodec
from shared.settings import ServiceSettings


async def messages_on(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()  # a topic created after start
            partitions = consumer.partitions_for_topic(topic) or set()
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        await consumer.stop()


async def raw_produce(bootstrap: str, payloads: list[bytes]) -> float:
    """Seconds to produce the payloads, acknowledged, with the relay's producer settings."""
    topic = f"bench.raw.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        started = time.perf_counter()
        pending = [
            await producer.send(topic, payload, key=str(n).encode()) for n, payload in enumerate(payloads)
        ]
        await asyncio.gather(*pending)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def load(
    url: str, headers: dict[str, str], paths: list[str], seconds: float, clients: int
) -> tuple[float, list[float]]:
    """Closed-loop load: each client sends its next request when the last one answered."""
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url=url, headers=headers, connector=connector) as session:
        stop_at = time.perf_counter() + seconds

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                async with session.get(rng.choice(paths)) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"GET answered {response.status}")
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(clients)))
        return len(latencies) / (time.perf_counter() - started), latencies


def pct(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(args: argparse.Namespace, bootstrap: str, work: Path) -> None:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    port, bare_port = free_port(), free_port()
    environment = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'registry.db'}",
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
    }
    communes = [CommuneForSamples(c.gso_code, c.name, c.population, c.cluster_no) for c in read_communes()]
    schools, _ = sample_rows(communes, schools=args.schools, seed=1)
    files = [
        json.dumps(schools[start : start + MAX_IMPORT_ROWS], ensure_ascii=False).encode()
        for start in range(0, len(schools), MAX_IMPORT_ROWS)
    ]
    token = TokenCodec.from_settings(ServiceSettings(service_name="bench")).mint(
        Principal(subject="bench", role=Role.DEPARTMENT_ADMIN), timedelta(hours=1)
    )
    headers = {"Authorization": f"Bearer {token}"}
    registry = start_server(
        "services.registry.app:create_app", port, environment, work / "registry.log", factory=True
    )
    sample_json = json.dumps(
        {**schools[0], "cluster_no": 1, "version": 1, "updated_at": "2026-11-23T00:00:00Z"},
        ensure_ascii=False,
    )
    bare = start_server(
        "bench.bare_json:app", bare_port, {"BENCH_BODY": sample_json}, work / "bare.log", factory=False
    )
    try:
        await wait_ready(f"http://127.0.0.1:{port}/health/ready")
        await wait_ready(f"http://127.0.0.1:{bare_port}/")
        topic = prefix + "registry.schools"
        before = await messages_on(bootstrap, topic)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=600
        ) as client:
            started = time.perf_counter()
            created = 0
            for body in files:
                response = await client.post(
                    "/schools/import", content=body, headers={"Content-Type": "application/json"}
                )
                if response.status_code != 200:
                    raise RuntimeError(f"import failed: {response.status_code} {response.text[:500]}")
                created += response.json()["created"]
            applied = time.perf_counter() - started
            if created != args.schools:
                raise RuntimeError(f"import created {created} schools, not {args.schools}")
        while await messages_on(bootstrap, topic) < before + args.schools:  # noqa: ASYNC110 - polling Kafka
            await asyncio.sleep(0.2)
        on_kafka = time.perf_counter() - started
        raw_seconds = await raw_produce(
            bootstrap, [json.dumps(row, ensure_ascii=False).encode() for row in schools]
        )

        paths = [f"/schools/{row['code']}" for row in schools]
        await load(f"http://127.0.0.1:{port}", headers, paths[:50], 1, args.clients)  # warm up
        registry_rate, registry_ms = await load(
            f"http://127.0.0.1:{port}", headers, paths, args.seconds, args.clients
        )
        bare_rate, bare_ms = await load(
            f"http://127.0.0.1:{bare_port}", headers, paths, args.seconds, args.clients
        )
    finally:
        for process in (registry, bare):
            process.terminate()
            process.wait(timeout=30)

    print(f"import of {args.schools} sample schools ({len(files)} JSON files), broker {bootstrap}")
    print(f"  applied in {applied:.1f} s ({args.schools / applied:.0f} rows/s)")
    print(f"  every school state on Kafka {on_kafka:.1f} s after the request began")
    print(f"  {'':34}{'events/s':>10}")
    print(f"  {'raw aiokafka produce (baseline)':34}{args.schools / raw_seconds:10.0f}")
    print(f"  {'import → outbox → Kafka':34}{args.schools / on_kafka:10.0f}")
    print(f"  {'ratio system/baseline':34}{raw_seconds / on_kafka:10.3f}")
    print(f"reads of one school by code: {args.clients} clients for {args.seconds:.0f} s each")
    print(f"  {'':34}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for label, rate, latencies in (
        ("bare uvicorn JSON (baseline)", bare_rate, bare_ms),
        ("GET /schools/{code}", registry_rate, registry_ms),
    ):
        print(f"  {label:34}{rate:10.0f}{pct(latencies, 0.5):10.1f}{pct(latencies, 0.99):10.1f}")
    print(f"  {'ratio registry/baseline':34}{registry_rate / bare_rate:10.3f}")
    print(goal("GET /schools/{code} / bare uvicorn JSON", registry_rate / bare_rate, 0.5))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--schools", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edu-bench-") as work, bench_broker(Path(work)) as bootstrap:
        asyncio.run(run(args, bootstrap, Path(work)))


if __name__ == "__main__":
    main()
