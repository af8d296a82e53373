"""The catalog as filing reads it: every category, severity and raising rule, read once per process and
kept until a department admin changes it (``shared.db.kept``).

Each change to the catalog wakes ``CATALOG_CHANGED`` after its commit; the service then forgets what it
kept, here and in its other instances.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from services.incidents.catalog.domain import RaisingRule
from services.incidents.catalog.models import Category, Severity
from services.incidents.catalog.queries import list_categories, list_severities, raising_rules
from shared.db import UnitOfWork

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

    @property
    def rank_of(self) -> dict[str, int]:
        return {code: severity.rank for code, severity in self.severities.items()}


async def read_catalog(uow: UnitOfWork) -> CatalogSnapshot:
    categories = {c.code: Category.model_validate(c.model_dump()) for c in await list_categories(uow=uow)}
    severities = {s.code: Severity.model_validate(s.model_dump()) for s in await list_severities(uow=uow)}
    return CatalogSnapshot(
        categories=MappingProxyType(categories),
        severities=MappingProxyType(severities),
        rules=tuple(await raising_rules(uow=uow)),
    )
