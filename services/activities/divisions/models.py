"""The specialized divisions catalog: a seeded table, never an enum, because the Department reorganises."""

from __future__ import annotations

from pydantic import Field as PydanticField
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from services.activities.tables import ActivitiesTable
from shared.validation import SingleLine, single_line
from shared.web.patch import PatchModel


class DivisionBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    active: bool = True


class Division(DivisionBase, ActivitiesTable, table=True):
    __tablename__ = "divisions"

    code: str = Field(primary_key=True, max_length=20)


class DivisionCreate(DivisionBase):
    code: str = PydanticField(min_length=1, max_length=20, pattern=r"^[A-Z0-9_-]+$")

    _one_line = field_validator("name")(single_line)


class DivisionUpdate(PatchModel):
    name: SingleLine | None = PydanticField(default=None, min_length=1, max_length=200)
    active: bool | None = None


class DivisionPublic(DivisionBase):
    code: str
