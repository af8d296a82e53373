"""Liveness and readiness: live means the process answers; ready means its database and broker do too."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

Check = Callable[[], Awaitable[None]]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(description="Each dependency: ok, or why it failed")


def health_router(checks: Mapping[str, Check], *, timeout: float = 3.0) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        """The process is up (no dependency is checked)."""
        return {"status": "ok"}

    @router.get(
        "/health/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency does not answer"}},
    )
    async def ready() -> JSONResponse:
        """Every dependency answers: 200 with each check's result, or 503 naming what failed."""
        results = await asyncio.gather(*(_run(check, timeout) for check in checks.values()))
        report = dict(zip(checks, results, strict=True))
        healthy = all(result == "ok" for result in results)
        return JSONResponse(
            {"status": "ok" if healthy else "unavailable", "checks": report},
            status_code=200 if healthy else 503,
        )

    return router


async def _run(check: Check, limit_s: float) -> str:
    try:
        await asyncio.wait_for(check(), limit_s)
    except TimeoutError:
        return f"timed out after {limit_s:g} s"
    except Exception as exc:  # noqa: BLE001 - any failure makes the service unready, with its reason
        return f"{type(exc).__name__}: {exc}"
    return "ok"
