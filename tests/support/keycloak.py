"""Clients of the real OpenID Connect provider for tests: its endpoints, its grants, its admin API.

``tests/fixtures/keycloak.py`` yields a ``KeycloakProvider`` for the session's Keycloak; the helpers here
drive it as its clients would: token requests for each grant the realm allows, the authorization code
flow through the login form over plain HTTP, and ``KeycloakAdmin``, a small client of the admin REST API
(key rotation, user attributes, users) for tests that change the provider's state.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

from deploy.local.keycloak import (
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_ADMIN_USERNAME,
    REALM,
    REALM_FILE,
    KeycloakLauncher,
)

API_AUDIENCE = "edu-clusters-api"
CONSOLE_CLIENT_ID = "edu-clusters-console"
CLI_CLIENT_ID = "edu-clusters-cli"
INTEGRATION_CLIENT_ID = "provincial-dms"
DEMO_PASSWORD = "demo"
LOOPBACK_REDIRECT_URI = "http://127.0.0.1:8765/callback"
"""Never listened on: the login stops at the redirect, whose query carries the code."""


@functools.cache
def realm_client_secret(client_id: str, realm_file: Path = REALM_FILE) -> str:
    """A confidential client's development secret, as the realm file defines it (one place)."""
    realm = json.loads(realm_file.read_text())
    for client in realm["clients"]:
        if client["clientId"] == client_id and "secret" in client:
            return str(client["secret"])
    raise KeyError(f"{realm_file} defines no secret for client {client_id!r}")


@dataclass(frozen=True)
class Pkce:
    """A PKCE pair (RFC 7636): the challenge rides on the authorization request, the verifier on the code."""

    verifier: str
    challenge: str
    method: str = "S256"

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


class TokenRequestRefused(Exception):
    """The token endpoint answered with an error; ``error`` is the OAuth error code."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            body = {}
        self.error = str(body.get("error", ""))
        self.description = str(body.get("error_description", ""))
        super().__init__(
            f"token request refused ({self.status_code}): {self.error} {self.description}".strip()
        )


class AuthorizationRefused(Exception):
    """The authorization endpoint refused; ``details`` holds the redirect's query (or the error page)."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__(f"authorization refused: {details}")
        self.details = details


