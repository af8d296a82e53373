"""Development and test only: what the local mail catcher received."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.notifications.devmail.adapters import MailCatcher
from services.notifications.devmail.models import CaughtMailPublic
from shared.auth import CurrentPrincipal
from shared.errors import NotFound

router = APIRouter(prefix="/dev", tags=["development"])


@router.get("/mail", response_model=list[CaughtMailPublic])
async def caught_mail(request: Request, _principal: CurrentPrincipal) -> object:
    """Email the local mail catcher received, oldest first (MAIL_CATCHER=true, development and tests)."""
    catcher: MailCatcher | None = request.app.state.mail_catcher
    if catcher is None:
        raise NotFound("the mail catcher is not running (set MAIL_CATCHER=true)", field="mail_catcher")
    return [mail.__dict__ for mail in catcher.messages()]
