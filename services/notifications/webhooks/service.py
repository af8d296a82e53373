"""Use cases of webhook subscriptions: register (URL checked, handshake passed), delete, and disable one
whose receiver answered 410 Gone."""

from __future__ import annotations

from datetime import datetime

from services.notifications.rules.service import notifiable_event_types
from services.notifications.tables import new_id
from services.notifications.webhooks.adapters import WebhookChannel
from services.notifications.webhooks.domain import (
    UnsafeUrl,
    accepts,
    check_url,
    is_valid_secret,
    new_secret,
)
from services.notifications.webhooks.models import Subscription, SubscriptionCreate
from services.notifications.webhooks.queries import SUBSCRIPTIONS_CHANGED
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound, Unprocessable


async def register(
    *,
    uow: UnitOfWork,
    principal: Principal,
    request: SubscriptionCreate,
    webhook_channel: WebhookChannel,
    allow_private: bool,
    now: datetime,
) -> Subscription:
    """Check the URL, prove the receiver holds the secret (it must echo a signed challenge), then save.

    The name's addresses are checked by the handshake's own connection (``webhooks.adapters``), the one
    lookup, as they are again by every delivery's."""
    url = str(request.url)
    if request.secret is not None and not is_valid_secret(request.secret):
        raise Unprocessable("the secret must be whsec_ and the base64 of 24 bytes or more", field="secret")
    for pattern in request.event_types:
        if not any(accepts([pattern], event_type) for event_type in notifiable_event_types()):
            raise Unprocessable(
                f"{pattern!r} matches no incident, activity or notice event type", field="event_types"
            )
    try:
        check_url(url, allow_private=allow_private)
    except UnsafeUrl as exc:
        raise Unprocessable(str(exc), field="url") from exc
    secret = request.secret or new_secret()
    await webhook_channel.verify_receiver(url, secret)
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
    uow.wake_after_commit(SUBSCRIPTIONS_CHANGED)
    await uow.commit()
    await uow.session.refresh(subscription)
    return subscription


async def delete(*, uow: UnitOfWork, principal: Principal, subscription_id: str) -> None:
    subscription = await uow.session.get(Subscription, subscription_id)
    if subscription is None or not (principal.is_department_staff or subscription.owner == principal.subject):
        raise NotFound(f"subscription {subscription_id} does not exist", field="subscription_id")
    await uow.session.delete(subscription)
    uow.wake_after_commit(SUBSCRIPTIONS_CHANGED)
    await uow.commit()


async def disable_gone(*, uow: UnitOfWork, subscription_id: str, now: datetime) -> None:
    """The receiver answered 410 Gone: nothing more is sent to it (in the caller's unit of work)."""
    subscription = await uow.session.get(Subscription, subscription_id)
    if subscription is not None and subscription.active:
        subscription.active = False
        subscription.disabled_reason = f"the receiver answered 410 Gone at {now.isoformat()}"
        uow.session.add(subscription)
        uow.wake_after_commit(SUBSCRIPTIONS_CHANGED)
