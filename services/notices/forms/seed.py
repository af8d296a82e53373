"""The return forms the service ships (``seed_data/``), added once if missing."""

from __future__ import annotations

import json
from pathlib import Path

from services.notices.forms.models import ReturnFormCreate

SEED_DATA = Path(__file__).resolve().parents[1] / "seed_data"
SHIPPED = ("start_of_year.json",)


def shipped_forms() -> list[ReturnFormCreate]:
    return [
        ReturnFormCreate.model_validate(json.loads((SEED_DATA / name).read_text(encoding="utf-8")))
        for name in SHIPPED
    ]
