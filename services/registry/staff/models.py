"""The staff table, and the shapes the staff API reads and writes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Dialect, TypeDecorator
from sqlmodel import Field, SQLModel

from services.registry.tables import RegistryTable, VersionedColumns
from shared.validation import (
    EmailAddress,
    SingleLine,
    VietnamesePhone,
    email_address,
    single_line,
    vietnamese_phone,
)
from shared.web.patch import PatchModel


class StaffRole(StrEnum):
    PRINCIPAL = "principal"
    VICE_PRINCIPAL = "vice_principal"
    TEACHER = "teacher"
    CORE_PRINCIPAL = "core_principal"  # leads a core region's schools
    CORE_TEACHER = "core_teacher"  # leads a subject in the cluster
    DEPARTMENT_OFFICIAL = "department_official"
    COMMUNE_OFFICER = "commune_officer"  # Office of Culture and Social Affairs


def split_roles(value: Any) -> Any:
    """A CSV cell lists roles separated by ';'; JSON and the API send a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


class RoleList(TypeDecorator[list[StaffRole]]):
    """Roles stored as a JSON list of names, read back as StaffRole members (not bare strings)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: list[StaffRole] | None, dialect: Dialect) -> list[str] | None:
        return None if value is None else [str(role) for role in value]

    def process_result_value(self, value: list[str] | None, dialect: Dialect) -> list[StaffRole] | None:
        return None if value is None else [StaffRole(role) for role in value]


class StaffBase(SQLModel):
    full_name: str = Field(min_length=1, max_length=200)
    roles: list[StaffRole] = Field(
        default_factory=list, sa_type=RoleList, min_length=1, max_length=len(StaffRole)
    )
    school_code: str | None = Field(default=None, max_length=20, foreign_key="schools.code", index=True)
    commune_code: str | None = Field(default=None, max_length=10, foreign_key="communes.gso_code", index=True)
    unit_name: str | None = Field(default=None, max_length=300)
    teaching_subject: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    active: bool = True
    sample: bool = False


class Staff(StaffBase, VersionedColumns, RegistryTable, table=True):
    __tablename__ = "staff"

    code: str = Field(primary_key=True, max_length=40)
    search_name: str = Field(default="", index=True, description="The name folded for search")


class StaffCreate(StaffBase):
    """A new person, or one row of an import."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    code: str = PydanticField(
        min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$", description="Staff code"
    )

    _split_roles = field_validator("roles", mode="before")(split_roles)
    # On the input only: a row stored before these checks existed must still be readable.
    _one_line = field_validator("full_name", "unit_name", "teaching_subject")(single_line)
    _email = field_validator("email")(email_address)
    _phone = field_validator("phone")(vietnamese_phone)

    @field_validator("roles")
    @classmethod
    def _roles_once(cls, roles: list[StaffRole]) -> list[StaffRole]:
        return sorted(set(roles), key=roles.index)


class StaffUpdate(PatchModel):
    clearable = frozenset({"school_code", "commune_code", "unit_name", "teaching_subject", "email", "phone"})

    full_name: SingleLine | None = PydanticField(default=None, min_length=1, max_length=200)
    roles: list[StaffRole] | None = PydanticField(default=None, min_length=1, max_length=len(StaffRole))
    school_code: str | None = PydanticField(default=None, max_length=20)
    commune_code: str | None = PydanticField(default=None, max_length=10)
    unit_name: SingleLine | None = PydanticField(default=None, max_length=300)
    teaching_subject: SingleLine | None = PydanticField(default=None, max_length=100)
    email: EmailAddress | None = PydanticField(default=None, max_length=200)
    phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)
    active: bool | None = None

    _split_roles = field_validator("roles", mode="before")(split_roles)


class StaffPublic(StaffBase, VersionedColumns):
    code: str


IMPORT_COLUMNS = [
    "code", "full_name", "roles", "school_code", "commune_code", "unit_name", "teaching_subject", "email",
    "phone", "active", "sample",
]  # fmt: skip
"""The columns of a staff import and export file, in order (every field of StaffCreate)."""
