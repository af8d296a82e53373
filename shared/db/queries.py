"""Query helpers every service's lists need."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def fetch_page(
    session: AsyncSession, query: Any, *, limit: int, offset: int
) -> tuple[Sequence[Any], int]:
    """One page of the query's results and the count of all its rows, with the same filters.

    A query of one entity gives entities, a query of several columns gives tuples, as ``session.exec`` does.
    """
    total = (await session.exec(select(func.count()).select_from(query.order_by(None).subquery()))).one()
    rows = (await session.exec(query.limit(limit).offset(offset))).all()
    return rows, total
