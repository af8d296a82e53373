"""Office use cases: publish an office's full state (the import in bulk/ creates and changes them)."""

from __future__ import annotations

from services.registry.offices.models import Office
from services.registry.tables import full_state
from shared.db import UnitOfWork
from shared.events import OfficeStateV1


def record_office(uow: UnitOfWork, office: Office) -> None:
    uow.record(full_state(OfficeStateV1, office))
