"""Reads the province's reference data shipped with the registry (see seed_data/SOURCES.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SEED_DIR = Path(__file__).parent / "seed_data"


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
