"""Reads of the catalogs: what everyone may list, and the catalog filing applies (kept once per process)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

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


CATALOG_CHANGED = "incidents-catalog-changed"
"""The wake-up signal of a committed change to a category, a severity or a severity rule."""


@dataclass(frozen=True)
class CatalogSnapshot:
    """The catalog at one moment. Its rows are copies that belong to no session: read them, never change
    them (every request of the process shares them)."""

    categories: Mapping[str, Category]
    severities: Mapping[str, Severity]
    """By code, the most severe (rank 1) first."""
    rules: tuple[RaisingRule, ...]

    @cached_property
    def rank_of(self) -> dict[str, int]:
        return {code: severity.rank for code, severity in self.severities.items()}


async def read_catalog(uow: UnitOfWork) -> CatalogSnapshot:
    """The whole catalog, as copies that belong to no session: what filing keeps (``shared.db.kept``); each
    change to the catalog wakes ``CATALOG_CHANGED`` after its commit, and the service forgets it."""
    categories = {c.code: Category.model_validate(c.model_dump()) for c in await list_categories(uow=uow)}
    severities = {s.code: Severity.model_validate(s.model_dump()) for s in await list_severities(uow=uow)}
    return CatalogSnapshot(
        categories=MappingProxyType(categories),
        severities=MappingProxyType(severities),
        rules=tuple(await raising_rules(uow=uow)),
    )
