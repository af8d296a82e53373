"""The two hot HTTP paths against a bare uvicorn app answering the same requests, in one run:

    .venv/bin/python -m bench.http_paths [--seconds 10] [--slices 10] [--clients 32]
        [--database sqlite|postgresql]
        [--schools 2000]

- ``GET /schools/{code}`` of the registry (random sample schools, a valid bearer token, the scope
  check, one database read) against bare uvicorn answering that school's JSON. Goal: ≥ 0.5 x.
- ``POST /incidents`` of the incidents service (a department officer's report with an
  ``Idempotency-Key``: classification, routing, escalation plan, timeline, outbox, one transaction)
  against bare uvicorn echoing the same JSON body. Goal: ≥ 0.3 x.

Every server is a process of its own with one uvicorn worker; the load generator (``--clients``
keep-alive aiohttp clients, closed loop, each side for ``--seconds`` in ``--slices`` turns taken in
alternation with its baseline, so both meet the same load from the rest of the machine) runs in this one,
on the same machine. The services use the real broker (``KAFKA_BOOTSTRAP_SERVERS`` when set, else a
local one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import httpx

from bench.broker import bench_broker
from bench.databases import KINDS, bench_databases, database_label
from bench.processes import start_server, stop_servers, wait_ready
from bench.report import goal
from deploy.local.kafka import free_port
from shared.auth import Principal, Role, TokenCodec
from shared.settings import ServiceSettings


@dataclass
class Load:
    rate: float
    latencies_ms: list[float]
    failures: int
    seconds: float = 0.0

    @classmethod
    def combined(cls, loads: list[Load]) -> Load:
        seconds = sum(load.seconds for load in loads)
        latencies = [latency for load in loads for latency in load.latencies_ms]
        return cls(len(latencies) / seconds, latencies, sum(load.failures for load in loads), seconds)

    def p(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def closed_loop(
    url: str,
    headers: dict[str, str],
    request: Callable[[random.Random, int], tuple[str, str, bytes | None]],
    *,
    seconds: float,
    clients: int,
    expected: int,
) -> Load:
    """Each client sends its next request when its last one was answered."""
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url=url, headers=headers, connector=connector) as session:
        stop_at = time.perf_counter() + seconds

        async def client(seed: int) -> None:
            nonlocal failures
            rng = random.Random(seed)
            n = 0
            while time.perf_counter() < stop_at:
                method, path, body = request(rng, seed * 1_000_000 + n)
                n += 1
                extra = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {}
                extra |= {"Content-Type": "application/json"} if body is not None else {}
                started = time.perf_counter()
                async with session.request(method, path, data=body, headers=extra) as response:
                    await response.read()
                    if response.status != expected:
                        failures += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
        return Load(len(latencies) / elapsed, latencies, failures, elapsed)


def bearer(role: Role) -> dict[str, str]:
    codec = TokenCodec.from_settings(ServiceSettings(service_name="bench"))
    return {
        "Authorization": f"Bearer {codec.mint(Principal(subject='bench', role=role), timedelta(hours=1))}"
    }


def incident_body() -> bytes:
    return json.dumps(
        {
            "category": "dangerous_building",
            "commune_code": "16939",
            "title": "Tường rào nứt",
            "description": "Tường rào phía tây nứt sau mưa",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        },
        ensure_ascii=False,
    ).encode()


async def school_codes(url: str, headers: dict[str, str], wanted: int) -> list[str]:
    codes: list[str] = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        while len(codes) < wanted:
            page = await client.get("/schools", params={"limit": 200, "offset": len(codes)})
            items = page.json()["items"]
            if not items:
                break
            codes += [item["code"] for item in items]
    return codes


async def run(args: argparse.Namespace, bootstrap: str, new_url: Callable[[str], str], work: Path) -> None:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    common = {"ENVIRONMENT": "test", "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix}
    ports = {name: free_port() for name in ("registry", "incidents", "bare")}
    registry_url, incidents_url = new_url("registry"), new_url("incidents")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            start_server(
                "services.registry.app:create_app",
                ports["registry"],
                {**common, "DATABASE_URL": registry_url, "SAMPLE_SCHOOLS": str(args.schools)},
                work / "registry.log",
                factory=True,
            )
        )
        processes.append(
            start_server(
                "services.incidents.app:create_app",
                ports["incidents"],
                {**common, "DATABASE_URL": incidents_url},
                work / "incidents.log",
                factory=True,
            )
        )
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name in ("registry", "incidents"):
            await wait_ready(f"{urls[name]}/health/ready", within=180)
        admin = bearer(Role.DEPARTMENT_ADMIN)
        codes = await school_codes(urls["registry"], admin, min(args.schools, 2000))
        async with httpx.AsyncClient(base_url=urls["registry"], headers=admin) as client:
            school_json = (await client.get(f"/schools/{codes[0]}")).content.decode()
        processes.append(
            start_server("bench.bare_json:app", ports["bare"], {"BENCH_BODY": school_json}, work / "bare.log",
                         factory=False)
        )  # fmt: skip
        await wait_ready(f"{urls['bare']}/")

        def get_school(rng: random.Random, _n: int) -> tuple[str, str, bytes | None]:
            return "GET", f"/schools/{rng.choice(codes)}", None

        def report(_rng: random.Random, _n: int) -> tuple[str, str, bytes | None]:
            return "POST", "/incidents", incident_body()

        officer = bearer(Role.DEPARTMENT_OFFICER)
        await closed_loop(urls["registry"], admin, get_school, seconds=1, clients=args.clients, expected=200)
        await closed_loop(urls["incidents"], officer, report, seconds=1, clients=args.clients, expected=201)
        pairs = {
            "bare GET": (urls["bare"], admin, get_school, 200),
            "GET /schools/{code}": (urls["registry"], admin, get_school, 200),
            "bare POST echo": (urls["bare"], officer, report, 201),
            "POST /incidents": (urls["incidents"], officer, report, 201),
        }
        slices: dict[str, list[Load]] = {label: [] for label in pairs}
        # Baseline and service take turns in short slices, so that both meet the same load from whatever
        # else the machine runs (measured one after the other, a ratio moved 2x between runs).
        for _ in range(args.slices):
            for label, (url, headers, request, expected) in pairs.items():
                slices[label].append(
                    await closed_loop(
                        url, headers, request, seconds=args.seconds / args.slices, clients=args.clients,
                        expected=expected,
                    )
                )  # fmt: skip
        results = {label: Load.combined(loads) for label, loads in slices.items()}
    finally:
        stop_servers(processes)
    database = database_label(registry_url)
    print(
        f"HTTP paths: {args.clients} keep-alive clients, closed loop, {args.seconds:.0f} s each in "
        f"{args.slices} interleaved slices, {database}, "
        f"one uvicorn worker per server, {len(codes)} schools"
    )
    print(f"  {'':34}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'failed':>8}")
    for label, load in results.items():
        print(f"  {label:34}{load.rate:10.0f}{load.p(0.5):10.1f}{load.p(0.99):10.1f}{load.failures:8d}")
    get_ratio = results["GET /schools/{code}"].rate / results["bare GET"].rate
    post_ratio = results["POST /incidents"].rate / results["bare POST echo"].rate
    print(goal("GET /schools/{code} / bare uvicorn JSON", get_ratio, 0.5))
    print(goal("POST /incidents / bare uvicorn POST echo", post_ratio, 0.3))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10, help="per side, in all")
    parser.add_argument("--slices", type=int, default=10, help="turns each side takes, interleaved")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--schools", type=int, default=2000, help="sample schools the registry makes")
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="edu-bench-http-") as directory,
        bench_broker(Path(directory)) as bootstrap,
        bench_databases(args.database, Path(directory)) as new_url,
    ):
        asyncio.run(run(args, bootstrap, new_url, Path(directory)))


if __name__ == "__main__":
    main()
