"""Routes of webhook subscriptions, for integration clients and the Department."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from services.notifications.webhooks import queries, service
from services.notifications.webhooks.models import SubscriptionCreate, SubscriptionCreated, SubscriptionPublic
from shared.auth import Principal, Role, require_roles
from shared.clock import Clock
from shared.settings import Environment
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/webhooks/subscriptions", tags=["webhooks"])
Subscriber = Annotated[
    Principal, Depends(require_roles(Role.INTEGRATION_CLIENT, Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER))
]


@router.post("", response_model=SubscriptionCreated, status_code=201)
async def subscribe(
    request: Request, body: SubscriptionCreate, uow: UnitOfWorkDep, principal: Subscriber
) -> object:
    """Subscribe a URL to event types; the receiver must echo a verification challenge first."""
    clock: Clock = request.app.state.clock
    settings = request.app.state.runtime.settings
    return await service.register(
        uow=uow,
        principal=principal,
        request=body,
        webhook_channel=request.app.state.webhook_channel,
        allow_private=settings.environment in (Environment.DEVELOPMENT, Environment.TEST),
        now=clock(),
    )


@router.get("", response_model=list[SubscriptionPublic])
async def list_subscriptions(uow: UnitOfWorkDep, principal: Subscriber) -> object:
    """The caller's subscriptions (the Department sees all), with whether each is still active."""
    return await queries.list_for(uow=uow, principal=principal)


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: str, uow: UnitOfWorkDep, principal: Subscriber) -> Response:
    """Delete a subscription; deliveries already planned for it fail as disabled."""
    await service.delete(uow=uow, principal=principal, subscription_id=subscription_id)
    return Response(status_code=204)
