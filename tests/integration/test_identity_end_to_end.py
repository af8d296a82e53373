"""People sign in through the real identity provider and act within what the registry says they are.

The provider is the project's Keycloak with its realm (tests/fixtures/keycloak.py); the operator's
command line gets its tokens from it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from cli import identity_tools
from cli.kafka_tools import OperatorError
from deploy.local.kafka import REPO_ROOT
from deploy.local.run import INTEGRATION_CLIENT
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Role
from shared.clock import today_in_vietnam
from tests.support.apps import bearer, running, runtime_of
from tests.support.identity import bearer_header, provider_settings
from tests.support.keycloak import KeycloakProvider

# The session's first use of the provider may fetch, build and start it: minutes on a busy machine.
pytestmark = pytest.mark.timeout(900)


def test_the_operator_cli_signs_in_with_the_password_grant(keycloak: KeycloakProvider) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "login",
            "cumtruong.1",
            "--password",
            "demo",
            "--issuer",
            keycloak.issuer,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert (claims["staff_code"], claims["roles"]) == ("DEMO-C1-LEAD", ["cluster_leader"])
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "login",
            "cumtruong.1",
            "--password",
            "wrong",
            "--issuer",
            keycloak.issuer,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2 and "sign-in refused" in refused.stdout + refused.stderr


def test_the_device_grant_shows_where_to_sign_in_and_gives_up_in_time(keycloak: KeycloakProvider) -> None:
    shown: list[tuple[str, str]] = []
    with pytest.raises(OperatorError, match="nobody completed the sign-in in time"):
        identity_tools.device_login(
            keycloak.issuer, lambda where, code: shown.append((where, code)), deadline_s=1
        )
    [(where, code)] = shown
    assert where.startswith(keycloak.base_url) and code


@pytest.fixture
async def registry_on_keycloak(
    keycloak: KeycloakProvider, common: dict[str, Any], tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = RegistrySettings(
        **common,
        **provider_settings(keycloak.issuer),  # keys found through the issuer's discovery document
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}",
        seed_demo_people=True,
    )
    app = create_registry(settings)
    async with running(app) as client:
        yield app, client


@pytest.mark.kafka
@pytest.mark.asyncio(loop_scope="session")
async def test_people_signed_in_at_keycloak_act_within_what_the_registry_says(
    keycloak: KeycloakProvider, registry_on_keycloak: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, client = registry_on_keycloak
    admin = bearer(app, Role.DEPARTMENT_ADMIN)  # a development token for the test's own set-up
    leader = bearer_header(await asyncio.to_thread(keycloak.password_token, "cumtruong.1", "demo"))

    # The token says who (DEMO-C1-LEAD, cluster_leader); the registry says which cluster: 1.
    other = {"code": "29020001", "name": "Trường TH Bình Chuẩn", "level": "primary", "commune_code": "17230"}
    assert (await client.post("/schools", json=other, headers=admin)).status_code == 201  # in cluster 2
    schools = (await client.get("/schools", headers=leader)).json()
    assert schools["total"] >= 1 and {school["cluster_no"] for school in schools["items"]} == {1}
    assert (await client.get("/schools/29020001", headers=leader)).status_code == 404

    # Someone the provider knows but the registry does not is told so, by name.
    await asyncio.to_thread(
        keycloak.admin.create_user,
        "nguoi.la",
        roles=["cluster_leader"],
        attributes={"staff_code": ["KHONG-CO"]},
    )
    try:
        stranger = bearer_header(await asyncio.to_thread(keycloak.password_token, "nguoi.la", "demo"))
        refused = await client.get("/schools", headers=stranger)
        assert refused.status_code == 403
        assert "the registry knows no person KHONG-CO" in refused.json()["detail"]
    finally:
        await asyncio.to_thread(keycloak.admin.delete_user, "nguoi.la")

    # The integration client acts by the grants its client carries (cluster 1).
    dms = bearer_header(await asyncio.to_thread(keycloak.client_credentials_token, *INTEGRATION_CLIENT))
    granted = (await client.get("/schools", headers=dms)).json()
    assert {school["cluster_no"] for school in granted["items"]} == {1}

    # The registry appoints a new leader of cluster 1, then makes the demo leader the leader of cluster 2:
    # the same token loses cluster 1 at once and then sees cluster 2's school, with no new token.
    today = today_in_vietnam().isoformat()
    newcomer = {"code": "CB-C1-NEW", "full_name": "Đặng Hữu Phúc", "roles": ["department_official"]}
    assert (await client.post("/staff", json=newcomer, headers=admin)).status_code == 201
    appoint = {"staff_code": "CB-C1-NEW", "role": "leader", "valid_from": today}
    assert (await client.post("/clusters/1/members", json=appoint, headers=admin)).status_code == 201
    replaced = await client.get("/schools", headers=leader)
    assert replaced.status_code == 403 and "DEMO-C1-LEAD" in replaced.json()["detail"]
    moved = {"staff_code": "DEMO-C1-LEAD", "role": "leader", "valid_from": today}
    assert (await client.post("/clusters/2/members", json=moved, headers=admin)).status_code == 201
    now_seen = (await client.get("/schools", headers=leader)).json()
    assert [school["code"] for school in now_seen["items"]] == ["29020001"]

    # The provider rotates its signing key: new tokens verify at once, with no restart.
    old_kid = jwt.get_unverified_header(leader["Authorization"].removeprefix("Bearer "))["kid"]
    new_kid = await asyncio.to_thread(keycloak.admin.rotate_keys)
    rotated = await asyncio.to_thread(keycloak.password_token, "thanhvien.1", "demo")
    assert jwt.get_unverified_header(rotated)["kid"] == new_kid != old_kid
    runtime_of(app).authenticator.oidc.keys._last_attempt = None
    member = await client.get("/schools", headers=bearer_header(rotated))
    assert member.status_code == 200 and {s["cluster_no"] for s in member.json()["items"]} == {1}
    assert (await client.get("/schools", headers=leader)).status_code == 200  # the old key still verifies
