"""Runs service apps in-process, lifespan and all, with an HTTP client and minted tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
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
