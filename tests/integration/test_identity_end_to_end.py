"""People sign in through the real identity provider and act within what the registry says they are.

The provider is the project's Keycloak with its realm (tests/fixtures/keycloak.py); the operator's
command line gets its tokens from it.
"""

from __future__ import annotations

import subprocess
import sys

import jwt
import pytest

from cli import identity_tools
from cli.kafka_tools import OperatorError
from deploy.local.kafka import REPO_ROOT
from tests.support.keycloak import KeycloakProvider


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
