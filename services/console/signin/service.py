"""Sign-in, the session's life and sign-out: the use cases behind the cookie.

A sign-in is started (state, PKCE verifier and nonce kept here), finished when the provider sends the
browser back (the code exchanged for tokens, the person's scope read from the registry with their own
token), kept fresh with the refresh token, and ended (the row deleted; the provider is told too).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlmodel import col, delete

from services.console.gateway.adapters import ServiceRefused, Services, SignInRequired
from services.console.signin.adapters import IdentityProvider, ProviderRefused, ProviderUnavailable, Tokens
from services.console.signin.domain import (
    Scope,
    can_refresh,
    console_role,
    csrf_matches,
    is_idle,
    needs_refresh,
    officer_commune,
    safe_return_path,
    session_key,
)
from services.console.signin.models import ConsoleSession, PendingSignIn
from shared.auth import Role
from shared.auth.identity import Identity
from shared.auth.tokens import InvalidToken
from shared.db.unit_of_work import UnitOfWork
from shared.errors import Forbidden, Unprocessable

VerifyToken = Callable[[str], Awaitable[Identity]]


async def start_sign_in(
    uow: UnitOfWork, provider: IdentityProvider, *, return_to: str | None, redirect_uri: str, now: datetime
) -> tuple[str, str]:
    """Where to send the browser (the provider's login page for a new sign-in), and the sign-in's state
    (the browser keeps its hash in a cookie, so that only it may finish this sign-in)."""
    pending = PendingSignIn(
        state=provider.new_token(),
        code_verifier=provider.new_verifier(),
        nonce=provider.new_token(),
        return_to=safe_return_path(return_to),
        created_at=now,
    )
    where = await provider.authorization_url(  # first: a provider that does not answer leaves no row
        redirect_uri=redirect_uri, state=pending.state, verifier=pending.code_verifier, nonce=pending.nonce
    )
    uow.session.add(pending)
    await uow.commit()
    return where, pending.state


async def finish_sign_in(
    uow: UnitOfWork,
    provider: IdentityProvider,
    services: Services,
    verify: VerifyToken,
    *,
    state: str,
    code: str,
    redirect_uri: str,
    now: datetime,
    started_within: timedelta,
    replacing: str | None = None,
) -> tuple[str, str]:
    """Returns the new cookie value and where the person goes next. The session of the cookie the browser
    came with (``replacing``), if any, ends: one browser, one session (no older one left live)."""
    pending = await uow.session.get(PendingSignIn, state)
    if pending is None or now - pending.created_at > started_within:
        raise Unprocessable("this sign-in is unknown or took too long; sign in again", field="state")
    await uow.session.delete(pending)
    await uow.commit()
    try:
        tokens = await provider.exchange(
            code=code, verifier=pending.code_verifier, redirect_uri=redirect_uri, nonce=pending.nonce
        )
    except ProviderUnavailable:
        raise  # not the person's doing: try again later
    except ProviderRefused as refused:
        raise Unprocessable(str(refused), field="code") from refused
    try:
        identity = await verify(tokens.access_token)
    except InvalidToken as invalid:
        why = f"the provider's token is not valid here: {invalid.reason}"
        raise Unprocessable(why, field="code") from None
    role = console_role(identity.roles)
    if role is None:
        raise Forbidden(f"{identity.shown} has no role that works in the console")
    scope = await scope_of(services, tokens.access_token, role, staff_code=identity.staff_code)
    cookie = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id_hash=session_key(cookie),
        subject=identity.subject,
        username=identity.email or identity.subject,
        display_name=identity.name or identity.shown,
        role=role.value,
        staff_code=identity.staff_code,
        cluster_no=scope.cluster_no,
        school_code=scope.school_code,
        school_name=scope.school_name,
        commune_code=scope.commune_code,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        access_token=tokens.access_token,
        access_expires_at=now,
    )
    _keep_tokens(row, tokens, now)
    if replacing:
        previous = await uow.session.get(ConsoleSession, session_key(replacing))
        if previous is not None:
            await uow.session.delete(previous)
    uow.session.add(row)
    await uow.commit()
    return cookie, pending.return_to


async def scope_of(services: Services, token: str, role: Role, *, staff_code: str | None = None) -> Scope:
    """What the person acts for, as the registry answers them: a commune officer's commune is the one their
    own record names (a commune may have no school); the others' is told by the first school they see."""
    if role in (Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER):
        return Scope()
    if role is Role.COMMUNE_OFFICER:
        return await _commune_scope(services, token, staff_code)
    page = await services.get("registry", "/schools", token=token, limit=1)
    items = page.get("items", []) if isinstance(page, dict) else []
    if not items:
        return Scope()
    school = items[0]
    if role is Role.SCHOOL_PRINCIPAL:
        return Scope(
            cluster_no=school.get("cluster_no"),
            school_code=school.get("code"),
            school_name=school.get("name"),
            commune_code=school.get("commune_code"),
        )
    return Scope(cluster_no=school.get("cluster_no"))


async def _commune_scope(services: Services, token: str, staff_code: str | None) -> Scope:
    """The officer's own staff record (by the token's staff code; else the commune officers they see, who
    are all of their commune), then that commune's cluster."""
    if staff_code:
        try:
            person = await services.get("registry", f"/staff/{quote(staff_code, safe='')}", token=token)
        except ServiceRefused:
            person = None
    else:
        page = await services.get("registry", "/staff", token=token, role="commune_officer", limit=1)
        items = page.get("items", []) if isinstance(page, dict) else []
        person = items[0] if items else None
    commune_code = officer_commune(person)
    if commune_code is None:
        return Scope()
    commune = await services.get("registry", f"/communes/{quote(commune_code, safe='')}", token=token)
    cluster_no = commune.get("cluster_no") if isinstance(commune, dict) else None
    return Scope(commune_code=commune_code, cluster_no=cluster_no if isinstance(cluster_no, int) else None)


async def current_session(
    uow: UnitOfWork,
    provider: IdentityProvider,
    cookie: str | None,
    *,
    now: datetime,
    idle: timedelta,
    return_to: str,
) -> ConsoleSession:
    """The live session of this cookie, its access token fresh; else ``SignInRequired``."""
    if not cookie:
        raise SignInRequired(return_to)
    row = await uow.session.get(ConsoleSession, session_key(cookie))
    if row is None:
        raise SignInRequired(return_to)
    if is_idle(row.last_seen_at, now, idle):
        await uow.session.delete(row)
        await uow.commit()
        raise SignInRequired(return_to)
    if needs_refresh(row.access_expires_at, now):
        if not can_refresh(row.refresh_expires_at, now, row.refresh_token is not None):
            await uow.session.delete(row)
            await uow.commit()
            raise SignInRequired(return_to)
        assert row.refresh_token is not None
        try:
            tokens = await provider.refresh(row.refresh_token)
        except ProviderUnavailable:
            raise  # the session stays: the provider may answer on the next page
        except ProviderRefused:
            await uow.session.delete(row)
            await uow.commit()
            raise SignInRequired(return_to) from None
        _keep_tokens(row, tokens, now)
    row.last_seen_at = now
    uow.session.add(row)
    await uow.commit()
    await uow.session.refresh(row)
    uow.session.expunge(row)  # the page reads it after the unit of work is closed
    return row


async def end_session(uow: UnitOfWork, cookie: str | None, *, csrf_sent: str | None) -> str | None:
    """Deletes the session; returns its ID token (the provider's logout takes it as a hint). A live
    session ends only with its CSRF token sent back; without a session there is nothing to protect."""
    if not cookie:
        return None
    row = await uow.session.get(ConsoleSession, session_key(cookie))
    if row is None:
        return None
    if not csrf_matches(csrf_sent, row.csrf_token):
        raise Forbidden("the sign-out was not sent from this session's page", field="csrf")
    id_token = row.id_token
    await uow.session.delete(row)
    await uow.commit()
    return id_token


async def forget_stale(uow: UnitOfWork, *, now: datetime, idle: timedelta, sign_in_within: timedelta) -> int:
    """Idle sessions and abandoned sign-ins are deleted (a periodic job)."""
    gone = await uow.session.exec(delete(ConsoleSession).where(col(ConsoleSession.last_seen_at) < now - idle))
    await uow.session.exec(delete(PendingSignIn).where(col(PendingSignIn.created_at) < now - sign_in_within))
    await uow.commit()
    return int(gone.rowcount or 0)


def _keep_tokens(row: ConsoleSession, tokens: Tokens, now: datetime) -> None:
    """The provider's answer on the row; a refresh may bring no new ID token (the first one stays)."""
    row.access_token = tokens.access_token
    row.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    row.refresh_token = tokens.refresh_token
    row.refresh_expires_at = (
        now + timedelta(seconds=tokens.refresh_expires_in) if tokens.refresh_expires_in else None
    )
    if tokens.id_token is not None:
        row.id_token = tokens.id_token
