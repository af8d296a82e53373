"""Builds an app's authenticator from its settings: the identity provider, and in development the
shared-secret tokens the tests and the local run mint."""

from __future__ import annotations

import httpx

from shared.auth import TokenCodec
from shared.auth.authenticator import Authenticator, PersonLookup
from shared.auth.jwks import KeySet
from shared.auth.oidc import OidcVerifier
from shared.auth.people_cache import CachedPeople
from shared.settings import ServiceSettings


class IdentityParts:
    """The authenticator and what it holds open (an HTTP client for the provider's keys)."""

    def __init__(self, settings: ServiceSettings, people: PersonLookup | None) -> None:
        self._http = httpx.AsyncClient(timeout=5.0) if settings.oidc_issuer else None
        self.oidc = (
            OidcVerifier(
                issuer=settings.oidc_issuer,
                audience=settings.oidc_audience,
                keys=KeySet.discovered(settings.oidc_issuer, self._http, jwks_uri=settings.oidc_jwks_uri),
            )
            if settings.oidc_issuer and self._http is not None
            else None
        )
        self.codec = TokenCodec.from_settings(settings)
        # The person's scope, kept a few seconds per identity and emptied when the people change.
        self.people = CachedPeople(people, ttl_s=settings.scope_cache_ttl_s) if people is not None else None
        self.authenticator = Authenticator(
            oidc=self.oidc,
            shared_secret=self.codec if settings.accepts_shared_secret_tokens else None,
            people=self.people,
        )

    async def start(self) -> None:
        """Fetch the provider's keys once; a provider down now is reported by readiness, not fatal."""
        if self.oidc is not None:
            await self.oidc.keys.refresh(force=True)

    async def ready(self) -> None:
        if self.oidc is not None and not self.oidc.keys.loaded:
            await self.oidc.keys.refresh()
            if not self.oidc.keys.loaded:
                raise RuntimeError(f"no signing keys from the identity provider at {self.oidc.issuer}")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
