"""FastAPI dependencies that turn a bearer token into a Principal, or answer 401/403 as RFC 6750 asks.

The authenticator is read from ``app.state.authenticator``, set by each service's app factory, so several
apps with different settings can live in one process (tests) and nothing is configured at import time.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.authenticator import Authenticator
from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.auth.scope import NotKnownToRegistry
from shared.auth.tokens import InvalidToken, TokenCodec

# auto_error=False: we answer 401 ourselves, with the reason and the RFC 6750 challenge.
_bearer_scheme = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="An access token of the identity provider (OIDC_ISSUER)"
)

# RFC 6750 §3: error_description may only hold these characters.
_NOT_ALLOWED_IN_DESCRIPTION = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def token_codec(request: Request) -> TokenCodec:
    """The app's development codec (tests mint with it); a missing one is a wiring bug, so it fails loudly."""
    codec = getattr(request.app.state, "token_codec", None)
    if not isinstance(codec, TokenCodec):
        raise RuntimeError("app.state.token_codec must hold a TokenCodec; set it in the app factory")
    return codec


def authenticator(request: Request) -> Authenticator:
    found = getattr(request.app.state, "authenticator", None)
    if not isinstance(found, Authenticator):
        raise RuntimeError("app.state.authenticator must hold an Authenticator; set it in the app factory")
    return found


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Principal:
    """The caller, from a verified bearer token."""
    if credentials is None:
        reason = (
            "authorization header must be 'Bearer <token>'"
            if "authorization" in request.headers
            else "missing bearer token"
        )
        # RFC 6750 §3.1: a request without bearer credentials gets the bare challenge, no error code.
        raise _unauthorized(reason, challenge="Bearer")
    try:
        return await authenticator(request).principal(credentials.credentials)
    except NotKnownToRegistry as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(exc)) from exc
    except InvalidToken as exc:
        description = _NOT_ALLOWED_IN_DESCRIPTION.sub("?", exc.reason)
        raise _unauthorized(
            exc.reason, challenge=f'Bearer error="invalid_token", error_description="{description}"'
        ) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only the given roles through, and hands the principal on."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    allowed = frozenset(roles)
    message = f"requires one of the roles: {', '.join(sorted(allowed))}"

    async def principal_with_role(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=message)
        return principal

    return principal_with_role


def _unauthorized(reason: str, *, challenge: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": challenge})
