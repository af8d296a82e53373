"""Strict inputs on every service: unknown query parameters and dates out of bounds are 422s naming them.

The routes come from each app's route table at run time (a new route is checked as soon as it exists):
each GET list route answers a made-up parameter with the one error body naming it, beside one it
declares, and a list route without path parameters still answers 200 with a parameter it declares; each
date or datetime field of each write body refuses a year out of ``shared.dates``' bounds.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import AwareDatetime, BaseModel, NaiveDatetime, ValidationError

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

pytestmark = [pytest.mark.kafka]  # async tests run on the session loop (asyncio_mode = auto)

SERVICES: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "registry": lambda common: create_registry(RegistrySettings(**common)),
    "incidents": lambda common: create_incidents(IncidentsSettings(**common)),
    "activities": lambda common: create_activities(ActivitiesSettings(**common)),
    # With its mail catcher, so that /dev/mail is a list to read too.
    "notifications": lambda common: create_notifications(NotificationsSettings(**common, mail_catcher=True)),
    "notices": lambda common: create_notices(NoticesSettings(**common)),
}
UNKNOWN = "boarding_typo"


def _is_list(route: APIRoute) -> bool:
    model = route.response_model
    if typing.get_origin(model) is list:
        return True
    return isinstance(model, type) and issubclass(model, BaseModel) and "items" in model.model_fields


def list_routes(app: FastAPI) -> list[APIRoute]:
    """The app's GET routes that answer a list (a JSON array or a page of items)."""
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and "GET" in route.methods and _is_list(route):
            routes.append(route)
    return routes


def _path_of(route: APIRoute) -> str:
    """The route's path with every path parameter filled: the check comes before any lookup."""
    path = route.path_format
    for field in route.dependant.path_params:
        path = path.replace(f"{{{field.alias}}}", "1")
    return path


def known_parameters(route: APIRoute) -> dict[str, str]:
    """Declared query parameters with values they take: each required one by its documented example, and
    the first optional one with a default by that default (none if the route declares none)."""
    chosen: dict[str, str] = {}
    optional: dict[str, str] = {}
    for dependant in [route.dependant, *route.dependant.dependencies]:
        for field in dependant.query_params:
            info = field.field_info
            if info.is_required():
                example = _example_of(info.annotation, info.examples)
                assert example is not None, f"{route.path} ?{field.alias} is required: declare an example"
                chosen[field.alias] = example
            elif not optional and (value := _as_query(info.default)) is not None:
                optional[field.alias] = value
    return {**chosen, **optional}


def _example_of(annotation: object, examples: list[Any] | None) -> str | None:
    if examples:
        return str(examples[0])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str(next(iter(annotation)).value)
    return None


def _as_query(default: object) -> str | None:
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, Enum):
        return str(default.value)
    if isinstance(default, (int, str)):
        return str(default)
    return None


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_list_route_refuses_an_unknown_parameter_and_takes_its_own(
    service: str, common: dict[str, Any]
) -> None:
    app = SERVICES[service](common)
    routes = list_routes(app)
    assert routes, f"{service} has no GET list route?"
    headers = bearer(app, Role.DEPARTMENT_ADMIN)
    wrong: list[str] = []
    async with running(app) as client:
        for route in routes:
            path = _path_of(route)
            known = known_parameters(route)
            answer = await client.get(path, params={**known, UNKNOWN: "true"}, headers=headers)
            body = answer.json()
            if (
                answer.status_code != 422
                or body.get("field") != f"query.{UNKNOWN}"
                or UNKNOWN not in body["detail"]
            ):
                wrong.append(f"GET {path} ?{UNKNOWN}: {answer.status_code} {body}")
            assert set(body) == {"detail", "field", "rule"}, body
            if route.dependant.path_params:
                continue
            answer = await client.get(path, params=known, headers=headers)
            if answer.status_code != 200:
                wrong.append(f"GET {path} {known}: {answer.status_code} {answer.text[:200]}")
    assert not wrong, "\n".join(wrong)


