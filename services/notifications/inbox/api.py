"""Routes of the caller's own inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from services.notifications.inbox import service
from services.notifications.inbox.models import InboxItemPublic, UnreadCount
from services.notifications.recipients.queries import person_key_of
from shared.auth import CurrentPrincipal
from shared.clock import Clock
from shared.web import UnitOfWorkDep
from shared.web.pagination import Page, PageDep

RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row id (a 32-bit integer column)")]

router = APIRouter(prefix="/me/inbox", tags=["inbox"])


async def _me(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> str:
    return await person_key_of(uow=uow, subject=principal.subject)


Me = Annotated[str, Depends(_me)]


@router.get("", response_model=Page[InboxItemPublic])
async def list_inbox(uow: UnitOfWorkDep, me: Me, page: PageDep, unread_only: bool = False) -> object:
    """The caller's inbox, newest first."""
    items, total = await service.list_items(
        uow=uow, recipient_key=me, unread_only=unread_only, limit=page.limit, offset=page.offset
    )
    return page.page(items, total)


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(uow: UnitOfWorkDep, me: Me) -> object:
    """How many of the caller's inbox items are unread."""
    return UnreadCount(unread=await service.unread_count(uow=uow, recipient_key=me))


@router.post("/{item_id}/read", response_model=InboxItemPublic)
async def mark_read(item_id: RowId, request: Request, uow: UnitOfWorkDep, me: Me) -> object:
    """Mark one item read."""
    clock: Clock = request.app.state.clock
    return await service.mark_read(uow=uow, recipient_key=me, item_id=item_id, now=clock())


@router.post("/read-all", status_code=204)
async def mark_all_read(request: Request, uow: UnitOfWorkDep, me: Me) -> Response:
    """Mark every item read."""
    clock: Clock = request.app.state.clock
    await service.mark_all_read(uow=uow, recipient_key=me, now=clock())
    return Response(status_code=204)
