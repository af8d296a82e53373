"""Routes of the rules an administrator edits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from services.notifications.rules import service
from services.notifications.rules.models import RuleCreate, RulePublic, RuleUpdate
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row id (a 32-bit integer column)")]

router = APIRouter(prefix="/rules", tags=["rules"])
Admin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
DepartmentStaff = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER))]


@router.get("", response_model=list[RulePublic])
async def list_rules(uow: UnitOfWorkDep, _principal: DepartmentStaff) -> object:
    """Every rule, enabled or not, in the order they were added."""
    return await service.list_rules(uow=uow)


@router.post("", response_model=RulePublic, status_code=201)
async def create_rule(rule: RuleCreate, uow: UnitOfWorkDep, _admin: Admin) -> object:
    """Add a rule: an event type, its conditions, the roles to notify and the channels."""
    return await service.create_rule(uow=uow, rule=rule)


@router.patch("/{rule_id}", response_model=RulePublic)
async def update_rule(rule_id: RowId, changes: RuleUpdate, uow: UnitOfWorkDep, _admin: Admin) -> object:
    """Change a rule, or disable it (``enabled: false``)."""
    return await service.update_rule(uow=uow, rule_id=rule_id, changes=changes)


@router.get("/event-types", response_model=list[str])
async def notifiable_event_types(_principal: CurrentPrincipal) -> object:
    """The event types rules and webhook subscriptions can name."""
    return service.notifiable_event_types()
