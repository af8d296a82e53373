"""The identity provider (OpenID Connect): its discovery document, the authorization code with PKCE
(S256, built with authlib), the token and refresh requests, RP-initiated logout."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

SCOPE = "openid profile email"


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: float
    refresh_token: str | None
    refresh_expires_in: float | None
    id_token: str | None


class ProviderRefused(Exception):
    """The provider refused a code or a refresh token (expired, used, revoked)."""


class ProviderUnavailable(ProviderRefused):
    """The provider did not answer, or answered what is not OpenID Connect (down, a proxy's error page):
    the person is told to try again later; a session is not ended for it."""


ANSWER_ERRORS = (httpx.HTTPError, ValueError, KeyError, TypeError)
"""What reaching the provider or reading its answer may raise (a JSON error is a ValueError)."""


class IdentityProvider:
    def __init__(
        self, issuer: str, *, client_id: str, client_secret: str, public_issuer: str | None = None
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.public_issuer = (public_issuer or issuer).rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self._http = httpx.AsyncClient(timeout=10)
        self._discovery: dict[str, Any] | None = None
        self._fetched_at = 0.0

    async def close(self) -> None:
        await self._http.aclose()

    async def discovery(self) -> dict[str, Any]:
        if self._discovery is None or time.monotonic() - self._fetched_at > 3600:
            try:
                response = await self._http.get(f"{self.issuer}/.well-known/openid-configuration")
                response.raise_for_status()
                found = response.json()
            except ANSWER_ERRORS as error:
                raise ProviderUnavailable(f"no discovery document: {type(error).__name__}") from error
            if not isinstance(found, dict):
                raise ProviderUnavailable("the discovery document is not an object")
            self._discovery, self._fetched_at = found, time.monotonic()
        return self._discovery

    async def _endpoint(self, name: str) -> str:
        """An endpoint as this server reaches it (the discovery may name the public host)."""
        found = (await self.discovery()).get(name)
        if not isinstance(found, str) or not found:
            raise ProviderUnavailable(f"the discovery document names no {name}")
        url = found
        if url.startswith(self.public_issuer):
            return self.issuer + url.removeprefix(self.public_issuer)
        return url

    def _public(self, url: str) -> str:
        """An endpoint as the browser reaches it."""
        return self.public_issuer + url.removeprefix(self.issuer) if url.startswith(self.issuer) else url

    @staticmethod
    def new_verifier() -> str:
        return str(generate_token(64))

    @staticmethod
    def new_token() -> str:
        return str(generate_token(40))

    async def authorization_url(self, *, redirect_uri: str, state: str, verifier: str, nonce: str) -> str:
        endpoint = self._public(await self._endpoint("authorization_endpoint"))
        return str(
            prepare_grant_uri(
                endpoint,
                client_id=self.client_id,
                response_type="code",
                redirect_uri=redirect_uri,
                scope=SCOPE,
                state=state,
                nonce=nonce,
                code_challenge=create_s256_code_challenge(verifier),
                code_challenge_method="S256",
            )
        )

    async def exchange(self, *, code: str, verifier: str, redirect_uri: str, nonce: str) -> Tokens:
        tokens = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
            }
        )
        if tokens.id_token is not None:
            # Received from the token endpoint over the back channel (OIDC Core 3.1.3.7): the nonce
            # binds it to this browser's sign-in.
            try:
                claims = jwt.decode(tokens.id_token, options={"verify_signature": False})
            except jwt.PyJWTError as error:
                raise ProviderRefused(f"the ID token cannot be read: {type(error).__name__}") from error
            if claims.get("nonce") != nonce:
                raise ProviderRefused("the ID token's nonce is not this sign-in's")
        return tokens

    async def refresh(self, refresh_token: str) -> Tokens:
        return await self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def _token_request(self, form: dict[str, str]) -> Tokens:
        endpoint = await self._endpoint("token_endpoint")
        try:
            response = await self._http.post(endpoint, data=form, auth=(self.client_id, self._secret))
        except httpx.HTTPError as error:
            why = f"the identity provider does not answer: {type(error).__name__}"
            raise ProviderUnavailable(why) from error
        if response.status_code >= 500:
            raise ProviderUnavailable(f"the identity provider failed: HTTP {response.status_code}")
        if response.status_code != 200:
            raise ProviderRefused(f"the identity provider refused: {response.text[:200]}")
        try:
            return tokens_of(response.json())
        except ANSWER_ERRORS as error:
            raise ProviderUnavailable(f"the token answer is malformed: {type(error).__name__}") from error

    async def logout_url(self, *, id_token: str | None, after: str) -> str:
        endpoint = self._public(await self._endpoint("end_session_endpoint"))
        query = {"client_id": self.client_id, "post_logout_redirect_uri": after}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"


def tokens_of(body: Any) -> Tokens:
    """The token endpoint's answer read; a missing or mistyped field raises (KeyError, ValueError...)."""
    if not isinstance(body, dict) or not isinstance(body["access_token"], str):
        raise ValueError("no access token")
    refresh_in = body.get("refresh_expires_in")
    return Tokens(
        access_token=body["access_token"],
        expires_in=float(body.get("expires_in", 300)),
        refresh_token=body.get("refresh_token"),
        refresh_expires_in=float(refresh_in) if refresh_in else None,
        id_token=body.get("id_token"),
    )
