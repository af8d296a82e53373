"""Schemathesis against each service's own OpenAPI: no 5xx, and every answer as its document declares.

Each service runs for real (its lifespan, SQLite, the test broker) under uvicorn on a loopback port;
schemathesis reads the document the service serves at ``/openapi.json`` and sends, per operation, the
documented examples, boundary cases (its coverage phase) and a bounded number of generated requests,
valid and invalid, from a fixed seed, with a department administrator's development token. A failure
names the operation, the check and a curl command that repeats the request.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest
import requests
import schemathesis
from fastapi import FastAPI
from schemathesis import checks

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
from shared.auth import Principal, Role
from shared.settings import Environment
from tests.support.apps import runtime_of, served

pytestmark = [
    pytest.mark.kafka,
    # schemathesis 4.32's own strategies draw from `random`; Hypothesis warns about it on every operation.
    pytest.mark.filterwarnings(
        "ignore:Do not use the `random` module:hypothesis.errors.HypothesisDeprecationWarning"
    ),
    # A request the app answers with a warning (SQLAlchemy's, say) is a bug to see, not noise.
    pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning"),
]

SERVICES: dict[str, Callable[[dict[str, Any]], FastAPI]] = {
    "registry": lambda common: create_registry(RegistrySettings(**common)),
    "incidents": lambda common: create_incidents(IncidentsSettings(**common)),
    "activities": lambda common: create_activities(ActivitiesSettings(**common)),
    "notifications": lambda common: create_notifications(NotificationsSettings(**common)),
    "notices": lambda common: create_notices(NoticesSettings(**common)),
}
SEED = 18
EXAMPLES_PER_OPERATION = 15
"""Generated requests per operation and mode (valid, invalid) in the fuzzing phase, beside the documented
examples and the boundary cases."""
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
SMALL_SAMPLE = {"query": {"schools": 3}}
"""``POST /admin/sample-data`` writes as many schools as asked (up to 50,000, minutes on SQLite); the
fuzzer asks for a few, to test the route and not the machine."""

CASES: Counter[str] = Counter()
"""Requests sent, per service; printed at the end of the module."""


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_PER_OPERATION,
                "no-shrink": True,
                "database": "none",
            },
            # The boundary cases of the coverage phase are valid requests only: its invalid ones (about
            # 60% of its cases, two thirds of the run) repeat what the fuzzing phase's invalid requests try.
            "phases": {"coverage": {"generation": {"mode": "positive"}}, "stateful": {"enabled": False}},
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large", "large_base_example"],
        }
    )


def _document(service: str) -> dict[str, Any]:
    """The service's OpenAPI document, from an app that is built but never started."""
    app = SERVICES[service]({"environment": Environment.TEST, "database_url": "sqlite+aiosqlite:///:memory:"})
    return app.openapi()


# Read at collection, so each operation is a test of its own; the apps answering them start below.
DOCUMENTS = {service: _document(service) for service in SERVICES}
SERVICE_OF_TITLE = {document["info"]["title"]: service for service, document in DOCUMENTS.items()}


class RunningApps:
    """One service app running at a time (the tests come grouped by service), started when first asked."""

    def __init__(self, common: dict[str, Any]) -> None:
        self.common = common
        self.current: tuple[str, FastAPI, str, ExitStack] | None = None
        self.failed: dict[str, str] = {}

    def base_url_and_token(self, service: str) -> tuple[str, dict[str, str]]:
        if service in self.failed:  # once is enough: every case of the service would wait for it again
            pytest.fail(f"{service} did not start: {self.failed[service]}", pytrace=False)
        if self.current is None or self.current[0] != service:
            self.stop()
            app = SERVICES[service](self.common)
            stack = ExitStack()
            try:
                base_url = stack.enter_context(served(app))
                _wait_until_ready(base_url)
            except AssertionError as exc:
                stack.close()
                self.failed[service] = str(exc)
                raise
            self.current = (service, app, base_url, stack)
        _, app, base_url, _ = self.current
        principal = Principal(subject="fuzzer@tests", role=Role.DEPARTMENT_ADMIN)
        token = runtime_of(app).token_codec.mint(principal, timedelta(hours=1))
        return base_url, {"Authorization": f"Bearer {token}"}

    def stop(self) -> None:
        if self.current is not None:
            self.current[3].close()
            self.current = None


