"""Turns a bearer token into a Principal: the provider's token through the registry, or a dev token.

One per app (``app.state.authenticator``). The provider's tokens say who the caller is; the service's
registry replica (``people``) says what a person acts for, on every request, so a change in the registry
takes effect without a new token. Shared-secret tokens are accepted only where the settings allow them
(tests and local development); production has none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import jwt

from shared.auth.identity import Identity
from shared.auth.oidc import OidcVerifier
from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.auth.scope import NotKnownToRegistry, PersonFacts, principal_for
from shared.auth.tokens import InvalidToken, TokenCodec
from shared.clock import today_in_vietnam

PersonLookup = Callable[[Identity], Awaitable[PersonFacts | None]]
"""Finds the person a token names (by staff code, else email) in the service's registry replica."""


class Authenticator:
    def __init__(
        self,
        *,
        oidc: OidcVerifier | None,
        shared_secret: TokenCodec | None,
        people: PersonLookup | None = None,
        today: Callable[[], date] = today_in_vietnam,
    ) -> None:
        if oidc is None and shared_secret is None:
            raise ValueError(
                "an authenticator needs the identity provider or, in development, a shared secret"
            )
        self.oidc = oidc
        self.shared_secret = shared_secret
        self._people = people
        self._today = today

    async def principal(self, token: str) -> Principal:
        """Raises ``InvalidToken`` (a 401) or ``NotKnownToRegistry`` (a 403)."""
        if self.shared_secret is not None and (self.oidc is None or _is_shared_secret_token(token)):
            return self.shared_secret.decode(token)
        assert self.oidc is not None
        identity = await self.oidc.verify(token)
        return await self.principal_for(identity)

    async def principal_for(self, identity: Identity) -> Principal:
        if identity.is_integration_client:
            try:
                return Principal(
                    subject=identity.client_id or identity.subject,
                    role=Role.INTEGRATION_CLIENT,
                    name=identity.client_id,
                    grants=identity.grants,
                )
            except ValueError as exc:
                raise InvalidToken("invalid grants claim") from exc
        if not identity.roles:
            raise NotKnownToRegistry(f"{identity.shown} has no edu-clusters role at the identity provider")
        if self._people is None:
            raise NotKnownToRegistry("this service does not act for people")
        person = await self._people(identity)
        return principal_for(identity, person, today=self._today())


def _is_shared_secret_token(token: str) -> bool:
    try:
        algorithm = jwt.get_unverified_header(token).get("alg", "")
    except jwt.PyJWTError:
        return False
    return isinstance(algorithm, str) and algorithm.startswith("HS")