class _LoginFormParser(HTMLParser):
    """Finds the action of Keycloak's login form (``<form id="kc-form-login" action=...>``)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "kc-form-login":
            self.action = attributes.get("action")


def login_form_action(page: str) -> str:
    parser = _LoginFormParser()
    parser.feed(page)
    if not parser.action:
        raise AssertionError(f"no Keycloak login form in the page:\n{page[:2000]}")
    return parser.action


class KeycloakAdmin:
    """The few admin REST API calls tests need, as the master realm's administrator."""

    def __init__(self, http: httpx.Client, base_url: str, realm: str, username: str, password: str) -> None:
        self._http = http
        self._base_url = base_url
        self._realm = realm
        self._username = username
        self._password = password
        self._token: str | None = None
        self._token_expires_at = 0.0

    # ----- users -------------------------------------------------------------------------------

    def user(self, username: str) -> dict[str, Any]:
        """The user's full representation (attributes included)."""
        found = self._request("GET", "users", params={"username": username, "exact": "true"}).json()
        if not found:
            raise LookupError(f"no user {username!r} in realm {self._realm}")
        user: dict[str, Any] = found[0]
        return user

    def create_user(
        self,
        username: str,
        *,
        password: str = DEMO_PASSWORD,
        roles: Sequence[str] = (),
        attributes: dict[str, list[str]] | None = None,
        email: str | None = None,
        first_name: str = "Thử",
        last_name: str = "Nghiệm",
    ) -> str:
        """A new user with a password and realm roles, for tests that change or delete users; its id."""
        representation = {
            "username": username,
            "enabled": True,
            "email": email or f"{username}@test.edu-clusters.vn",
            "emailVerified": True,
            "firstName": first_name,
            "lastName": last_name,
            "attributes": attributes or {},
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        }
        response = self._request("POST", "users", json=representation)
        user_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        if roles:
            available = {role["name"]: role for role in self._request("GET", "roles").json()}
            self._request(
                "POST", f"users/{user_id}/role-mappings/realm", json=[available[name] for name in roles]
            )
        return user_id

    def set_user_attribute(self, username: str, name: str, value: str | Sequence[str] | None) -> None:
        """Set (or, with None, remove) one attribute; tokens issued from now on carry the change."""
        user = self.user(username)
        attributes: dict[str, list[str]] = dict(user.get("attributes") or {})
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = [value] if isinstance(value, str) else list(value)
        user["attributes"] = attributes
        self._request("PUT", f"users/{user['id']}", json=user)

    def delete_user(self, username: str) -> None:
        self._request("DELETE", f"users/{self.user(username)['id']}")

    # ----- keys --------------------------------------------------------------------------------

    def active_signing_kid(self, algorithm: str = "RS256") -> str:
        """The kid new tokens are signed with: the active key of that algorithm with the highest priority."""
        keys = self._signing_keys(algorithm)
        return str(max(keys, key=lambda key: int(key.get("providerPriority", 0)))["kid"])

    def rotate_keys(self, algorithm: str = "RS256") -> str:
        """Add a generated RSA key above every other one; new tokens are signed with it, its kid is returned.

        The older keys stay active (they still verify the tokens they signed and stay in the JWKS) until
        someone disables or deletes them, as a real rotation would after the longest token lifespan.
        """
        keys = self._signing_keys(algorithm)
        priority = max(int(key.get("providerPriority", 0)) for key in keys) + 10
        realm_id = self._request("GET", "").json()["id"]
        component = {
            "name": f"rsa-rotated-{int(time.time() * 1000)}",
            "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm_id,
            "config": {
                "priority": [str(priority)],
                "algorithm": [algorithm],
                "keySize": ["2048"],
                "active": ["true"],
                "enabled": ["true"],
            },
        }
        response = self._request("POST", "components", json=component)
        component_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        for key in self._signing_keys(algorithm):
            if key.get("providerId") == component_id:
                return str(key["kid"])
        raise AssertionError(f"the new key provider {component_id} has no active {algorithm} key")

    def _signing_keys(self, algorithm: str) -> list[dict[str, Any]]:
        keys = self._request("GET", "keys").json()["keys"]
        return [
            key
            for key in keys
            if key.get("algorithm") == algorithm and key.get("use") == "SIG" and key.get("status") == "ACTIVE"
        ]

    # ----- plumbing ----------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = f"{self._base_url}/admin/realms/{self._realm}" + (f"/{path}" if path else "")
        response = self._http.request(
            method, url, headers={"Authorization": f"Bearer {self._access_token()}"}, **kwargs
        )
        if response.is_error:
            raise AssertionError(f"admin API {method} {url} answered {response.status_code}: {response.text}")
        return response

    def _access_token(self) -> str:
        if self._token is None or time.monotonic() >= self._token_expires_at:
            response = self._http.post(
                f"{self._base_url}/realms/master/protocol/openid-connect/token",
                data={
                    "grant_type": "password",
                    "client_id": "admin-cli",
                    "username": self._username,
                    "password": self._password,
                },
            )
            if response.is_error:
                raise TokenRequestRefused(response)
            body = response.json()
            self._token = str(body["access_token"])
            self._token_expires_at = time.monotonic() + float(body.get("expires_in", 60)) - 10
        return self._token


