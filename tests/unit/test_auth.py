"""Bearer tokens and data scoping, through a tiny app wired like every service."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from shared.auth import CurrentPrincipal, InvalidToken, Principal, Role, TokenCodec, require_roles
from shared.auth.authenticator import Authenticator
from shared.settings import DEV_JWT_SECRET

CODEC = TokenCodec(secret=DEV_JWT_SECRET, algorithm="HS256", issuer="edu-clusters", audience="edu-clusters")
LEADER_3 = Principal(subject="leader3@so", role=Role.CLUSTER_LEADER, cluster_no=3)


def build_app() -> FastAPI:
    app = FastAPI()
    app.state.token_codec = CODEC
    app.state.authenticator = Authenticator(oidc=None, shared_secret=CODEC)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, object]:
        return {"subject": principal.subject, "cluster_no": principal.cluster_no}

    @app.get("/admin-only")
    async def admin_only(
        _admin: Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))],
    ) -> dict[str, bool]:
        return {"ok": True}

    return app


async def call(path: str, token: str | None = None, scheme: str = "Bearer") -> httpx.Response:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    transport = httpx.ASGITransport(app=build_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


def unsigned_token(claims: dict[str, object]) -> str:
    def part(document: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def valid_claims(**overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {
        "sub": "x",
        "role": "department_admin",
        "iat": now,
        "exp": now + 600,
        "iss": "edu-clusters",
        "aud": "edu-clusters",
        **overrides,
    }
    return {name: value for name, value in claims.items() if value is not None}


def signed(claims: dict[str, object]) -> str:
    return jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")


async def test_a_valid_token_names_the_caller() -> None:
    response = await call("/me", CODEC.mint(LEADER_3, timedelta(minutes=5)))
    assert response.status_code == 200
    assert response.json() == {"subject": "leader3@so", "cluster_no": 3}


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        # Made when each case runs, not when the module is collected: a token minted at
        # collection time expires before its case runs in a long suite.
        (
            lambda: CODEC.mint(LEADER_3, timedelta(minutes=5), now=datetime.now(UTC) - timedelta(hours=1)),
            "token expired",
        ),
        (
            lambda: TokenCodec(
                secret="another-secret-of-enough-length-0123456789",
                algorithm="HS256",
                issuer="edu-clusters",
                audience="edu-clusters",
            ).mint(LEADER_3, timedelta(minutes=5)),
            "bad signature",
        ),
        (lambda: unsigned_token(valid_claims()), "algorithm not allowed"),
        (lambda: "not.a.jwt", "malformed token"),
        (lambda: signed(valid_claims(role=None)), "missing claim role"),
        (lambda: signed(valid_claims(role="headmaster")), "unknown role"),
        (lambda: signed(valid_claims(aud="another-system")), "wrong audience"),
    ],
    ids=["expired", "wrongly-signed", "alg-none", "malformed", "no-role", "unknown-role", "wrong-audience"],
)
async def test_bad_tokens_get_401_naming_the_reason(make_token: Callable[[], str], reason: str) -> None:
    response = await call("/me", make_token())
    assert response.status_code == 401
    assert response.json() == {"detail": reason}
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{reason}"'
    )


@pytest.mark.parametrize(
    ("scheme", "token", "reason"),
    [("Bearer", None, "missing bearer token"), ("Basic", "dXNlcjpwYXNz", "authorization header must be")],
    ids=["no-header", "basic-scheme"],
)
async def test_requests_without_a_bearer_token_get_the_bare_challenge(
    scheme: str, token: str | None, reason: str
) -> None:
    response = await call("/me", token, scheme=scheme)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(reason)
    assert response.headers["www-authenticate"] == "Bearer"  # RFC 6750 §3.1: no error code without a token


async def test_the_wrong_role_gets_403_naming_the_required_role() -> None:
    response = await call("/admin-only", CODEC.mint(LEADER_3, timedelta(minutes=5)))
    assert response.status_code == 403
    assert "department_admin" in response.json()["detail"]


def test_a_token_for_a_half_scoped_role_is_refused() -> None:
    with pytest.raises(InvalidToken, match="role cluster_leader requires cluster_no"):
        CODEC.decode(signed(valid_claims(role="cluster_leader")))


def test_a_scoped_role_needs_its_scope() -> None:
    with pytest.raises(ValidationError):
        Principal(subject="x", role=Role.CLUSTER_LEADER)


def test_scoping_follows_the_organisation() -> None:
    officer = Principal(subject="o", role=Role.DEPARTMENT_OFFICER)
    client = Principal(subject="c", role=Role.INTEGRATION_CLIENT, grants=frozenset({"cluster:2"}))
    assert LEADER_3.can_see_cluster(3)
    assert not LEADER_3.can_see_cluster(4)
    assert not LEADER_3.can_see_cluster(None)  # communes in no cluster belong to the Department
    assert officer.can_see_cluster(4)
    assert officer.can_see_cluster(None)
    assert client.can_see_cluster(2)
    assert not client.can_see_cluster(3)


def test_communes_and_schools_are_seen_through_their_cluster_commune_or_school() -> None:
    commune_officer = Principal(subject="c", role=Role.COMMUNE_OFFICER, commune_code="16738")
    principal = Principal(subject="p", role=Role.SCHOOL_PRINCIPAL, school_id="s-17")
    everything = Principal(subject="i", role=Role.INTEGRATION_CLIENT, grants=frozenset({"cluster:*"}))
    assert LEADER_3.can_see_commune("16738", cluster_no=3)
    assert not LEADER_3.can_see_commune("16738", cluster_no=4)  # the commune moved to cluster 4
    assert commune_officer.can_see_school("s-17", cluster_no=3, commune_code="16738")
    assert not commune_officer.can_see_school("s-18", cluster_no=3, commune_code="16741")
    assert not commune_officer.can_see_cluster(3)
    assert principal.can_see_school("s-17", cluster_no=3, commune_code="16738")
    assert not principal.can_see_school("s-18", cluster_no=3, commune_code="16738")
    assert everything.sees_everything
    assert everything.can_see_commune("17000", cluster_no=None)


def test_a_token_verified_once_is_still_refused_once_it_expires() -> None:
    now = [datetime.now(UTC).timestamp()]
    codec = TokenCodec(
        secret=DEV_JWT_SECRET,
        algorithm="HS256",
        issuer="edu-clusters",
        audience="edu-clusters",
        clock=lambda: now[0],
    )
    token = codec.mint(
        Principal(subject="leader@cum3", role=Role.CLUSTER_LEADER, cluster_no=3), timedelta(minutes=5)
    )
    assert codec.decode(token).cluster_no == 3
    assert codec.decode(token).cluster_no == 3  # remembered, not verified again
    now[0] += 5 * 60 + 11  # past expiry and the 10 s leeway
    with pytest.raises(InvalidToken, match="token expired"):
        codec.decode(token)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(InvalidToken):
        codec.decode(tampered)
