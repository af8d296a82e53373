"""Runs service apps in-process, lifespan and all, with an HTTP client and minted tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

import httpx
import uvicorn
from fastapi import FastAPI

from shared.auth import Principal, Role
from shared.web import ServiceRuntime


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan (database, Kafka, relay, consumers) and hand out a client for it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def runtime_of(app: FastAPI) -> ServiceRuntime:
    runtime: ServiceRuntime = app.state.runtime
    return runtime


def bearer(app: FastAPI, role: Role, **scope: object) -> dict[str, str]:
    principal = Principal(subject=f"{role}@tests", role=role, **scope)  # type: ignore[arg-type]
    token = runtime_of(app).token_codec.mint(principal, timedelta(minutes=10))
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def served(app: FastAPI, *, within: float = 120.0, lifespan: bool = True) -> Iterator[str]:
    """Serve the app (lifespan and all, unless told) under uvicorn on a loopback port, in a thread with its
    own loop.

    For clients that block (schemathesis's ``requests``): the test's thread makes the calls while the
    app answers in its own. Yields the app's base URL.
    """
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="on" if lifespan else "off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="served-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + within
    while not server.started:
        if not thread.is_alive():
            raise AssertionError("the app stopped while starting; its log says why")
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not start within {within}s")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=within)