class KeycloakProvider:
    """The realm as its clients see it, plus ``admin``; ``launcher`` is None for a provider reused by URL."""

    def __init__(
        self,
        base_url: str,
        *,
        realm: str = REALM,
        admin_username: str = DEFAULT_ADMIN_USERNAME,
        admin_password: str = DEFAULT_ADMIN_PASSWORD,
        launcher: KeycloakLauncher | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.realm = realm
        self.launcher = launcher
        self.http = httpx.Client(timeout=30.0, follow_redirects=False)
        self.admin = KeycloakAdmin(self.http, self.base_url, realm, admin_username, admin_password)

    def close(self) -> None:
        self.http.close()

    # ----- the discovery document --------------------------------------------------------------

    @functools.cached_property
    def discovery(self) -> dict[str, Any]:
        url = f"{self.base_url}/realms/{self.realm}/.well-known/openid-configuration"
        response = self.http.get(url)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    @property
    def issuer(self) -> str:
        return str(self.discovery["issuer"])

    @property
    def token_endpoint(self) -> str:
        return str(self.discovery["token_endpoint"])

    @property
    def jwks_uri(self) -> str:
        return str(self.discovery["jwks_uri"])

    @property
    def authorization_endpoint(self) -> str:
        return str(self.discovery["authorization_endpoint"])

    @property
    def device_authorization_endpoint(self) -> str:
        return str(self.discovery["device_authorization_endpoint"])

    def jwks(self) -> dict[str, Any]:
        """The realm's current public keys (fetched each time: rotation changes them)."""
        response = self.http.get(self.jwks_uri)
        response.raise_for_status()
        keys: dict[str, Any] = response.json()
        return keys

    # ----- tokens ------------------------------------------------------------------------------

    def token(self, form: dict[str, str], auth: tuple[str, str] | None = None) -> dict[str, Any]:
        """A token endpoint request; its JSON answer, or ``TokenRequestRefused``."""
        if auth is None:
            response = self.http.post(self.token_endpoint, data=form)
        else:
            response = self.http.post(self.token_endpoint, data=form, auth=httpx.BasicAuth(*auth))
        if response.is_error:
            raise TokenRequestRefused(response)
        body: dict[str, Any] = response.json()
        return body

    def password_token(self, username: str, password: str, client_id: str = CLI_CLIENT_ID) -> str:
        """An access token from the resource owner password grant (development clients only)."""
        form = {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
            "scope": "openid",
        }
        return str(self.token(form)["access_token"])

    def client_credentials_token(self, client_id: str, secret: str) -> str:
        """An access token of a service-account client (client_secret_basic)."""
        return str(self.token({"grant_type": "client_credentials"}, auth=(client_id, secret))["access_token"])

    # ----- the authorization code flow, driven like a browser ----------------------------------

    def authorization_code(
        self,
        username: str,
        password: str,
        *,
        pkce: Pkce | None,
        client_id: str = CONSOLE_CLIENT_ID,
        redirect_uri: str = LOOPBACK_REDIRECT_URI,
        scope: str = "openid",
    ) -> str:
        """Log in through the login form and return the code the provider redirects back with.

        The redirect is read, never followed. A refused authorization request fails with the error
        Keycloak put in the redirect (or its error page).
        """
        state = secrets.token_urlsafe(16)
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
        }
        if pkce is not None:
            params |= {"code_challenge": pkce.challenge, "code_challenge_method": pkce.method}
        with httpx.Client(timeout=30.0, follow_redirects=False) as browser:  # its own cookies
            page = browser.get(self.authorization_endpoint, params=params)
            if page.is_redirect:
                raise AuthorizationRefused(_redirect_query(page))
            if page.status_code != 200:
                raise AuthorizationRefused({"error": f"HTTP {page.status_code}", "page": page.text[:500]})
            # Keycloak marks its cookies Secure even over http. Browsers send them to http://127.0.0.1 (a
            # loopback origin counts as secure) but http.cookiejar does not, so they go back by hand.
            cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies.jar)
            submitted = browser.post(
                login_form_action(page.text),
                data={"username": username, "password": password, "credentialId": ""},
                headers={"Cookie": cookies},
            )
        if not submitted.is_redirect:
            raise AuthorizationRefused(
                {"error": f"login answered {submitted.status_code}", "page": submitted.text[:500]}
            )
        location = submitted.headers["Location"]
        if not location.startswith(redirect_uri):
            raise AssertionError(f"redirected to {location}, not to {redirect_uri}")
        query = _redirect_query(submitted)
        if query.get("state") != state or "code" not in query:
            raise AuthorizationRefused(query)
        return query["code"]

    def exchange_code(
        self,
        code: str,
        *,
        verifier: str | None,
        client_id: str = CONSOLE_CLIENT_ID,
        redirect_uri: str = LOOPBACK_REDIRECT_URI,
    ) -> dict[str, Any]:
        """The token response for a code (confidential client, client_secret_basic)."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if verifier is not None:
            form["code_verifier"] = verifier
        return self.token(form, auth=(client_id, realm_client_secret(client_id)))


def _redirect_query(response: httpx.Response) -> dict[str, str]:
    location = response.headers.get("Location", "")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
