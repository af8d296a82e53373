"""School and core-region tables, and the shapes the school API reads and writes.

The core-region table is here because a school belongs to one and may not join a full one; the regions
themselves are read and changed in regions/, above staff (a region names its core principal).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
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


class SchoolLevel(StrEnum):
    PRESCHOOL = "preschool"  # mầm non
    PRIMARY = "primary"  # tiểu học
    LOWER_SECONDARY = "lower_secondary"  # trung học cơ sở
    INTER_LEVEL = "inter_level"  # liên cấp (primary and lower secondary)
    UPPER_SECONDARY = "upper_secondary"  # trung học phổ thông (THPT)
    # Stored by name, in a column as long as the longest name: a longer one would rebuild the table.
    CONTINUING_EDU = "continuing_education"  # trung tâm giáo dục thường xuyên (GDTX)


class Ownership(StrEnum):
    PUBLIC = "public"  # công lập
    PRIVATE = "private"  # tư thục
    PEOPLE_FOUNDED = "people_founded"  # dân lập


class Boarding(StrEnum):
    NONE = "none"
    ETHNIC_BOARDING = "ethnic_boarding"  # PTDTNT: boarding school for ethnic-minority pupils
    ETHNIC_SEMI_BOARDING = "ethnic_semi_boarding"  # PTDTBT: semi-boarding


class SchoolStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    CLOSED = "closed"


class SchoolContacts(SQLModel):
    principal_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)


class SchoolBase(SchoolContacts):
    name: str = Field(min_length=1, max_length=200)
    level: SchoolLevel
    ownership: Ownership = Ownership.PUBLIC
    boarding: Boarding = Boarding.NONE
    commune_code: str = Field(min_length=1, max_length=10, foreign_key="communes.gso_code", index=True)
    status: SchoolStatus = SchoolStatus.ACTIVE
    merged_into: str | None = Field(default=None, max_length=20)
    principal_staff_code: str | None = Field(default=None, max_length=40)
    pupils: int | None = Field(default=None, ge=0, le=1_000_000)
    classes: int | None = Field(default=None, ge=0, le=1_000_000)
    teachers: int | None = Field(default=None, ge=0, le=1_000_000)
    locomotive: bool = False
    core_region_id: int | None = Field(
        default=None, foreign_key="core_regions.id", index=True, ge=1, le=2**31 - 1
    )
    sample: bool = False


class School(SchoolBase, VersionedColumns, RegistryTable, table=True):
    __tablename__ = "schools"

    code: str = Field(primary_key=True, max_length=20)
    search_name: str = Field(default="", index=True, description="The name folded for search")


def _merged_needs_target(status: SchoolStatus | None, merged_into: str | None) -> None:
    if merged_into is not None and status not in (None, SchoolStatus.MERGED):
        raise ValueError("merged_into is only for a school whose status is merged")


class SchoolCreate(SchoolBase):
    """A new school, or one row of an import."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    code: str = PydanticField(
        min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_.-]+$", description="MOET code"
    )

    # On the input only: a row stored before these checks existed must still be readable.
    _one_line = field_validator("name", "principal_name", "address")(single_line)
    _email = field_validator("email")(email_address)
    _phone = field_validator("phone")(vietnamese_phone)

    @model_validator(mode="after")
    def _merged_into_only_when_merged(self) -> SchoolCreate:
        _merged_needs_target(self.status, self.merged_into)
        if self.status is SchoolStatus.MERGED and not self.merged_into:
            raise ValueError("a merged school needs merged_into, the code of the school it joined")
        return self


class SchoolUpdate(PatchModel):
    clearable = frozenset(
        {
            "merged_into",
            "principal_staff_code",
            "principal_name",
            "phone",
            "email",
            "address",
            "pupils",
            "classes",
            "teachers",
            "core_region_id",
        }
    )

    name: SingleLine | None = PydanticField(default=None, min_length=1, max_length=200)
    level: SchoolLevel | None = None
    ownership: Ownership | None = None
    boarding: Boarding | None = None
    commune_code: str | None = PydanticField(default=None, min_length=1, max_length=10)
    status: SchoolStatus | None = None
    merged_into: str | None = PydanticField(default=None, max_length=20)
    principal_staff_code: str | None = PydanticField(default=None, max_length=40)
    principal_name: SingleLine | None = PydanticField(default=None, max_length=200)
    phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)
    email: EmailAddress | None = PydanticField(default=None, max_length=200)
    address: SingleLine | None = PydanticField(default=None, max_length=300)
    pupils: int | None = PydanticField(default=None, ge=0, le=1_000_000)
    classes: int | None = PydanticField(default=None, ge=0, le=1_000_000)
    teachers: int | None = PydanticField(default=None, ge=0, le=1_000_000)
    locomotive: bool | None = None
    core_region_id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _merged_into_only_when_merged(self) -> SchoolUpdate:
        _merged_needs_target(self.status, self.merged_into)
        return self


class SchoolPublic(SchoolBase, VersionedColumns):
    code: str
    cluster_no: int | None = PydanticField(description="The cluster of the school's commune today")


IMPORT_COLUMNS = [
    "code", "name", "level", "ownership", "boarding", "commune_code", "status", "merged_into",
    "principal_staff_code", "principal_name", "phone", "email", "address", "pupils", "classes", "teachers",
    "locomotive", "core_region_id", "sample",
]  # fmt: skip
"""The columns of a school import and export file, in order (every field of SchoolCreate)."""


class CoreRegionBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no", ge=1, le=99)
    core_principal_staff_code: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=500)


class CoreRegion(CoreRegionBase, RegistryTable, table=True):
    """A region of 5 to 10 schools whose core principal and locomotive schools lead the others."""

    __tablename__ = "core_regions"

    id: int | None = Field(default=None, primary_key=True)
