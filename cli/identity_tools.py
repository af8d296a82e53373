"""``edu-clusters login``: an access token from the identity provider for the operator's own use.

Two grants of the realm's ``edu-clusters-cli`` client: the device authorization grant (RFC 8628: the
operator signs in in a browser, anywhere, and the command polls), and in development the password grant
(the realm's demo users). The token then goes in ``Authorization: Bearer``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from cli.kafka_tools import OperatorError

CLI_CLIENT_ID = "edu-clusters-cli"


def _endpoints(client: httpx.Client, issuer: str) -> dict[str, Any]:
    try:
        response = client.get(issuer.rstrip("/") + "/.well-known/openid-configuration")
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise OperatorError(f"the identity provider at {issuer} does not answer: {exc}") from exc
    document: dict[str, Any] = response.json()
    return document


def password_login(issuer: str, username: str, password: str) -> str:
    with httpx.Client(timeout=10) as client:
        endpoint = _endpoints(client, issuer)["token_endpoint"]
        form = {
            "grant_type": "password",
            "client_id": CLI_CLIENT_ID,
            "username": username,
            "password": password,
        }
        response = client.post(endpoint, data=form)
    if response.status_code != 200:
        raise OperatorError(f"sign-in refused: {_error_of(response)}")
    return str(response.json()["access_token"])


def device_login(issuer: str, show: Callable[[str, str], None], *, deadline_s: float = 600) -> str:
    """Asks for a device code, shows where to sign in, and polls until the person has (or time is up)."""
    with httpx.Client(timeout=10) as client:
        endpoints = _endpoints(client, issuer)
        started = client.post(
            endpoints["device_authorization_endpoint"], data={"client_id": CLI_CLIENT_ID, "scope": "openid"}
        )
        if started.status_code != 200:
            raise OperatorError(f"device sign-in refused: {_error_of(started)}")
        grant = started.json()
        show(grant.get("verification_uri_complete") or grant["verification_uri"], grant["user_code"])
        interval = float(grant.get("interval", 5))
        give_up = time.monotonic() + min(deadline_s, float(grant.get("expires_in", deadline_s)))
        while time.monotonic() < give_up:
            time.sleep(interval)
            polled = client.post(
                endpoints["token_endpoint"],
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                    "client_id": CLI_CLIENT_ID,
                    "device_code": grant["device_code"],
                },
            )
            if polled.status_code == 200:
                return str(polled.json()["access_token"])
            error = polled.json().get("error")
            if error == "slow_down":
                interval += 5
            elif error != "authorization_pending":
                raise OperatorError(f"device sign-in failed: {_error_of(polled)}")
    raise OperatorError("nobody completed the sign-in in time")


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("error_description") or body.get("error") or f"HTTP {response.status_code}")
