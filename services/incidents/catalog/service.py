"""Use cases on the catalogs: seed them once, let a department admin edit them."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from services.incidents.catalog import seed
from services.incidents.catalog.models import (
    Category,
    CategoryCreate,
    CategoryUpdate,
    Severity,
    SeverityRule,
    SeverityRuleCreate,
    SeverityUpdate,
)
from services.incidents.catalog.queries import CATALOG_CHANGED
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound, Unprocessable


async def _commit_change(uow: UnitOfWork) -> None:
    """Commit a change to the catalog; what filing kept of it is forgotten once it has committed."""
    uow.wake_after_commit(CATALOG_CHANGED)
    await uow.commit()


async def seed_catalog(*, uow: UnitOfWork) -> int:
    """Create the starting catalogs if there are none yet; an edited catalog is never overwritten."""
    if (await uow.session.exec(select(Severity.code).limit(1))).first() is not None:
        return 0
    for severity in seed.SEVERITIES:
        uow.session.add(Severity(**severity))
    await uow.session.flush()
    for category in seed.CATEGORIES:
        uow.session.add(Category(**category))
    for rule in seed.RULES:
        uow.session.add(SeverityRule(**rule))
    await _commit_change(uow)
    return len(seed.CATEGORIES)


async def _require_severity(uow: UnitOfWork, code: str, *, field: str) -> None:
    if await uow.session.get(Severity, code) is None:
        raise Unprocessable(f"unknown severity {code!r}", field=field)


async def _require_category(uow: UnitOfWork, code: str, *, field: str) -> None:
    if await uow.session.get(Category, code) is None:
        raise Unprocessable(f"unknown category {code!r}", field=field)


async def create_category(*, uow: UnitOfWork, data: CategoryCreate) -> Category:
    if await uow.session.get(Category, data.code) is not None:
        raise Conflict(f"category {data.code} already exists", field="code")
    await _require_severity(uow, data.default_severity, field="default_severity")
    category = Category.model_validate(data)
    uow.session.add(category)
    await _commit_change(uow)
    return category


async def update_category(*, uow: UnitOfWork, code: str, data: CategoryUpdate) -> Category:
    category = await uow.session.get(Category, code)
    if category is None:
        raise NotFound(f"category {code} does not exist", field="code")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("default_severity") is not None:
        await _require_severity(uow, changes["default_severity"], field="default_severity")
    _apply(category, changes)
    await _commit_change(uow)
    return category


async def update_severity(*, uow: UnitOfWork, code: str, data: SeverityUpdate) -> Severity:
    """Change a severity's targets or chain; incidents already reported keep the deadlines they got."""
    severity = await uow.session.get(Severity, code)
    if severity is None:
        raise NotFound(f"severity {code} does not exist", field="code")
    changes = data.model_dump(exclude_unset=True, mode="json")
    _apply(severity, changes)
    await _commit_change(uow)
    return severity


async def create_rule(*, uow: UnitOfWork, data: SeverityRuleCreate) -> SeverityRule:
    if data.category_code is not None:
        await _require_category(uow, data.category_code, field="category_code")
    await _require_severity(uow, data.raises_to, field="raises_to")
    rule = SeverityRule.model_validate(data)
    uow.session.add(rule)
    await _commit_change(uow)
    return rule


async def delete_rule(*, uow: UnitOfWork, rule_id: int) -> None:
    rule = await uow.session.get(SeverityRule, rule_id)
    if rule is None:
        raise NotFound(f"rule {rule_id} does not exist", field="rule_id")
    await uow.session.delete(rule)
    await _commit_change(uow)


def _apply(entity: Any, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if value is not None:
            setattr(entity, name, value)
