"""Routes on the catalogs: everyone reads them, a department admin edits them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from services.incidents.catalog import queries, service
from services.incidents.catalog.models import (
    CategoryCreate,
    CategoryPublic,
    CategoryUpdate,
    SeverityPublic,
    SeverityRuleCreate,
    SeverityRulePublic,
    SeverityUpdate,
)
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/catalog", tags=["catalog"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
Code = Annotated[str, Path(min_length=1, max_length=40)]


@router.get("/categories", response_model=list[CategoryPublic])
async def list_categories(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List incident categories."""
    return await queries.list_categories(uow=uow)


@router.post("/categories", response_model=CategoryPublic, status_code=status.HTTP_201_CREATED)
async def create_category(data: CategoryCreate, uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> object:
    """Add a category (department admin)."""
    return await service.create_category(uow=uow, data=data)


@router.patch("/categories/{code}", response_model=CategoryPublic)
async def update_category(
    code: Code, data: CategoryUpdate, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Change a category, or retire it with active=false (department admin)."""
    return await service.update_category(uow=uow, code=code, data=data)


@router.get("/severities", response_model=list[SeverityPublic])
async def list_severities(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List severities with their targets and escalation chains, most severe first."""
    return await queries.list_severities(uow=uow)


@router.patch("/severities/{code}", response_model=SeverityPublic)
async def update_severity(
    code: Code, data: SeverityUpdate, uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> object:
    """Change a severity's targets or escalation chain for incidents reported from now on (admin)."""
    return await service.update_severity(uow=uow, code=code, data=data)


@router.get("/rules", response_model=list[SeverityRulePublic])
async def list_rules(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """List the rules that raise a report's severity."""
    return await queries.list_rules(uow=uow)


@router.post("/rules", response_model=SeverityRulePublic, status_code=status.HTTP_201_CREATED)
async def create_rule(data: SeverityRuleCreate, uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> object:
    """Add a rule that raises severity when a count reaches a threshold (department admin)."""
    return await service.create_rule(uow=uow, data=data)


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(
    rule_id: Annotated[int, Path(ge=1, le=2**31 - 1)], uow: UnitOfWorkDep, _admin: DepartmentAdmin
) -> None:
    """Remove a severity rule (department admin)."""
    await service.delete_rule(uow=uow, rule_id=rule_id)
