"""Use cases of webhook subscriptions: register (URL checked, handshake passed), list, delete."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Sequence
from datetime import datetime

import httpx
from sqlmodel import col, select

from services.notifications.rules.service import notifiable_event_types
from services.notifications.tables import new_id
from services.notifications.webhooks.domain import (
    UnsafeUrl,
    accepts,
    check_addresses,
    check_url,
    is_valid_secret,
    new_secret,
    signature_headers,
)
from services.notifications.webhooks.models import Subscription, SubscriptionCreate
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound, Unprocessable

VERIFICATION_TYPE = "webhook.verification"


async def register(
    *,
    uow: UnitOfWork,
    principal: Principal,
    request: SubscriptionCreate,
    client: httpx.AsyncClient,
    allow_private: bool,
    now: datetime,
) -> Subscription:
    """Check the URL, prove the receiver holds the secret (it must echo a signed challenge), then save."""
    url = str(request.url)
    if request.secret is not None and not is_valid_secret(request.secret):
        raise Unprocessable("the secret must be whsec_ and the base64 of 24 bytes or more", field="secret")
    for pattern in request.event_types:
        if not any(accepts([pattern], event_type) for event_type in notifiable_event_types()):
            raise Unprocessable(
                f"{pattern!r} matches no incident or activity event type", field="event_types"
            )
    try:
        host = check_url(url, allow_private=allow_private)
        if not allow_private:
            infos = await asyncio.get_running_loop().getaddrinfo(host, 443)
            check_addresses([str(info[4][0]) for info in infos])
    except UnsafeUrl as exc:
        raise Unprocessable(str(exc), field="url") from exc
    except OSError as exc:
        raise Unprocessable(f"cannot resolve {host}: {exc}", field="url") from exc
    secret = request.secret or new_secret()
    await _handshake(client, url, secret)
    subscription = Subscription(
        id=new_id(),
        owner=principal.subject,
        url=url,
        event_types=list(request.event_types),
        secret=secret,
        cluster_nos=None if principal.sees_everything else sorted(principal.scoped_clusters),
        created_at=now,
        verified_at=now,
    )
    uow.session.add(subscription)
    await uow.commit()
    await uow.session.refresh(subscription)
    return subscription


async def _handshake(client: httpx.AsyncClient, url: str, secret: str) -> None:
    """POST ``{"type": "webhook.verification", "challenge": …}``, signed; the receiver answers 2xx with the
    challenge echoed (``{"challenge": …}``), which shows the URL is one that expects our deliveries.

    A client that chose its own secret can verify the handshake's signature too; one that lets the service
    generate it learns it from the registration's answer, before any event is sent."""
    challenge = secrets.token_urlsafe(24)
    body = json.dumps({"type": VERIFICATION_TYPE, "challenge": challenge}).encode()
    message_id = f"verify_{new_id()}"
    headers = signature_headers(secret, message_id=message_id, timestamp=int(time.time()), body=body)
    try:
        response = await client.post(url, content=body, headers=headers, timeout=10.0, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise Unprocessable(
            f"the verification request failed: {type(exc).__name__}: {exc}", field="url"
        ) from exc
    try:
        echoed = response.json().get("challenge")
    except (ValueError, AttributeError):
        echoed = None
    if not (200 <= response.status_code < 300) or echoed != challenge:
        raise Unprocessable(
            f"the receiver did not echo the verification challenge (status {response.status_code})",
            field="url",
        )


async def list_for(*, uow: UnitOfWork, principal: Principal) -> Sequence[Subscription]:
    query = select(Subscription).order_by(col(Subscription.created_at))
    if not principal.is_department_staff:
        query = query.where(col(Subscription.owner) == principal.subject)
    return (await uow.session.exec(query)).all()


async def delete(*, uow: UnitOfWork, principal: Principal, subscription_id: str) -> None:
    subscription = await uow.session.get(Subscription, subscription_id)
    if subscription is None or not (principal.is_department_staff or subscription.owner == principal.subject):
        raise NotFound(f"subscription {subscription_id} does not exist", field="subscription_id")
    await uow.session.delete(subscription)
    await uow.commit()
