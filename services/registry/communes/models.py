"""Old district, commune and assignment tables, and the shapes the commune API reads and writes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from services.registry.tables import RegistryTable, VersionedColumns
from shared.dates import record_date
from shared.validation import (
    EmailAddress,
    SingleLine,
    VietnamesePhone,
    email_address,
    single_line,
    vietnamese_phone,
)
from shared.web.patch import PatchModel


class CommuneKind(StrEnum):
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường


class DistrictKind(StrEnum):
    CITY = "city"  # thành phố
    TOWN = "town"  # thị xã
    DISTRICT = "district"  # huyện


class OldDistrict(RegistryTable, table=True):
    """A district-level unit abolished in July 2025; communes keep the link for history and statistics."""

    __tablename__ = "old_districts"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=200)
    kind: DistrictKind
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no")
    note: str | None = Field(default=None, max_length=300)


class OldDistrictPublic(SQLModel):
    gso_code: str
    name: str
    kind: DistrictKind
    cluster_no: int | None
    note: str | None


class CommuneContacts(SQLModel):
    people_committee_seat: str | None = Field(default=None, max_length=300)
    people_committee_head: str | None = Field(default=None, max_length=200, description="Its chairman")
    people_committee_email: str | None = Field(default=None, max_length=200)
    people_committee_phone: str | None = Field(default=None, max_length=50)
    culture_office_head: str | None = Field(default=None, max_length=200)
    culture_office_email: str | None = Field(default=None, max_length=200)
    culture_office_phone: str | None = Field(default=None, max_length=50)


class CommuneBase(CommuneContacts):
    name: str = Field(min_length=1, max_length=200)
    kind: CommuneKind
    population: int | None = Field(default=None, ge=0, le=100_000_000)
    area_km2: float | None = Field(default=None, ge=0, le=100_000)


class Commune(CommuneBase, VersionedColumns, RegistryTable, table=True):
    """A commune or ward; ``cluster_no`` is its current cluster (None: directed by the Department)."""

    __tablename__ = "communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    search_name: str = Field(default="", index=True, description="The name folded for search")
    old_district_code: str = Field(foreign_key="old_districts.gso_code", index=True)
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no", index=True)


class CommuneCreate(CommuneBase):
    gso_code: str = PydanticField(min_length=1, max_length=10, pattern=r"^[0-9]+$")
    old_district_code: str = Field(min_length=1, max_length=10)
    cluster_no: int | None = Field(default=None, ge=1, le=99)
    assigned_from: date = Field(description="The day the commune came into its cluster")

    # On the input only: a row stored before these checks existed must still be readable.
    _dated = field_validator("assigned_from")(record_date)
    _one_line = field_validator(
        "name", "people_committee_seat", "people_committee_head", "culture_office_head"
    )(single_line)
    _email = field_validator("people_committee_email", "culture_office_email")(email_address)
    _phone = field_validator("people_committee_phone", "culture_office_phone")(vietnamese_phone)


class CommuneUpdate(PatchModel):
    """Name, figures and contacts; the cluster changes only through a move, which keeps the history."""

    clearable = frozenset(
        {
            "population",
            "area_km2",
            "people_committee_seat",
            "people_committee_head",
            "people_committee_email",
            "people_committee_phone",
            "culture_office_head",
            "culture_office_email",
            "culture_office_phone",
        }
    )

    name: SingleLine | None = PydanticField(default=None, min_length=1, max_length=200)
    population: int | None = PydanticField(default=None, ge=0, le=100_000_000)
    area_km2: float | None = PydanticField(default=None, ge=0, le=100_000)
    people_committee_seat: SingleLine | None = PydanticField(default=None, max_length=300)
    people_committee_head: SingleLine | None = PydanticField(default=None, max_length=200)
    people_committee_email: EmailAddress | None = PydanticField(default=None, max_length=200)
    people_committee_phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)
    culture_office_head: SingleLine | None = PydanticField(default=None, max_length=200)
    culture_office_email: EmailAddress | None = PydanticField(default=None, max_length=200)
    culture_office_phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)


CONTACT_COLUMNS = [
    "commune_code",
    "people_committee_seat",
    "people_committee_head",
    "people_committee_email",
    "people_committee_phone",
    "culture_office_head",
    "culture_office_email",
    "culture_office_phone",
]
"""The columns of a commune contacts file (import and export): the commune by its GSO code, then the
contacts of its People's Committee and of its Office of Culture and Social Affairs."""


class CommuneContactsRow(BaseModel):
    """One row of a contacts import: an empty cell keeps the contact the registry has."""

    model_config = ConfigDict(extra="forbid")

    commune_code: str = PydanticField(min_length=1, max_length=10, pattern=r"^[0-9]+$")
    people_committee_seat: SingleLine | None = PydanticField(default=None, max_length=300)
    people_committee_head: SingleLine | None = PydanticField(default=None, max_length=200)
    people_committee_email: EmailAddress | None = PydanticField(default=None, max_length=200)
    people_committee_phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)
    culture_office_head: SingleLine | None = PydanticField(default=None, max_length=200)
    culture_office_email: EmailAddress | None = PydanticField(default=None, max_length=200)
    culture_office_phone: VietnamesePhone | None = PydanticField(default=None, max_length=50)


class CommunePublic(CommuneBase, VersionedColumns):
    gso_code: str
    old_district_code: str
    cluster_no: int | None


class CommuneAssignmentPublic(SQLModel):
    cluster_no: int | None
    valid_from: date
    valid_to: date | None


class CommuneAssignment(RegistryTable, table=True):
    """Which cluster a commune belonged to and when: the Department moves communes, history must show it."""

    __tablename__ = "commune_assignments"

    id: int | None = Field(default=None, primary_key=True)
    commune_code: str = Field(foreign_key="communes.gso_code", index=True)
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no")
    valid_from: date
    valid_to: date | None = None
