"""Verifies the identity provider's access tokens (RS256/ES256) against its published keys.

Checked: the algorithm (asymmetric only, and the one the key is for: an HS256 token "signed" with the
public key is refused), the key id, the signature, issuer, audience, expiry and not-before with a small
skew. What a valid token says becomes an ``Identity``; what the person may act for is the registry's.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import jwt

from shared.auth.identity import Identity
from shared.auth.jwks import ASYMMETRIC_ALGORITHMS, KeySet, KeysUnavailable
from shared.auth.roles import Role
from shared.auth.tokens import DEFAULT_LEEWAY, VERIFIED_TOKENS_KEPT, InvalidToken, reason_for

_REQUIRED_CLAIMS = ["sub", "iat", "exp", "iss", "aud"]
_ROLE_NAMES = {role.value: role for role in Role}


class OidcVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: KeySet,
        leeway: timedelta = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self._audience = audience
        self.keys = keys
        self._leeway = leeway
        self._clock = clock
        # A client sends the same token until it expires: its signature is checked once, its expiry on
        # every use. Keyed by the whole token, so a changed byte is a new verification.
        self._verified: OrderedDict[str, tuple[Identity, float]] = OrderedDict()

    async def verify(self, token: str) -> Identity:
        remembered = self._verified.get(token)
        if remembered is None:
            remembered = await self._verify(token)
            self._verified[token] = remembered
            if len(self._verified) > VERIFIED_TOKENS_KEPT:
                self._verified.popitem(last=False)
        else:
            self._verified.move_to_end(token)
        identity, expires_at = remembered
        if self._clock() > expires_at + self._leeway.total_seconds():
            raise InvalidToken("token expired")
        return identity

    async def _verify(self, token: str) -> tuple[Identity, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise InvalidToken("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token names no signing key (kid)")
        try:
            key = await self.keys.key_for(kid)
        except KeysUnavailable as exc:
            raise InvalidToken(str(exc)) from exc
        if key.algorithm_name != algorithm:
            raise InvalidToken("algorithm not allowed")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(reason_for(exc)) from exc
        return identity_from(claims), float(claims["exp"])


def identity_from(claims: Mapping[str, Any]) -> Identity:
    """Roles are the provider's realm roles that name ours; the provider's own (offline_access) are not."""
    roles = frozenset(_ROLE_NAMES[name] for name in _strings(claims, "roles") if name in _ROLE_NAMES)
    integration = Role.INTEGRATION_CLIENT in roles
    client_id = _optional_string(claims, "client_id") or _optional_string(claims, "azp")
    return Identity(
        subject=str(claims["sub"]),
        roles=roles,
        staff_code=_optional_string(claims, "staff_code"),
        email=_optional_string(claims, "email"),
        name=_optional_string(claims, "name"),
        client_id=client_id if integration else None,
        grants=frozenset(_strings(claims, "grants")) if integration else frozenset(),
    )


def _strings(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidToken(f"claim {name} must be a list of strings")
    return value


def _optional_string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidToken(f"claim {name} must be a string")
    return value
