"""One shape for every paginated list: the items, the total that matched, and where the page starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

Item = TypeVar("Item")

MAX_OFFSET = 10_000_000
"""Deeper than any list here goes; a larger offset is a 422, not an integer overflow in the database."""


class PageParams(BaseModel):
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def page(self, items: Sequence[Any], total: int) -> dict[str, Any]:
        """The body of a ``Page`` response for these items (the route's response model validates it)."""
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


async def _page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="How many items at most")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many matching items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(_page_params)]


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int = Field(description="How many items match the filters, over all pages")
    limit: int
    offset: int
