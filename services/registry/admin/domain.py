"""Clearly labelled sample schools and staff for demos and benchmarks (no public list of schools exists).

Every generated school has a code starting ``MAU`` (mẫu: sample), a name ending "(mẫu)" and ``sample``
set, so it can never be mistaken for a real one. Schools are spread over communes by population, levels
in roughly the province's proportions; the same seed always gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LEVEL_SHARES = {"preschool": 0.37, "primary": 0.33, "lower_secondary": 0.26, "inter_level": 0.04}
LEVEL_NAMES = {
    "preschool": "Trường Mầm non",
    "primary": "Trường Tiểu học",
    "lower_secondary": "Trường THCS",
    "inter_level": "Trường TH và THCS",
}
PUPILS = {
    "preschool": (120, 420),
    "primary": (250, 950),
    "lower_secondary": (250, 1100),
    "inter_level": (300, 900),
}
MOUNTAIN_CLUSTERS = {1, 2, 3}  # where boarding schools for ethnic-minority pupils are common
SUBJECTS = ["Toán", "Ngữ văn", "Tiếng Anh", "Khoa học tự nhiên", "Lịch sử và Địa lí", "Tin học"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Hồ", "Thái", "Lô", "Vi"]
MIDDLE = ["Văn", "Thị", "Đình", "Hữu", "Xuân", "Thanh", "Minh", "Ngọc"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Lan", "Long", "Mai", "Nam", "Phúc", "Sơn", "Tâm"]
SAMPLE_SEED = 2025
"""The seed the start-up, the operator CLI and the API use unless told otherwise: the same data everywhere."""


@dataclass(frozen=True)
class CommuneForSamples:
    gso_code: str
    name: str
    population: int | None
    cluster_no: int | None


def sample_rows(
    communes: Sequence[CommuneForSamples], *, schools: int, seed: int = SAMPLE_SEED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for the school and staff importers: ``schools`` schools, a principal each, some core teachers."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    weights = [commune.population or 1 for commune in communes]
    levels, shares = zip(*LEVEL_SHARES.items(), strict=True)
    school_rows: list[dict[str, Any]] = []
    staff_rows: list[dict[str, Any]] = []
    count_in: dict[tuple[str, str], int] = {}
    for index, commune in enumerate(rng.choices(communes, weights=weights, k=schools), start=1):
        level = rng.choices(levels, weights=shares)[0]
        place = commune.name.removeprefix("Xã ").removeprefix("Phường ")
        count_in[(commune.gso_code, level)] = number = count_in.get((commune.gso_code, level), 0) + 1
        pupils = rng.randint(*PUPILS[level])
        classes = max(1, pupils // (25 if level == "preschool" else 33))
        code = f"MAU{index:05d}"
        principal = _person_name(rng)
        boarding = "none"
        if commune.cluster_no in MOUNTAIN_CLUSTERS and level in ("primary", "lower_secondary", "inter_level"):
            boarding = rng.choices(["none", "ethnic_semi_boarding", "ethnic_boarding"], weights=[80, 16, 4])[
                0
            ]
        school_rows.append(
            {
                "code": code,
                "name": f"{LEVEL_NAMES[level]} {place} {number} (mẫu)",
                "level": level,
                "ownership": "public" if rng.random() < 0.95 else "private",
                "boarding": boarding,
                "commune_code": commune.gso_code,
                "principal_name": principal,
                "phone": f"0238{rng.randint(1000000, 9999999)}",
                "email": f"{code.lower()}@mau.nghean.edu.vn",
                "pupils": pupils,
                "classes": classes,
                "teachers": round(classes * (1.9 if level == "preschool" else 1.5)),
                "sample": True,
            }
        )
        staff_rows.append(
            {
                "code": f"{code}-HT",
                "full_name": principal,
                "roles": ["principal"],
                "school_code": code,
                "email": f"hieutruong.{code.lower()}@mau.nghean.edu.vn",
                "sample": True,
            }
        )
        if level != "preschool" and rng.random() < 0.1:
            staff_rows.append(
                {
                    "code": f"{code}-GV1",
                    "full_name": _person_name(rng),
                    "roles": ["teacher", "core_teacher"],
                    "school_code": code,
                    "teaching_subject": rng.choice(SUBJECTS),
                    "sample": True,
                }
            )
    return school_rows, staff_rows


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
