"""Bad input gets a 4xx, never a 500: every route of every service fed garbage, with an all-seeing token."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI

from services.activities.app import create_app as create_activities
from services.activities.settings import ActivitiesSettings
from services.incidents.app import create_app as create_incidents
from services.incidents.settings import IncidentsSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from tests.support.apps import bearer, running

pytestmark = [pytest.mark.kafka, pytest.mark.asyncio(loop_scope="session")]

SERVICES: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "registry": lambda common: create_registry(RegistrySettings(**common)),
    "incidents": lambda common: create_incidents(IncidentsSettings(**common)),
    "activities": lambda common: create_activities(ActivitiesSettings(**common)),
    "notifications": lambda common: create_notifications(NotificationsSettings(**common)),
}
GARBAGE_BODIES: list[tuple[str, str]] = [
    ("application/json", "{"),  # not JSON
    ("application/json", "[]"),
    ("application/json", '"text"'),
    ("application/json", "{}"),
    ("application/json", '{"name": null, "code": 7, "cluster_no": "x", "date": "not-a-date"}'),
    ("text/csv", "a,b\n1,2,3\n"),
]
PATH_VALUES = ["1", "does-not-exist", "%E1%BB%B3"]  # a number, an unknown id, a Vietnamese letter
# Ids that exist once a service has seeded itself, so updates reach a real row and its constraints.
SEEDED_IDS = {
    "registry": ["16681"],  # a commune (cluster 1 is covered by "1")
    "incidents": ["food_poisoning", "critical"],  # a category and a severity
    "activities": ["GDMN"],  # a division
    "notifications": [],  # rule 1 is covered by "1"
}


def null_bodies(document: dict[str, Any], operation: dict[str, Any]) -> list[tuple[str, str]]:
    """One body per field of the operation's JSON body, that field set to null."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = content.get("schema", {}).get("$ref", "")
    schema = document["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {})
    return [("application/json", json.dumps({name: None})) for name in schema.get("properties", {})]


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_no_route_answers_500_to_garbage(service: str, common: dict[str, Any]) -> None:
    app = SERVICES[service](common)
    async with running(app) as client:
        headers = bearer(app, Role.DEPARTMENT_ADMIN)
        failures = []
        for path, operations in app.openapi()["paths"].items():
            for method in operations:
                for value in PATH_VALUES:
                    url = re.sub(r"\{[^}]+\}", value, path)
                    for content_type, body in (
                        GARBAGE_BODIES if method in ("post", "put", "patch") else [("", "")]
                    ):
                        response = await client.request(
                            method.upper(),
                            url,
                            content=body,
                            headers={**headers, "Content-Type": content_type},
                        )
                        if response.status_code >= 500:
                            failures.append(f"{method.upper()} {url} {body!r} → {response.status_code}")
        assert not failures, "\n".join(failures)
