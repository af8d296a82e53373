"""The base of every partial update (PATCH body): a field left out keeps its value, ``null`` clears it.

Only fields whose column may be empty can be cleared; a ``null`` for any other is a 422 naming the field,
not a NOT NULL violation (a 500) at commit. Each update model lists what it may clear in ``clearable``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class PatchModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise ValueError(f"{info.field_name} cannot be null; leave it out to keep the current value")
        return value
