"""The shape of a move of a commune to another cluster."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from shared.dates import RecordDate


class CommuneMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster_no: int | None = PydanticField(ge=1, le=99, description="The new cluster; null: the Department")
    effective_from: RecordDate = PydanticField(
        description="From this day incidents there route to the new cluster"
    )
