"""Registry rules, free of I/O: how an entity changes and what the world is told about it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from shared.events import ClusterStateV1, CommuneStateV1


class Versioned(Protocol):
    """Any registry entity: its state carries a version that grows with every real change."""

    version: int
    updated_at: datetime


def apply_changes(entity: Versioned, changes: dict[str, Any], now: datetime) -> bool:
    """Apply field changes; bump the version only when something really changed. Returns whether it did."""
    changed = {name: value for name, value in changes.items() if getattr(entity, name) != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(entity, name, value)
    entity.version += 1
    entity.updated_at = now
    return True


class ClusterFields(Versioned, Protocol):
    cluster_no: int
    name: str
    office_host_unit: str
    active: bool


def cluster_state(cluster: ClusterFields) -> ClusterStateV1:
    """The full current state published on the compacted clusters topic."""
    return ClusterStateV1(
        cluster_no=cluster.cluster_no,
        name=cluster.name,
        office_host_unit=cluster.office_host_unit,
        active=cluster.active,
        version=cluster.version,
        updated_at=cluster.updated_at,
    )


class CommuneFields(Versioned, Protocol):
    gso_code: str
    name: str
    old_district_code: str
    cluster_no: int | None
    population: int | None
    area_km2: float | None
    people_committee_seat: str | None
    culture_office_email: str | None
    culture_office_phone: str | None

    @property
    def kind(self) -> str: ...


def commune_state(commune: CommuneFields, *, old_district_name: str) -> CommuneStateV1:
    """The full current state published on the compacted communes topic."""
    return CommuneStateV1(
        gso_code=commune.gso_code,
        name=commune.name,
        kind="ward" if commune.kind == "ward" else "commune",
        old_district_code=commune.old_district_code,
        old_district_name=old_district_name,
        cluster_no=commune.cluster_no,
        population=commune.population,
        area_km2=commune.area_km2,
        people_committee_seat=commune.people_committee_seat,
        culture_office_email=commune.culture_office_email,
        culture_office_phone=commune.culture_office_phone,
        version=commune.version,
        updated_at=commune.updated_at,
    )


class AssignmentFields(Protocol):
    cluster_no: int | None
    valid_from: date
    valid_to: date | None


def close_current_assignment(history: Sequence[AssignmentFields], *, effective_from: date) -> None:
    """End the open assignment the day before ``effective_from``; a move may not predate it.

    History is kept, never rewritten: a move only closes the open period and the caller opens the next.
    """
    current = [period for period in history if period.valid_to is None]
    if len(current) != 1:
        raise ValueError(f"expected one open assignment, found {len(current)}")
    if effective_from <= current[0].valid_from:
        started = current[0].valid_from.isoformat()
        raise ValueError(f"a move must take effect after {started}, when the current assignment began")
    current[0].valid_to = effective_from - timedelta(days=1)
