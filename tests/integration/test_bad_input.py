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
from services.notices.app import create_app as create_notices
from services.notices.settings import NoticesSettings
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
    "notices": lambda common: create_notices(NoticesSettings(**common)),
}
GARBAGE_BODIES: list[tuple[str, str]] = [
    ("application/json", "{"),  # not JSON
    ("application/json", "[]"),
    ("application/json", '"text"'),
    ("application/json", "{}"),
    ("application/json", '{"name": null, "code": 7, "cluster_no": "x", "date": "not-a-date"}'),
    ("text/csv", "a,b\n1,2,3\n"),
]
# A number, an unknown id, a Vietnamese letter, a number too big for any database integer.
PATH_VALUES = ["1", "does-not-exist", "%E1%BB%B3", "99999999999999999999"]
# Ids that exist once a service has seeded itself, so updates reach a real row and its constraints.
SEEDED_IDS = {
    "registry": ["16681"],  # a commune (cluster 1 is covered by "1")
    "incidents": ["food_poisoning", "critical"],  # a category and a severity
    "activities": ["GDMN"],  # a division
    "notifications": [],  # rule 1 is covered by "1"
    "notices": ["start_of_year"],  # the shipped return form
}


def field_bodies(document: dict[str, Any], operation: dict[str, Any]) -> list[tuple[str, str]]:
    """Bodies with one field of the operation's JSON body set to null, and to a huge number."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = content.get("schema", {}).get("$ref", "")
    schema = document["components"]["schemas"].get(reference.rsplit("/", 1)[-1], {})
    fields = schema.get("properties", {})
    return [("application/json", json.dumps({name: value})) for name in fields for value in (None, 10**20)]


def query_urls(url: str, operation: dict[str, Any]) -> list[str]:
    """The URL alone, and with each query parameter set to a huge number and to a far-off date."""
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    return [url, *(f"{url}?{name}={value}" for name in names for value in (10**20, "9999-12-31"))]


def requests_for(service: str, document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, url, content type, body) to try: every body at every path value, every query variant once."""
    tried = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            has_body = method in ("post", "put", "patch")
            bodies = [*GARBAGE_BODIES, *field_bodies(document, operation)] if has_body else [("", "")]
            for value in [*PATH_VALUES, *SEEDED_IDS[service]]:
                url = re.sub(r"\{[^}]+\}", value, path)
                tried.extend((method.upper(), url, content_type, body) for content_type, body in bodies)
            url = re.sub(r"\{[^}]+\}", "1", path)
            tried.extend((method.upper(), query, *bodies[0]) for query in query_urls(url, operation)[1:])
    return tried


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_no_route_answers_500_to_garbage(service: str, common: dict[str, Any]) -> None:
    app = SERVICES[service](common)
    async with running(app) as client:
        headers = bearer(app, Role.DEPARTMENT_ADMIN)
        failures = []
        for method, url, content_type, body in requests_for(service, app.openapi()):
            try:
                response = await client.request(
                    method, url, content=body, headers={**headers, "Content-Type": content_type}
                )
                status = response.status_code
                outcome = str(status)
            except Exception as exc:  # the app raised instead of answering: a 500 for the client
                status, outcome = 500, f"raised {type(exc).__name__}"
            if status >= 500:
                failures.append(f"{method} {url} {body!r} → {outcome}")
        assert not failures, "\n".join(failures)
