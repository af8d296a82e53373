"""What the pages do, through the services' public APIs with the person's token: the incident's steps,
notes, a principal's report (its Idempotency-Key made in the page), a registration."""

from __future__ import annotations

from typing import Any

from services.console.gateway.adapters import Services, segment
from shared.errors import Unprocessable

STEPS = ("acknowledge", "start", "resolve", "close")


async def take_step(services: Services, token: str, incident_id: str, step: str) -> Any:
    if step not in STEPS:
        raise Unprocessable(f"{step} is not a step of an incident", field="step")
    return await services.call(
        "incidents", "POST", f"/incidents/{segment('incidents', incident_id)}/{step}", token=token, json={}
    )


async def add_note(services: Services, token: str, incident_id: str, text: str) -> Any:
    return await services.call(
        "incidents",
        "POST",
        f"/incidents/{segment('incidents', incident_id)}/notes",
        token=token,
        json={"text": text},
    )


async def report(services: Services, token: str, report: dict[str, Any], idempotency_key: str) -> Any:
    """Sent again with the same key, the incidents service returns the incident the first send made."""
    return await services.call(
        "incidents",
        "POST",
        "/incidents",
        token=token,
        json=report,
        headers={"Idempotency-Key": idempotency_key},
    )


async def register(services: Services, token: str, activity_id: str, registration: dict[str, Any]) -> Any:
    return await services.call(
        "activities",
        "POST",
        f"/activities/{segment('activities', activity_id)}/registrations",
        token=token,
        json=registration,
    )


async def mark_recommendation_done(
    services: Services, token: str, activity_id: str, recommendation_id: int
) -> Any:
    return await services.call(
        "activities",
        "POST",
        f"/delegations/{segment('activities', activity_id)}/recommendations/{recommendation_id}/done",
        token=token,
    )
