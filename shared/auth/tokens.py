"""Shared-secret bearer tokens (HS256) that carry a whole Principal: for tests and local development only.

Whoever can verify such a token can mint one, so production refuses them at start (``shared.settings``):
there, people and systems sign in through the identity provider (``shared.auth.oidc``). Decoding accepts
only the configured HMAC algorithm: a token cannot pick its own (``alg: none``, or an RSA public key
used as an HMAC secret).
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import ValidationError

from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.settings import ServiceSettings

VERIFIED_TOKENS_KEPT = 4096
"""Distinct tokens whose verification is remembered (one per active client is plenty)."""

DEFAULT_LEEWAY = timedelta(seconds=10)
"""Clock skew tolerated between the issuing machine and ours."""

# RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
_MIN_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_REQUIRED_CLAIMS = ["sub", "role", "iat", "exp", "iss", "aud"]


class InvalidToken(Exception):
    """Every reason a token is refused; ``reason`` is safe to return to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TokenCodec:
    """Mints and verifies tokens for one issuer and audience with one shared secret."""

    def __init__(
        self,
        *,
        secret: str,
        algorithm: str,
        issuer: str,
        audience: str,
        leeway: timedelta = DEFAULT_LEEWAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        min_bytes = _MIN_SECRET_BYTES.get(algorithm)
        if min_bytes is None:
            raise ValueError(
                f"unsupported JWT algorithm {algorithm!r}: use one of {sorted(_MIN_SECRET_BYTES)}"
            )
        if len(secret.encode()) < min_bytes:
            raise ValueError(f"{algorithm} needs a secret of at least {min_bytes} bytes")
        self._secret = secret
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._clock = clock
        # A client sends the same token with every request until it expires; verifying its signature
        # and claims once is enough. Keyed by the whole token, so a changed byte is a new verification;
        # expiry is checked again on every use (below), since a cached token outlives its validity.
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenCodec:
        return cls(
            secret=settings.jwt_secret.get_secret_value(),
            algorithm=settings.jwt_algorithm,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )

    def mint(self, principal: Principal, ttl: timedelta, *, now: datetime | None = None) -> str:
        """A token for ``principal`` valid for ``ttl``; ``now`` lets tests mint already-expired tokens."""
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        issued_at = datetime.now(UTC) if now is None else now
        if issued_at.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        claims: dict[str, Any] = {
            "sub": principal.subject,
            "role": principal.role.value,
            "iat": int(issued_at.timestamp()),
            "exp": int((issued_at + ttl).timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
            "jti": uuid.uuid4().hex,
        }
        optional_claims = {
            "name": principal.name,
            "cluster_no": principal.cluster_no,
            "school_id": principal.school_id,
            "commune_code": principal.commune_code,
            "grants": sorted(principal.grants) or None,
        }
        claims.update({claim: value for claim, value in optional_claims.items() if value is not None})
        return jwt.encode(claims, self._secret, algorithm=self._algorithm)

    def decode(self, token: str) -> Principal:
        """The principal a valid token carries; raises :class:`InvalidToken` for anything else."""
        principal, expires_at = self._verified(token)
        if self._clock() > expires_at + self._leeway.total_seconds():
            raise InvalidToken("token expired")
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS, "strict_aud": True},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(reason_for(exc)) from exc
        return _principal_from(claims), float(claims["exp"])


def reason_for(error: jwt.PyJWTError) -> str:
    """A short reason safe to tell the caller."""
    match error:
        case jwt.ExpiredSignatureError():
            return "token expired"
        case jwt.ImmatureSignatureError():
            return "token not yet valid"
        case jwt.InvalidSignatureError():
            return "bad signature"
        case jwt.InvalidAlgorithmError():
            return "algorithm not allowed"
        case jwt.MissingRequiredClaimError():
            return f"missing claim {error.claim}"
        case jwt.InvalidIssuerError():
            return "wrong issuer"
        case jwt.InvalidAudienceError():
            return "wrong audience"
        case _:
            return "malformed token"


def _principal_from(claims: Mapping[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise InvalidToken("unknown role") from None
    try:
        return Principal(
            subject=claims["sub"],
            role=role,
            name=claims.get("name"),
            cluster_no=claims.get("cluster_no"),
            school_id=claims.get("school_id"),
            commune_code=claims.get("commune_code"),
            grants=claims.get("grants", []),
        )
    except ValidationError as exc:
        raise InvalidToken(f"invalid claims: {_describe(exc)}") from exc


def _describe(error: ValidationError) -> str:
    parts = []
    for detail in error.errors():
        message = detail["msg"]
        location = ".".join(str(part) for part in detail["loc"])
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)
