"""A stand-in OpenID Connect provider for tests: real RS256 signatures and its keys served over real HTTP.

``LocalProvider`` generates a signing key, serves the discovery document and the JWKS on loopback (a small
HTTP server in a thread, so any event loop's client can fetch from it) and mints access tokens shaped as
the project's Keycloak realm issues them (``roles``, ``staff_code``, ``email``, ``name``, ``aud`` with
``edu-clusters-api``; integration clients ``grants``). ``DEMO_USERS`` are the realm's demo users, whom the
registry seeds as people (``RegistrySettings.seed_demo_people``), so a scenario written against
``access_token(username)`` runs on this provider and on the real one alike.

``provider_settings`` turns an issuer (and its JWKS address) into the settings an app reads.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

API_AUDIENCE = "edu-clusters-api"
REALM = "edu-clusters"


@dataclass(frozen=True)
class DemoUser:
    """One of the realm's demo users: who the provider says they are (the registry says what they act for)."""

    username: str
    staff_code: str
    full_name: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.username}@demo.edu-clusters.vn"


DEMO_USERS = {
    user.username: user
    for user in (
        DemoUser("admin.so", "DEMO-SO-ADMIN", "Nguyễn Văn Hùng", "department_admin"),
        DemoUser("canbo.so", "DEMO-SO-CB", "Trần Thị Mai", "department_officer"),
        DemoUser("cumtruong.1", "DEMO-C1-LEAD", "Lê Văn Thành", "cluster_leader"),
        DemoUser("thanhvien.1", "DEMO-C1-MEM", "Phạm Thị Hương", "cluster_member"),
        DemoUser("hieutruong.mau", "DEMO-HT-001", "Hoàng Văn Nam", "school_principal"),
        DemoUser("canbo.xa", "DEMO-XA-001", "Võ Thị Lan", "commune_officer"),
    )
}


def provider_settings(issuer: str, jwks_uri: str | None = None) -> dict[str, Any]:
    """The settings (``OIDC_ISSUER``, ``OIDC_JWKS_URI``, ``OIDC_AUDIENCE``) that make an app accept the
    provider's tokens; without ``jwks_uri`` the app finds the keys through the issuer's discovery."""
    settings: dict[str, Any] = {"oidc_issuer": issuer, "oidc_audience": API_AUDIENCE}
    if jwks_uri is not None:
        settings["oidc_jwks_uri"] = jwks_uri
    return settings


def bearer_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class LocalProvider:
    """Signs like the identity provider and publishes its key; ``serving()`` starts its HTTP endpoints."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.base_url = ""
        self.jwks_fetches = 0

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM}"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    def settings(self) -> dict[str, Any]:
        return provider_settings(self.issuer, self.jwks_uri)

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "jwks_uri": self.jwks_uri}

    @contextmanager
    def serving(self) -> Iterator[LocalProvider]:
        """Serve the discovery document and the JWKS on 127.0.0.1 (a free port) until the block ends."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        thread = threading.Thread(target=server.serve_forever, name="local-oidc-provider", daemon=True)
        thread.start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def access_token(self, username: str, **overrides: Any) -> str:
        """A demo user's access token, as the realm issues it after they sign in; ``overrides`` change or
        (given as ``None``) leave out its claims."""
        user = DEMO_USERS[username]
        claims: dict[str, Any] = {
            "subject": f"kc-{user.username}",
            "roles": [user.role, "offline_access", "default-roles-edu-clusters"],
            "staff_code": user.staff_code,
            "email": user.email,
            "name": user.full_name,
            "preferred_username": user.username,
        }
        return self.mint(**{**claims, **overrides})

    def client_token(self, client_id: str, grants: Sequence[str]) -> str:
        """An integration client's token (client credentials): its role and the grants it was given."""
        return self.mint(
            subject=f"service-account-{client_id}",
            roles=["integration_client"],
            client_id=client_id,
            azp=client_id,
            grants=list(grants),
        )

    def mint(self, *, subject: str, lifetime_s: int = 300, **claims: Any) -> str:
        """Any token this provider signs; a claim given as ``None`` is left out."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": [API_AUDIENCE, "account"],
            "sub": subject,
            "iat": now,
            "exp": now + lifetime_s,
            "typ": "Bearer",
            **claims,
        }
        body = {name: value for name, value in body.items() if value is not None}
        return jwt.encode(body, self._key, algorithm="RS256", headers={"kid": self.kid})


def _handler_for(provider: LocalProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == f"/realms/{REALM}/.well-known/openid-configuration":
                self._json(provider.discovery())
            elif self.path == f"/realms/{REALM}/protocol/openid-connect/certs":
                provider.jwks_fetches += 1
                self._json(provider.jwks())
            else:
                self.send_error(404)

        def _json(self, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the tests' output stays readable

    return Handler
