"""Routes of delivery status: per source event, per person, and one delivery with its attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.notifications.deliveries import queries
from services.notifications.deliveries.domain import DeliveryState
from services.notifications.deliveries.models import DeliveryDetail, DeliveryPublic, EventStatus
from services.notifications.recipients.queries import person_key_of
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.errors import NotFound
from shared.events.notifications import DeliveryChannel
from shared.web import UnitOfWorkDep
from shared.web.pagination import Page, PageDep

router = APIRouter(tags=["deliveries"])
DepartmentStaff = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER))]


@router.get("/events/{event_id}/deliveries", response_model=EventStatus)
async def event_status(event_id: str, uow: UnitOfWorkDep, _staff: DepartmentStaff) -> object:
    """Every delivery one source event caused, and how many are in each state."""
    return await queries.event_status(uow=uow, event_id=event_id)


@router.get("/deliveries", response_model=Page[DeliveryPublic])
async def list_deliveries(
    uow: UnitOfWorkDep,
    _staff: DepartmentStaff,
    page: PageDep,
    recipient_key: str | None = None,
    source_event_id: str | None = None,
    subject: str | None = None,
    state: DeliveryState | None = None,
    channel: DeliveryChannel | None = None,
) -> object:
    """Deliveries, newest first, filtered by person, source event, its subject (``incident/<id>``)..."""
    rows, total = await queries.list_deliveries(
        uow=uow,
        limit=page.limit,
        offset=page.offset,
        recipient_key=recipient_key,
        source_event_id=source_event_id,
        subject=subject,
        state=state,
        channel=channel,
    )
    return page.page(rows, total)


@router.get("/me/deliveries", response_model=Page[DeliveryPublic])
async def my_deliveries(uow: UnitOfWorkDep, principal: CurrentPrincipal, page: PageDep) -> object:
    """What was sent to the caller, on every channel, and where each stands."""
    me = await person_key_of(uow=uow, subject=principal.subject)
    rows, total = await queries.list_deliveries(
        uow=uow, limit=page.limit, offset=page.offset, recipient_key=me
    )
    return page.page(rows, total)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail)
async def delivery_detail(delivery_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """One delivery with its attempt log; visible to the Department and to its recipient."""
    row, detail = await queries.delivery_detail(uow=uow, delivery_id=delivery_id)
    if not principal.is_department_staff and row.recipient_key != await person_key_of(
        uow=uow, subject=principal.subject
    ):
        raise NotFound(f"delivery {delivery_id} does not exist", field="delivery_id")
    return detail
