"""The HTTP edge every service shares: one error body, body limits before anything reads, the OpenAPI.

A tiny app wired as ``create_service_app`` wires them (error handlers, the body-limit middleware, the
rewritten OpenAPI document), called in-process; the services' own routes are covered by the integration
tests (tests/integration/test_web_edge.py, the fuzzing and the authorization matrix).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import CurrentPrincipal, Principal, Role, TokenCodec, require_roles
from shared.auth.authenticator import Authenticator
from shared.errors import rule_broken
from shared.observability import ServiceMetrics
from shared.settings import DEV_JWT_SECRET, ServiceSettings
from shared.web import startup_heap
from shared.web.errors import ECHO_LIMIT, ErrorBody, install_error_handlers
from shared.web.limits import KIB, BodyLimitMiddleware, BodyLimits, body_limit
from shared.web.openapi import install_openapi
from shared.web.strict import refuse_unknown_query_parameters

CODEC = TokenCodec(secret=DEV_JWT_SECRET, algorithm="HS256", issuer="edu-clusters", audience="edu-clusters")
DEFAULT_LIMIT = 4 * KIB
BIG_LIMIT = 64 * KIB


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=5)


class NoteFilters(BaseModel):
    tag: str | None = None
    pinned: bool = Field(False, alias="is-pinned")


def build_app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(refuse_unknown_query_parameters)])
    app.state.token_codec = CODEC
    app.state.authenticator = Authenticator(oidc=None, shared_secret=CODEC)
    install_error_handlers(app)
    limits = BodyLimits(DEFAULT_LIMIT)
    app.add_middleware(BodyLimitMiddleware, limits=limits)
    ServiceMetrics().instrument(app)  # as in create_service_app: it resolves the route template first

    @app.post("/notes", status_code=201)
    async def create_note(note: Note, _principal: CurrentPrincipal) -> dict[str, int]:
        return {"title_length": len(note.title)}

    @app.get("/notes")
    async def list_notes(limit: Annotated[int, Query(ge=1, le=10)] = 5) -> dict[str, int]:
        return {"limit": limit}

    @app.get("/notes/search")
    async def search_notes(
        filters: Annotated[NoteFilters, Query()],
        order: Annotated[str, Query(alias="sort")] = "title",
        words: Annotated[list[str] | None, Query(max_length=3)] = None,
    ) -> dict[str, Any]:
        return {"tag": filters.tag, "pinned": filters.pinned, "sort": order, "words": words}

    @app.post("/notes/{note_id}/close")
    async def close_note(note_id: int) -> None:
        raise rule_broken("note_open", f"note {note_id} is closed already", field="note_id")

    @app.post("/files")
    @body_limit(BIG_LIMIT)
    async def upload(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.get("/admin")
    async def admin(
        _admin: Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))],
    ) -> dict[str, bool]:
        return {"ok": True}

    limits.learn(app.routes, ServiceSettings(service_name="tests"))
    install_openapi(app, limits)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def admin_token() -> dict[str, str]:
    token = CODEC.mint(Principal(subject="admin@tests", role=Role.DEPARTMENT_ADMIN), timedelta(minutes=5))
    return {"Authorization": f"Bearer {token}"}


def assert_error_body(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    ErrorBody.model_validate(body)
    assert set(body) == {"detail", "field", "rule"}, body
    return body


async def test_a_body_field_failing_validation_is_named_and_not_echoed(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "y" * 3000}, headers=admin_token())
    body = assert_error_body(response)
    assert (response.status_code, body["field"], body["rule"]) == (422, "body.title", None)
    assert "y" * (ECHO_LIMIT + 1) not in response.text
    assert len(response.content) < 500


async def test_a_query_value_is_named_by_its_location(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes", params={"limit": 99})
    body = assert_error_body(response)
    assert (response.status_code, body["field"]) == (422, "query.limit")


async def test_several_problems_are_counted(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"tags": ["a"] * 6}, headers=admin_token())
    body = assert_error_body(response)
    assert response.status_code == 422
    assert body["field"] == "body.title" and body["detail"].endswith("(and 1 more problem)")


async def test_an_unknown_key_is_named_by_a_prefix_only(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "t", "k" * 3000: 1}, headers=admin_token())
    body = assert_error_body(response)
    assert response.status_code == 422
    assert body["field"].startswith("body.kkk") and len(body["field"]) <= len("body.") + ECHO_LIMIT
    assert "k" * (ECHO_LIMIT + 1) not in response.text


async def test_a_list_longer_than_its_bound_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "t", "tags": ["a"] * 6}, headers=admin_token())
    body = assert_error_body(response)
    assert (response.status_code, body["field"]) == (422, "body.tags")


async def test_json_that_does_not_parse_is_a_422_on_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/notes", content=b'{"title": ', headers={**admin_token(), "Content-Type": "application/json"}
    )
    body = assert_error_body(response)
    assert (response.status_code, body["field"]) == (422, "body")
    assert body["detail"].startswith("the body is not valid JSON")


async def test_a_json_route_sent_csv_is_a_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/notes", content=b"title\nx\n", headers={**admin_token(), "Content-Type": "text/csv"}
    )
    body = assert_error_body(response)
    assert (response.status_code, body["field"]) == (415, "content-type")


async def test_auth_refusals_unknown_routes_and_rules_share_the_body(client: httpx.AsyncClient) -> None:
    missing_token = await client.post("/notes", json={"title": "t"})
    assert missing_token.status_code == 401 and missing_token.headers["www-authenticate"] == "Bearer"
    leader = CODEC.mint(
        Principal(subject="l@tests", role=Role.CLUSTER_LEADER, cluster_no=1), timedelta(minutes=5)
    )
    wrong_role = await client.get("/admin", headers={"Authorization": f"Bearer {leader}"})
    unknown = await client.get("/nothing-here")
    wrong_method = await client.delete("/notes")
    rule = await client.post("/notes/7/close")
    for response, status in [
        (missing_token, 401),
        (wrong_role, 403),
        (unknown, 404),
        (wrong_method, 405),
        (rule, 409),
    ]:
        assert response.status_code == status
        assert_error_body(response)
    assert rule.json() == {
        "detail": "note_open: note 7 is closed already",
        "field": "note_id",
        "rule": "note_open",
    }


async def test_a_declared_length_over_the_limit_is_refused_before_authentication(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/notes", content=b"{" + b" " * DEFAULT_LIMIT + b"}", headers={"Content-Type": "application/json"}
    )
    body = assert_error_body(response)
    assert (response.status_code, body["field"]) == (413, "body")  # not 401: no token was even read


async def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 100 KiB in all, offered 1 KiB at a time, with no Content-Length
            yield b" " * KIB

    response = await client.post("/notes", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    body = assert_error_body(response)
    assert (response.status_code, body["field"]) == (413, "body")


async def test_a_route_declares_a_larger_limit(client: httpx.AsyncClient) -> None:
    under = await client.post("/files", content=b"x" * (BIG_LIMIT - 1))
    over = await client.post("/files", content=b"x" * (BIG_LIMIT + 1))
    assert (under.status_code, over.status_code) == (200, 413)


async def test_an_unknown_query_parameter_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes", params={"limit": 3, "boarding": "true"})
    assert response.status_code == 422
    body = assert_error_body(response)
    assert body["field"] == "query.boarding" and body["rule"] == "known_query_parameters"
    assert "'boarding'" in body["detail"] and "limit" in body["detail"]
    assert (await client.get("/notes", params={"limit": 3})).json() == {"limit": 3}


async def test_the_tags_mail_systems_add_to_links_are_no_unknown_parameters(
    client: httpx.AsyncClient,
) -> None:
    tagged = {"limit": 3, "utm_source": "mail", "utm_campaign": "x", "fbclid": "abc"}
    assert (await client.get("/notes", params=tagged)).json() == {"limit": 3}
    assert (await client.get("/notes", params={"utm": "x"})).status_code == 422  # not a tag: a typo


async def test_aliases_model_fields_and_repeated_keys_are_declared_parameters(
    client: httpx.AsyncClient,
) -> None:
    query = [("tag", "a"), ("is-pinned", "true"), ("sort", "tag"), ("words", "x"), ("words", "y")]
    response = await client.get("/notes/search", params=query)
    assert response.json() == {"tag": "a", "pinned": True, "sort": "tag", "words": ["x", "y"]}
    for wrong in ("order", "pinned", "filters"):  # the names in the code are not the names on the wire
        refused = await client.get("/notes/search", params={wrong: "1"})
        assert refused.status_code == 422 and refused.json()["field"] == f"query.{wrong}"


async def test_an_unknown_query_parameter_is_refused_before_authentication(client: httpx.AsyncClient) -> None:
    response = await client.get("/admin", params={"x": "1"})
    assert response.status_code == 422 and assert_error_body(response)["field"] == "query.x"
    assert (await client.get("/admin", headers=admin_token())).status_code == 200


def test_the_openapi_document_declares_the_error_body_for_every_refusal() -> None:
    document = build_app().openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["ErrorBody"]["required"] == ["detail", "field", "rule"]
    create = document["paths"]["/notes"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "415", "422"} <= set(create)
    for code, response in create.items():
        if code.startswith("4"):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "4,096 bytes" in create["413"]["description"]
    assert "65,536 bytes" in document["paths"]["/files"]["post"]["responses"]["413"]["description"]
    listing = document["paths"]["/notes"]["get"]["responses"]
    assert set(listing) == {"200", "422"}  # no token, no body, no path parameter: only a bad query value
    # Without any parameter, a query parameter it does not take is still a 422.
    assert set(document["paths"]["/admin"]["get"]["responses"]) == {"200", "401", "403", "422"}
    assert "HTTPValidationError" not in str(document)


def test_the_startup_heap_is_frozen_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup_heap, "_frozen", False)
    before = gc.get_freeze_count()
    assert startup_heap.freeze_startup_heap() is True
    frozen = gc.get_freeze_count()
    assert frozen > before  # what exists now is out of the collector's sight
    assert startup_heap.freeze_startup_heap() is False  # the second app of a process does nothing
    assert gc.get_freeze_count() == frozen
