"""Events the registry publishes: the full current state of each entity, on compacted topics.

Each state carries a ``version`` that grows with every change, so a replica can refuse to step back if a
retried publish delivers an older state after a newer one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import EventPayload, event_type
from shared.events.topics import (
    REGISTRY_CLUSTERS,
    REGISTRY_COMMUNES,
    REGISTRY_OFFICES,
    REGISTRY_SCHOOLS,
    REGISTRY_STAFF,
)


@event_type("registry.cluster.v1", topic=REGISTRY_CLUSTERS, key="cluster_no")
class ClusterStateV1(EventPayload):
    """A professional cluster as the registry holds it now."""

    cluster_no: int = Field(ge=1, description="The cluster's number, 1 to 5 today")
    name: str
    office_host_unit: str = Field(description="The unit hosting the cluster's office")
    active: bool = True
    leader_staff_code: str | None = Field(default=None, description="The current leader's staff code")
    version: int = Field(ge=1, description="Grows by one with every change of this cluster")
    updated_at: datetime


@event_type("registry.commune.v1", topic=REGISTRY_COMMUNES, key="gso_code")
class CommuneStateV1(EventPayload):
    """A commune or ward (commune-level unit since July 2025) as the registry holds it now.

    ``cluster_no`` is None for the communes the Department directs itself (no cluster).
    """

    gso_code: str = Field(description="General Statistics Office code of the unit")
    name: str
    kind: Literal["commune", "ward"]
    old_district_code: str = Field(description="GSO code of the district-level unit it was formed from")
    old_district_name: str
    cluster_no: int | None = Field(default=None, ge=1)
    population: int | None = Field(default=None, ge=0)
    area_km2: float | None = Field(default=None, ge=0)
    people_committee_seat: str | None = None
    people_committee_head: str | None = Field(default=None, description="Chairman of the People's Committee")
    people_committee_email: str | None = None
    people_committee_phone: str | None = None
    culture_office_head: str | None = Field(
        default=None, description="Head of the Office of Culture and Social Affairs"
    )
    culture_office_email: str | None = None
    culture_office_phone: str | None = None
    version: int = Field(ge=1)
    updated_at: datetime


def is_newer(incoming_version: int, stored_version: int | None) -> bool:
    """Whether a replica should apply a state: only one newer than what it holds.

    A relay that retries may deliver an old state after a newer one; compaction may also hand a new
    consumer only the latest. Versions make both harmless.
    """
    return stored_version is None or incoming_version > stored_version


SchoolLevel = Literal["preschool", "primary", "lower_secondary", "inter_level"]
SchoolStatus = Literal["active", "merged", "closed"]


@event_type("registry.school.v1", topic=REGISTRY_SCHOOLS, key="code")
class SchoolStateV1(EventPayload):
    """A school as the registry holds it now; a school deleted by mistake is a tombstone on its key.

    ``cluster_no`` is the cluster of the school's commune at the time of the event: when a commune moves,
    the registry publishes its schools again, so a consumer may route by this field alone.
    """

    code: str = Field(description="The school's MOET code, its id everywhere")
    name: str
    level: SchoolLevel
    ownership: Literal["public", "private", "people_founded"] = "public"
    boarding: Literal["none", "ethnic_boarding", "ethnic_semi_boarding"] = Field(
        default="none", description="Boarding type for ethnic-minority pupils (PTDTNT / PTDTBT)"
    )
    commune_code: str = Field(description="GSO code of the school's commune or ward")
    cluster_no: int | None = Field(default=None, ge=1, description="None: the Department directs it")
    status: SchoolStatus = "active"
    merged_into: str | None = Field(default=None, description="For a merged school, the code it joined")
    principal_staff_code: str | None = None
    principal_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    pupils: int | None = Field(default=None, ge=0)
    classes: int | None = Field(default=None, ge=0)
    teachers: int | None = Field(default=None, ge=0)
    locomotive: bool = Field(default=False, description="A 'locomotive' school of its core region")
    core_region_id: int | None = None
    sample: bool = Field(default=False, description="Generated demo data, not a real school")
    version: int = Field(ge=1)
    updated_at: datetime


SchoolLevelV2 = Literal[
    "preschool", "primary", "lower_secondary", "inter_level", "upper_secondary", "continuing_education"
]


@event_type("registry.school.v2", topic=REGISTRY_SCHOOLS, key="code")
class SchoolStateV2(SchoolStateV1):
    """A school whose level ``registry.school.v1`` cannot name: an upper-secondary school (THPT) or a
    continuing-education centre (GDTX), since the Department directs "from kindergarten to high school".

    v1's levels are a closed enum its consumers may check, so a school of a new level is this type, on the
    same topic and key; every other school stays v1 (a consumer of v2 reads v1 too, the same fields). A v1
    consumer skips this type, as the consumer guide says of types it does not know, and so never holds a
    school of a level it cannot name. A tombstone stays ``registry.school.v1``.
    """

    level: SchoolLevelV2  # type: ignore[assignment]


V1_SCHOOL_LEVELS = frozenset(SchoolLevel.__args__)  # type: ignore[attr-defined]


class ClusterMembershipV1(BaseModel):
    """One period of a person's membership of a cluster."""

    model_config = ConfigDict(frozen=True)

    cluster_no: int = Field(ge=1)
    role: Literal["leader", "member", "unit_representative"]
    valid_from: date
    valid_to: date | None = None


@event_type("registry.staff.v1", topic=REGISTRY_STAFF, key="code")
class StaffStateV1(EventPayload):
    """A person the registry knows, with contacts, roles and cluster memberships (current and past)."""

    code: str = Field(description="The person's staff code, their id everywhere")
    full_name: str
    roles: list[str] = Field(
        description="principal, vice_principal, teacher, core_principal, core_teacher, "
        "department_official, commune_officer"
    )
    school_code: str | None = Field(default=None, description="The school the person works at, if any")
    commune_code: str | None = Field(default=None, description="For a commune officer, the commune")
    unit_name: str | None = Field(default=None, description="Workplace outside schools, e.g. a division")
    teaching_subject: str | None = Field(default=None, description="For core teachers, the subject they lead")
    email: str | None = None
    phone: str | None = None
    active: bool = True
    memberships: list[ClusterMembershipV1] = Field(default_factory=list)
    sample: bool = False
    version: int = Field(ge=1)
    updated_at: datetime


OfficeKind = Literal["department_office", "department_division", "department_leadership", "province"]


@event_type("registry.office.v1", topic=REGISTRY_OFFICES, key="code")
class OfficeStateV1(EventPayload):
    """A Department office (its Office, a specialized division, its leadership) or the province-level
    recipient the last escalation step reaches (the Provincial People's Committee's office), with the duty
    contact who answers for it."""

    code: str = Field(description="The office's code, its id everywhere (e.g. van-phong-so, ubnd-tinh)")
    name: str
    kind: OfficeKind
    duty_contact: str | None = Field(default=None, description="Who is on duty for the office")
    email: str | None = None
    phone: str | None = None
    active: bool = True
    version: int = Field(ge=1)
    updated_at: datetime
