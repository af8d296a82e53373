"""The office table and the shapes its API and import read and write."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from services.registry.tables import RegistryTable, VersionedColumns
from shared.validation import EmailAddress, SingleLine, VietnamesePhone


class OfficeKind(StrEnum):
    DEPARTMENT_OFFICE = "department_office"  # Văn phòng Sở
    DEPARTMENT_DIVISION = "department_division"  # a specialized division (phòng chuyên môn)
    DEPARTMENT_LEADERSHIP = "department_leadership"  # Ban Giám đốc Sở
    PROVINCE = "province"  # the province-level recipient (Văn phòng UBND tỉnh) the last escalation reaches


class OfficeBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OfficeKind
    duty_contact: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    active: bool = True


class Office(OfficeBase, VersionedColumns, RegistryTable, table=True):
    __tablename__ = "offices"

    code: str = Field(primary_key=True, max_length=40)


class OfficePublic(OfficeBase, VersionedColumns):
    code: str


IMPORT_COLUMNS = ["code", "name", "kind", "duty_contact", "email", "phone", "active"]


class OfficeRow(BaseModel):
    """One row of an offices import: a known code updates that office (an empty cell keeps its value)."""

    model_config = ConfigDict(extra="forbid")

    code: str = PydanticField(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: SingleLine = PydanticField(min_length=1, max_length=200)
    kind: OfficeKind
    duty_contact: SingleLine | None = PydanticField(default=None, max_length=200)
    email: EmailAddress | None = PydanticField(default=None, max_length=200)
    phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)
    active: bool = True