async def test_repeated_keys_and_aliases_are_the_parameters_they_name(common: dict[str, Any]) -> None:
    """``?status=`` is the alias of a parameter named otherwise in the code; a key given twice is one key."""
    app = create_incidents(IncidentsSettings(**common))
    headers = bearer(app, Role.DEPARTMENT_ADMIN)
    async with running(app) as client:
        aliased = await client.get("/incidents", params={"status": "reported"}, headers=headers)
        assert aliased.status_code == 200, aliased.text
        by_code_name = await client.get("/incidents", params={"status_": "reported"}, headers=headers)
        assert by_code_name.status_code == 422
        assert by_code_name.json()["field"] == "query.status_"
        repeated = await client.get(
            "/incidents", params=httpx.QueryParams([("limit", "1"), ("limit", "2")]), headers=headers
        )
        assert repeated.status_code == 200, repeated.text
        anonymous = await client.get("/incidents", params={"boarding": "true"})
        assert anonymous.status_code == 422 and anonymous.json()["field"] == "query.boarding"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for argument in typing.get_args(annotation) for model in _models_in(argument)]


DATETIMES = (datetime, AwareDatetime, NaiveDatetime)
"""pydantic's datetimes of a kind are types of their own, not subclasses of ``datetime``."""


def _is_dated(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, (date, *DATETIMES[1:]))  # datetime is a date
    return any(_is_dated(argument) for argument in typing.get_args(annotation))


def dated_write_fields(app: FastAPI) -> set[tuple[type[BaseModel], str]]:
    """Every date or datetime field of every model a write route of the app reads, nested ones too."""
    pending: list[type[BaseModel]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH"}:
            for field in route.dependant.body_params:
                pending += _models_in(field.field_info.annotation)
    found: set[tuple[type[BaseModel], str]] = set()
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if _is_dated(info.annotation):
                found.add((model, info.alias or name))
            pending += _models_in(info.annotation)
    return found


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_date_a_write_takes_is_bounded(service: str) -> None:
    """From the route table: each date or datetime field of a write body refuses the year 0241 (naming the
    field) and takes a day of 2026; a birth date takes 1975 and refuses tomorrow."""
    app = SERVICES[service]({"environment": "test", "database_url": "sqlite+aiosqlite:///:memory:"})
    fields = dated_write_fields(app)
    wrong: list[str] = []
    for model, name in sorted(fields, key=lambda pair: (pair[0].__name__, pair[1])):
        is_datetime = _is_datetime(model.model_fields[_attribute(model, name)].annotation)
        samples = {"0241-05-01": False, "2026-05-01": True}
        if "birth" in name:
            samples = {"1899-12-31": False, "1975-05-01": True, str(date.today() + timedelta(days=2)): False}
        for day, accepted in samples.items():
            value = f"{day}T08:00:00+07:00" if is_datetime else day
            errors = _errors_at(model, name, value)
            if accepted and errors:
                wrong.append(f"{model.__name__}.{name} = {value}: refused ({errors[0]['msg']})")
            if not accepted and not errors:
                wrong.append(f"{model.__name__}.{name} = {value}: accepted")
    assert not wrong, "\n".join(wrong)
    if service != "notifications":  # its writes take times of day only
        assert fields, f"{service}: no dated write field found (is the walk still right?)"


def _attribute(model: type[BaseModel], name: str) -> str:
    return next(key for key, info in model.model_fields.items() if (info.alias or key) == name)


def _is_datetime(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, DATETIMES)
    return any(_is_datetime(argument) for argument in typing.get_args(annotation))


def _errors_at(model: type[BaseModel], name: str, value: str) -> list[Any]:
    """The validation errors on one field when only that field is sent (the others may be missing)."""
    try:
        model.model_validate({name: value})
    except ValidationError as exc:
        return [error for error in exc.errors() if error["loc"] == (name,)]
    return []


async def test_an_award_dated_in_the_year_0241_is_a_422_naming_the_field(common: dict[str, Any]) -> None:
    app = create_activities(ActivitiesSettings(**common))
    award = {
        "school_year": "2025-2026",
        "recipient_kind": "group",
        "recipient_name": "Tập thể Trường Tiểu học Mường Xén 1",
        "title": "Bằng khen của Giám đốc Sở",
        "decision_number": "241/QĐ-SGDĐT",
        "decision_date": "0241-05-20",
    }
    headers = bearer(app, Role.DEPARTMENT_ADMIN)
    async with running(app) as client:
        refused = await client.post("/support/awards", json=award, headers=headers)
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert body["field"] == "body.decision_date" and "2000 to 2100" in body["detail"], body
        accepted = await client.post(
            "/support/awards", json={**award, "decision_date": "2024-05-20"}, headers=headers
        )
        assert accepted.status_code == 201, accepted.text
        listed = await client.get("/support/awards", headers=headers)
        assert [a["decision_date"] for a in listed.json()] == ["2024-05-20"]
