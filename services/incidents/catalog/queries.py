"""Reads of the catalogs: what everyone may list, and the rules filing applies."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select

from services.incidents.catalog.domain import RaisingRule
from services.incidents.catalog.models import Category, Severity, SeverityRule
from shared.db import UnitOfWork


async def list_categories(*, uow: UnitOfWork) -> Sequence[Category]:
    return (await uow.session.exec(select(Category).order_by(Category.code))).all()


async def list_severities(*, uow: UnitOfWork) -> Sequence[Severity]:
    return (await uow.session.exec(select(Severity).order_by(Severity.rank))).all()  # type: ignore[arg-type]


async def list_rules(*, uow: UnitOfWork) -> Sequence[SeverityRule]:
    return (await uow.session.exec(select(SeverityRule).order_by(SeverityRule.id))).all()  # type: ignore[arg-type]


async def raising_rules(*, uow: UnitOfWork) -> list[RaisingRule]:
    return [
        RaisingRule(rule.category_code, rule.measure, rule.at_least, rule.raises_to)
        for rule in await list_rules(uow=uow)
    ]
