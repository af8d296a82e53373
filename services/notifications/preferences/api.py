"""Routes of the preferences: a person's own, and any person's for the Department's administrator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.notifications.preferences import service
from services.notifications.preferences.models import PreferencesBody, PreferencesPublic
from services.notifications.recipients.queries import person_key_of
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["preferences"])
Admin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]


@router.get("/me/preferences", response_model=PreferencesPublic)
async def my_preferences(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """The caller's channels, language, quiet hours and digest."""
    return await service.get(uow=uow, recipient_key=await person_key_of(uow=uow, subject=principal.subject))


@router.put("/me/preferences", response_model=PreferencesPublic)
async def save_my_preferences(
    body: PreferencesBody, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Save the caller's preferences."""
    key = await person_key_of(uow=uow, subject=principal.subject)
    return await service.save(uow=uow, recipient_key=key, body=body)


@router.put("/preferences/{recipient_key}", response_model=PreferencesPublic)
async def save_preferences(
    recipient_key: str, body: PreferencesBody, uow: UnitOfWorkDep, _admin: Admin
) -> object:
    """Save a person's or an office's preferences (``staff:<code>``, ``commune-office:<gso>``...)."""
    return await service.save(uow=uow, recipient_key=recipient_key, body=body)
