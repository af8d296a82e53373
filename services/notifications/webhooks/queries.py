"""Reads of webhook subscriptions: a caller's own, and every active one (which the fan-out keeps and
filters with ``domain.subscriptions_for``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.notifications.webhooks.models import Subscription
from shared.auth import Principal
from shared.db import UnitOfWork

SUBSCRIPTIONS_CHANGED = "notifications.subscriptions-changed"
"""The wake-up signal of a committed change to a subscription: the fan-out forgets those it kept."""


async def list_for(*, uow: UnitOfWork, principal: Principal) -> Sequence[Subscription]:
    query = select(Subscription).order_by(col(Subscription.created_at))
    if not principal.is_department_staff:
        query = query.where(col(Subscription.owner) == principal.subject)
    return (await uow.session.exec(query)).all()


async def active_subscriptions(uow: UnitOfWork) -> tuple[Subscription, ...]:
    """Every active subscription, as copies that belong to no session: what the fan-out keeps
    (``shared.db.kept``)."""
    query = select(Subscription).where(col(Subscription.active)).order_by(col(Subscription.created_at))
    return tuple(
        Subscription.model_validate(row.model_dump()) for row in (await uow.session.exec(query)).all()
    )
