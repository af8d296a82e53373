"""What the pages read, from the services' public APIs with the person's own token (so each person sees
exactly what the APIs let them see)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from services.console.gateway.adapters import Services, segment

OPEN_STATUSES = ("reported", "acknowledged", "in_progress")
CATALOG_TTL_S = 60.0


@dataclass(frozen=True)
class Catalog:
    """The incidents service's names of categories and severities: code -> (Vietnamese, English)."""

    categories: dict[str, tuple[str, str]]
    severities: dict[str, tuple[str, str]]
    severity_rank: dict[str, int]

    def category(self, language: str, code: str) -> str:
        vi, en = self.categories.get(code, (code, code))
        return en if language == "en" else vi

    def severity(self, language: str, code: str) -> str:
        vi, en = self.severities.get(code, (code, code))
        return en if language == "en" else vi

    def active_categories(self) -> list[str]:
        return list(self.categories)


_catalog: tuple[float, Catalog] | None = None


async def catalog(services: Services, token: str) -> Catalog:
    global _catalog
    if _catalog is not None and time.monotonic() - _catalog[0] < CATALOG_TTL_S:
        return _catalog[1]
    categories, severities = await asyncio.gather(
        services.get("incidents", "/catalog/categories", token=token),
        services.get("incidents", "/catalog/severities", token=token),
    )
    found = Catalog(
        categories={c["code"]: (c["name_vi"], c["name_en"]) for c in categories if c.get("active", True)},
        severities={s["code"]: (s["name_vi"], s["name_en"]) for s in severities},
        severity_rank={s["code"]: s["rank"] for s in severities},
    )
    _catalog = (time.monotonic(), found)
    return found


async def open_incidents(services: Services, token: str, *, cluster_no: int | None = None) -> list[Any]:
    pages = await asyncio.gather(
        *(
            services.get(
                "incidents", "/incidents", token=token, status=status, cluster_no=cluster_no, limit=200
            )
            for status in OPEN_STATUSES
        )
    )
    found = [incident for page in pages for incident in page]
    return sorted(found, key=lambda incident: incident["reported_at"], reverse=True)


async def recent_incidents(services: Services, token: str, *, limit: int = 50) -> list[Any]:
    found: list[Any] = await services.get("incidents", "/incidents", token=token, limit=limit)
    return found


async def incident(services: Services, token: str, incident_id: str) -> tuple[Any, Any, Any]:
    found, timeline, notes = await asyncio.gather(
        services.get("incidents", f"/incidents/{segment('incidents', incident_id)}", token=token),
        services.get("incidents", f"/incidents/{segment('incidents', incident_id)}/timeline", token=token),
        services.get("incidents", f"/incidents/{segment('incidents', incident_id)}/notes", token=token),
    )
    return found, timeline, notes


async def workload(services: Services, token: str) -> list[Any]:
    rows: list[Any] = await services.get("incidents", "/reports/workload", token=token)
    return rows


async def coverage(services: Services, token: str) -> Any:
    return await services.get("notifications", "/coverage", token=token, nobody_local_only=True)


async def registry_list(services: Services, token: str, kind: str, **params: Any) -> Any:
    if kind == "clusters":
        return {"items": await services.get("registry", "/clusters", token=token)}
    return await services.get("registry", f"/{kind}", token=token, limit=100, **params)


async def activities(services: Services, token: str, **params: Any) -> list[Any]:
    found: list[Any] = await services.get("activities", "/activities", token=token, **params)
    return found


async def registrations(services: Services, token: str, activity_id: str) -> list[Any]:
    found: list[Any] = await services.get(
        "activities", f"/activities/{segment('activities', activity_id)}/registrations", token=token
    )
    return found


async def follow_ups(services: Services, token: str) -> list[Any]:
    found: list[Any] = await services.get(
        "activities", "/delegations/follow-ups", token=token, open_only=True
    )
    return found


async def inbox(services: Services, token: str) -> Any:
    return await services.get("notifications", "/me/inbox", token=token, limit=30)


async def commune_name(services: Services, token: str, code: str) -> str:
    """The commune's name as the registry writes it (``Xã Mường Xén``): people know their commune by name."""
    found = await services.get("registry", f"/communes/{segment('registry', code)}", token=token)
    return str(found.get("name") or code) if isinstance(found, dict) else code


async def notices(services: Services, token: str) -> Any:
    return await services.get("notices", "/notices", token=token, limit=30)
