"""The Department's registry, incidents and notifications in-process on one broker, as the onboarding and
office tests run them: what they import into the registry, waiting for the replicas to learn it, and an
incident at the imported school with the deliveries it caused."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaSchool
from services.incidents.settings import IncidentsSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.events.incidents import IncidentReportedV1
from tests.support.apps import runtime_of
from tests.support.tables import CSV, csv_bytes, send
from tests.support.waiting import wait_for

MUONG_XEN = "16813"
SCHOOL = "29100101"


def department_apps(
    common: dict[str, Any], sqlite_url: Callable[[str], str], smtp_port: int, **notifications: Any
) -> tuple[FastAPI, FastAPI, FastAPI]:
    """Registry, incidents (scheduler off) and notifications (mailing to ``smtp_port``, with these
    settings), each on its own SQLite database."""
    registry = create_registry(RegistrySettings(**common, database_url=sqlite_url("registry")))
    incidents = create_incidents(
        IncidentsSettings(**common, database_url=sqlite_url("incidents"), scheduler_enabled=False)
    )
    mailing = create_notifications(
        NotificationsSettings(
            **common,
            database_url=sqlite_url("notifications"),
            smtp_port=smtp_port,
            delivery_poll_interval_s=0.05,
            **notifications,
        )
    )
    return registry, incidents, mailing


async def import_school(registry_client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    """Imports ``SCHOOL``, a primary school of Mường Xén, into the registry from a CSV."""
    school = [
        ["code", "name", "level", "commune_code"],
        [SCHOOL, "Trường Mường Xén 1", "primary", MUONG_XEN],
    ]
    assert (await send(registry_client, "/schools/import", csv_bytes(school), CSV, admin)).status_code == 200


async def wait_for_replicas(
    incidents: FastAPI,
    notifications: FastAPI,
    mirrored: Callable[[AsyncSession], Awaitable[bool]],
    *,
    message: str,
) -> None:
    """Waits until incidents' replica holds ``SCHOOL`` and ``mirrored`` holds in notifications' replica."""

    async def both() -> bool:
        async with runtime_of(notifications).sessions() as session:
            found = await mirrored(session)
        async with runtime_of(incidents).sessions() as session:
            school_row = await session.get(ReplicaSchool, SCHOOL)
        return found and school_row is not None

    await wait_for(both, message=message, within=60)


async def report_incident(
    incidents_client: httpx.AsyncClient, headers: dict[str, str], **fields: str
) -> dict[str, Any]:
    """Reports an incident at ``SCHOOL`` five minutes ago, with these fields; the incident."""
    body = {
        "school_code": SCHOOL,
        **fields,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    reported = await incidents_client.post("/incidents", json=body, headers=headers)
    assert reported.status_code == 201, reported.text
    incident: dict[str, Any] = reported.json()
    return incident


async def incident_deliveries(
    client: httpx.AsyncClient, headers: dict[str, str], incident_id: str
) -> list[dict[str, Any]]:
    """Notifications' deliveries of the incident's report, on every channel."""
    listed = await client.get(
        "/deliveries", params={"subject": f"incident/{incident_id}", "limit": 200}, headers=headers
    )
    return [d for d in listed.json()["items"] if d["event_type"] == IncidentReportedV1.event_type]
