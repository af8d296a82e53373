"""Reads the province's reference data shipped with the registry (see seed_data/SOURCES.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SEED_DIR = Path(__file__).parents[1] / "seed_data"


@dataclass(frozen=True)
class ClusterSeed:
    cluster_no: int
    name: str
    office_host_unit: str


def read_clusters(path: Path = SEED_DIR / "nghean_clusters.csv") -> list[ClusterSeed]:
    """The 5 clusters; the file's last row sums the communes in no cluster and is not a cluster."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            ClusterSeed(int(row["cluster_no"]), row["cluster_name_vi"], row["office_host_unit"])
            for row in csv.DictReader(handle)
            if row["cluster_no"].isdigit()
        ]


# The reform took effect on 1 July 2025: the first cluster assignments date from then.
REFORM_DATE = date(2025, 7, 1)


@dataclass(frozen=True)
class OldDistrictSeed:
    gso_code: str
    name: str
    kind: str
    cluster_no: int | None
    note: str | None


# The unit's type is the first words of its official name.
DISTRICT_KINDS = {"Thành phố": "city", "Thị xã": "town", "Huyện": "district"}


def district_kind(name: str) -> str:
    return next(kind for prefix, kind in DISTRICT_KINDS.items() if name.startswith(prefix + " "))


@dataclass(frozen=True)
class CommuneSeed:
    gso_code: str
    name: str
    kind: str
    old_district_name: str
    cluster_no: int | None
    population: int | None
    area_km2: float | None
    people_committee_seat: str | None


def read_old_districts(path: Path = SEED_DIR / "nghean_old_districts.csv") -> list[OldDistrictSeed]:
    """The 20 district-level units of 2025 and the former Cua Lo (merged into Vinh on 2025-01-01)."""
    with path.open(encoding="utf-8", newline="") as handle:
        seeds = []
        for row in csv.DictReader(handle):
            name, _, note = row["old_district_name"].partition(" (")
            cluster = row["cluster_no"]
            seeds.append(
                OldDistrictSeed(
                    row["old_district_code_gso"], name, district_kind(name),
                    int(cluster) if cluster.isdigit() else None,
                    note.rstrip(")") or None,
                )
            )  # fmt: skip
        return seeds


def read_communes(path: Path = SEED_DIR / "nghean_communes_2025.csv") -> list[CommuneSeed]:
    """The 130 commune-level units: 119 communes (Xã) and 11 wards (Phường)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            CommuneSeed(
                gso_code=row["new_code_gso"],
                name=row["new_name"],
                kind="ward" if row["type"] == "Phường" else "commune",
                old_district_name=row["old_district"],
                cluster_no=int(row["cluster_no"]) if row["cluster_no"].isdigit() else None,
                population=int(row["population"]) if row["population"] else None,
                area_km2=float(row["area_km2"]) if row["area_km2"] else None,
                people_committee_seat=row["admin_center"] or None,
            )
            for row in csv.DictReader(handle)
        ]


# Demo people for a local run (RegistrySettings.seed_demo_people, never in production): the same staff
# codes, emails and names as the identity provider's demo users, so that each of them signs in and acts
# for what the registry says. A cluster's people serve cluster 1; the school and commune are in it.
DEMO_EMAIL_DOMAIN = "demo.edu-clusters.vn"
DEMO_CLUSTER = 1
DEMO_COMMUNE = "16813"  # Xã Mường Xén (former Kỳ Sơn district), in cluster 1


@dataclass(frozen=True)
class DemoSchoolSeed:
    code: str
    name: str
    level: str
    commune_code: str


DEMO_SCHOOL = DemoSchoolSeed("MAU-DEMO-01", "Trường Tiểu học Mường Xén (mẫu, demo)", "primary", DEMO_COMMUNE)
"""Made only when no sample school of the demo cluster exists; labelled as sample data like them."""


@dataclass(frozen=True)
class DemoPersonSeed:
    code: str
    username: str
    full_name: str
    roles: tuple[str, ...]
    membership: str | None = None
    """leader or member of the demo cluster"""
    at_demo_school: bool = False
    """the principal of the demo school"""
    at_demo_commune: bool = False
    """an officer of the demo school's commune"""

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"


DEMO_PEOPLE = (
    DemoPersonSeed("DEMO-SO-ADMIN", "admin.so", "Nguyễn Văn Hùng", ("department_official",)),
    DemoPersonSeed("DEMO-SO-CB", "canbo.so", "Trần Thị Mai", ("department_official",)),
    DemoPersonSeed(
        "DEMO-C1-LEAD", "cumtruong.1", "Lê Văn Thành", ("department_official",), membership="leader"
    ),
    DemoPersonSeed(
        "DEMO-C1-MEM", "thanhvien.1", "Phạm Thị Hương", ("department_official",), membership="member"
    ),
    DemoPersonSeed("DEMO-HT-001", "hieutruong.mau", "Hoàng Văn Nam", ("principal",), at_demo_school=True),
    DemoPersonSeed("DEMO-XA-001", "canbo.xa", "Võ Thị Lan", ("commune_officer",), at_demo_commune=True),
)
