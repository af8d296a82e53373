"""The coverage report's shapes: per commune, who would hear of an incident there at each severity."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from shared.events.notifications import DeliveryChannel


class HeardPublic(SQLModel):
    key: str = Field(
        description="The recipient key (staff:…, commune-office:…, office:<code> for an imported office, "
        "department:… for a desk's address in settings)"
    )
    name: str
    email: str | None
    phone: str | None
    channels: list[DeliveryChannel]
    roles: list[str] = Field(description="The rules' roles this person holds here")
    role_labels: list[str]
    stands_in_for: list[str] = Field(description="Roles nobody holds, for which this desk hears instead")
    stands_in_for_labels: list[str]


class SeverityCoveragePublic(SQLModel):
    severity: str
    severity_label: str
    reaches_locally: bool = Field(description="Someone of the commune's cluster or commune would hear")
    heard: list[HeardPublic]


class GapPublic(SQLModel):
    role: str = Field(description="cluster_leader, cluster_members or commune_office")
    text: str = Field(description="e.g. Cụm 1 chưa có cụm trưởng")


class CommuneCoveragePublic(SQLModel):
    commune_code: str
    commune_name: str
    cluster_no: int | None = Field(description="None: the Department directs the commune itself")
    nobody_local: bool = Field(
        description="At some severity nobody of the commune's cluster or commune would hear: only the "
        "Department's desks would"
    )
    gaps: list[GapPublic]
    severities: list[SeverityCoveragePublic] = Field(description="Most severe first")


class DeskPublic(SQLModel):
    """Who one of the Department's desks is today: the imported offices of its kind, or settings."""

    desk: str = Field(description="duty-desk, leadership or province")
    desk_label: str
    from_offices: bool = Field(description="The registry's imported offices name them (else: settings)")
    people: list[HeardPublic]


class CoveragePublic(SQLModel):
    generated_at: datetime
    desks: list[DeskPublic] = Field(
        description="Who the Department's duty desk, leadership and the province step reach, and from where"
    )
    communes: int = Field(description="Communes in the report (before nobody_local_only)")
    nobody_local: int = Field(description="Of them, those where nobody of the cluster or commune would hear")
    gaps: dict[str, int] = Field(description="How many communes miss each role")
    items: list[CommuneCoveragePublic]
