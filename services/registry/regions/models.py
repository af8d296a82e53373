"""The shapes the core-region API reads and writes (the table is ``schools.models.CoreRegion``)."""

from __future__ import annotations

from pydantic import ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlmodel import SQLModel

from services.registry.schools.models import CoreRegionBase, SchoolLevel
from shared.validation import FreeText, SingleLine, free_text, single_line
from shared.web.patch import PatchModel


class CoreRegionCreate(CoreRegionBase):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    _one_line = field_validator("name")(single_line)
    _text = field_validator("note")(free_text)


class CoreRegionUpdate(PatchModel):
    clearable = frozenset({"core_principal_staff_code", "note"})

    name: SingleLine | None = PydanticField(default=None, min_length=1, max_length=200)
    core_principal_staff_code: str | None = PydanticField(default=None, max_length=40)
    note: FreeText | None = PydanticField(default=None, max_length=500)


class SchoolBrief(SQLModel):
    code: str
    name: str
    level: SchoolLevel
    locomotive: bool


class CoreRegionPublic(CoreRegionBase):
    id: int
    schools: list[SchoolBrief]
    within_target_size: bool = PydanticField(description="Whether the region has 5 to 10 schools")
