"""The specialized divisions catalog: a seeded table, never an enum, because the Department reorganises."""

from __future__ import annotations

from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from services.activities.tables import ActivitiesTable
from shared.web.patch import PatchModel


class DivisionBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    active: bool = True


class Division(DivisionBase, ActivitiesTable, table=True):
    __tablename__ = "divisions"

    code: str = Field(primary_key=True, max_length=20)


class DivisionCreate(DivisionBase):
    code: str = Field(min_length=1, max_length=20, regex=r"^[A-Z0-9_-]+$")


class DivisionUpdate(PatchModel):
    name: str | None = PydanticField(default=None, min_length=1, max_length=200)
    active: bool | None = None


class DivisionPublic(DivisionBase):
    code: str
