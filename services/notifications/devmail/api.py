"""Development and test only: what the local mail catcher received."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.notifications.devmail.adapters import MailCatcher
from services.notifications.devmail.models import CaughtMailPublic
from shared.auth import Principal, Role, require_roles
from shared.errors import NotFound

router = APIRouter(prefix="/dev", tags=["development"])

# Every email goes through the catcher, restricted cases included: only those who may read them all may.
DepartmentStaff = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER))]


@router.get(
    "/mail",
    response_model=list[CaughtMailPublic],
    responses={404: {"description": "The mail catcher is not running"}},
)
async def caught_mail(request: Request, _staff: DepartmentStaff) -> object:
    """Email the local mail catcher received, oldest first (department staff; MAIL_CATCHER=true)."""
    catcher: MailCatcher | None = request.app.state.mail_catcher
    if catcher is None:
        raise NotFound("the mail catcher is not running (set MAIL_CATCHER=true)", field="mail_catcher")
    return [mail.__dict__ for mail in catcher.messages()]