def _wait_until_ready(base_url: str, within: float = 60.0) -> None:
    """Its database and broker answer: a 503 from /health/ready at start is not what is tested here."""
    deadline = time.monotonic() + within
    while requests.get(f"{base_url}/health/ready", timeout=10).status_code != 200:
        if time.monotonic() > deadline:
            raise AssertionError(f"{base_url} was not ready within {within}s")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def apps(kafka_bootstrap_servers: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApps]:
    running = RunningApps(
        {
            "environment": Environment.TEST,
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "kafka_topic_prefix": f"t{uuid.uuid4().hex[:12]}.",
            "data_dir": tmp_path_factory.mktemp("fuzz"),
        }
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module", autouse=True)
def _print_cases(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and CASES:
        counts = ", ".join(f"{service} {count}" for service, count in sorted(CASES.items()))
        with capture.global_and_fixture_disabled():  # teardown output is captured, and shown only on failure
            reporter.write_line(f"\nschemathesis cases: {counts}; total {sum(CASES.values())}")


@schemathesis.pytest.parametrize(
    **{
        service: schemathesis.openapi.from_dict(document, config=_config())
        for service, document in DOCUMENTS.items()
    }
)
def test_every_operation_answers_as_documented(case: Any, apps: RunningApps, http: requests.Session) -> None:
    service = SERVICE_OF_TITLE[case.operation.schema.raw_schema["info"]["title"]]
    base_url, headers = apps.base_url_and_token(service)
    if case.operation.path == "/admin/sample-data":
        case.query = {**(case.query or {}), **SMALL_SAMPLE["query"]}
    CASES[service] += 1
    case.call_and_validate(base_url=base_url, session=http, headers=headers, checks=CHECKS, timeout=60)


def _unbounded_lists(
    document: dict[str, Any], schema: dict[str, Any], where: str, seen: frozenset[str]
) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded_lists(document, document["components"]["schemas"][name], where, seen | {name})
    found = [where] if schema.get("type") == "array" and "maxItems" not in schema else []
    if isinstance(schema.get("additionalProperties"), dict) and "maxProperties" not in schema:
        found.append(f"{where}{{}}")
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found += _unbounded_lists(document, part, where, seen)
    for name, part in schema.get("properties", {}).items():
        found += _unbounded_lists(document, part, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += _unbounded_lists(document, schema["items"], f"{where}[]", seen)
    return found


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_list_a_request_sends_is_bounded(service: str) -> None:
    """A list in a request declares its maxItems (and is checked against it): a rule of 100,000 roles, or
    an audience of a million schools, is a 422 and is never stored."""
    document = DOCUMENTS[service]
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                unbounded += _unbounded_lists(
                    document,
                    parameter.get("schema", {}),
                    f"{method} {path} ?{parameter['name']}",
                    frozenset(),
                )
            for media_type in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded_lists(
                    document, media_type.get("schema", {}), f"{method} {path} body", frozenset()
                )
    assert not unbounded, "\n".join(unbounded)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_refusal_is_declared_as_the_error_body(service: str) -> None:
    """Each operation's 4xx answers are the services' ErrorBody (beside an import's report of its rows),
    never FastAPI's validation error, which no route answers."""
    document = DOCUMENTS[service]
    error = {"$ref": "#/components/schemas/ErrorBody"}
    wrong = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if not code.startswith("4"):
                    continue
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if schema != error and error not in schema.get("anyOf", []):
                    wrong.append(f"{method.upper()} {path} {code}: {schema}")
    assert not wrong, "\n".join(wrong)
    assert "HTTPValidationError" not in json.dumps(document)
    assert document["components"]["schemas"]["ErrorBody"]["required"] == ["detail", "field", "rule"]
