"""The identity provider's signing keys, fetched from its JWKS endpoint and kept.

Kept so that a provider down for minutes (or hours) does not stop the services: verification uses the
keys last seen. An unknown ``kid`` (the provider rotated its keys) triggers one refresh, and refreshes
are spaced so that a flood of tokens with made-up ``kid`` values cannot hammer the provider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "ES256"})
"""What the provider may sign with; a shared-secret algorithm can never verify against a public key."""

MIN_REFRESH_INTERVAL_S = 10.0
"""At most one fetch this often: a new key is seen within seconds, made-up key ids cost nothing."""
MAX_KEY_AGE_S = 900.0
"""Keys older than this are refreshed at the next use (a key the provider removed stops verifying)."""

FetchJwks = Callable[[], Awaitable[dict[str, Any]]]


class KeysUnavailable(Exception):
    """No key has ever been fetched, or the token's ``kid`` is not among the provider's keys."""


class KeySet:
    def __init__(self, fetch: FetchJwks, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def discovered(cls, issuer: str, client: httpx.AsyncClient, *, jwks_uri: str | None = None) -> KeySet:
        """Keys at ``jwks_uri``, or where the issuer's discovery document says they are."""
        where: list[str] = [jwks_uri] if jwks_uri else []

        async def fetch() -> dict[str, Any]:
            if not where:
                discovery = await _get_json(client, issuer.rstrip("/") + "/.well-known/openid-configuration")
                if discovery.get("issuer") != issuer or not isinstance(discovery.get("jwks_uri"), str):
                    raise ValueError("the discovery document names another issuer or no jwks_uri")
                where.append(discovery["jwks_uri"])
            return await _get_json(client, where[0])

        return cls(fetch)

    @property
    def loaded(self) -> bool:
        return bool(self._keys)

    async def key_for(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys or self._stale():
            await self.refresh()
        key = self._keys.get(kid)
        if key is None:
            raise KeysUnavailable(
                "unknown signing key" if self._keys else "the identity provider's keys are not available"
            )
        return key

    async def refresh(self, *, force: bool = False) -> None:
        """Fetch the keys again, unless tried too recently; a failure keeps the keys already held."""
        async with self._lock:
            now = self._clock()
            recently = self._last_attempt is not None and now - self._last_attempt < MIN_REFRESH_INTERVAL_S
            if recently and not force:
                return
            self._last_attempt = now
            try:
                document = await self._fetch()
                keys = _signing_keys(document)
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                log.warning(
                    "could not fetch the identity provider's keys (%s); keeping %d", exc, len(self._keys)
                )
                return
            self._keys = keys
            self._fetched_at = now

    def _stale(self) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at > MAX_KEY_AGE_S


async def _get_json(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    response = await client.get(url)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return document


def _signing_keys(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        if entry.get("use", "sig") != "sig" or "kid" not in entry:
            continue
        if entry.get("alg") not in ASYMMETRIC_ALGORITHMS:
            continue  # the provider also publishes encryption keys and others we never accept
        keys[entry["kid"]] = jwt.PyJWK(entry)
    if not keys:
        raise ValueError("the JWKS holds no RS256 or ES256 signing key")
    return keys
