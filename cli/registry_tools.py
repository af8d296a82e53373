"""Seeding the registry and republishing its states, for operators.

- ``seed`` goes through the registry's service layer on its own database (``DATABASE_URL``): the
  reference data (clusters, old districts, communes) and optionally labelled sample schools, recorded in
  the outbox like any change. The registry's running relay publishes them on its next sweep (or at its
  next start), so seeding works whether the service runs or not. Seeding twice changes nothing.
- ``republish`` asks the running registry over HTTP (``POST /admin/republish``) with a department-admin
  token minted from ``JWT_SECRET``: the states are recorded by the service that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from cli.kafka_tools import OperatorError
from cli.migrations import migrations_of
from services.registry.admin.service import seed_province, seed_samples
from services.registry.settings import RegistrySettings
from services.registry.tables import REGISTRY_METADATA
from shared.auth import Principal, Role
from shared.auth.mint import mint_dev_token
from shared.db import UnitOfWork, create_engine, session_factory
from shared.db.migrations import migrate_on_start
from shared.messaging import MESSAGING_METADATA
from shared.settings import Environment, ServiceSettings

OPERATOR = Principal(subject="edu-clusters-cli", role=Role.DEPARTMENT_ADMIN, name="operator CLI")


@dataclass(frozen=True)
class SeedReport:
    clusters_created: int
    communes_created: int
    sample_schools_created: int
    sample_staff_created: int


async def seed_registry(*, sample_schools: int = 0, **settings: Any) -> SeedReport:
    """The registry's own seed steps on its own database, brought to its newest migration first."""
    registry_settings = RegistrySettings(**settings)
    engine = create_engine(registry_settings.resolved_database_url)
    try:
        await migrate_on_start(
            engine,
            migrations_of("registry"),
            (MESSAGING_METADATA, REGISTRY_METADATA),
            may_upgrade=registry_settings.environment is not Environment.PRODUCTION,
            upgrade_command="edu-clusters db upgrade registry",
        )
        sessions = session_factory(engine)

        def unit_of_work() -> UnitOfWork:
            return UnitOfWork(sessions, source=f"/edu-clusters/{registry_settings.service_name}")

        seeded = await seed_province(unit_of_work=unit_of_work)
        schools = staff = 0
        if sample_schools:
            school_report, staff_report = await seed_samples(
                unit_of_work=unit_of_work, principal=OPERATOR, schools=sample_schools
            )
            schools, staff = school_report.created, staff_report.created
    finally:
        await engine.dispose()
    return SeedReport(seeded.clusters_created, seeded.communes_created, schools, staff)


async def republish_registry(registry_url: str, settings: ServiceSettings) -> dict[str, int]:
    token = mint_dev_token(
        settings,
        role=Role.DEPARTMENT_ADMIN,
        subject=OPERATOR.subject,
        name=OPERATOR.name,
        ttl=timedelta(minutes=5),
    )
    async with httpx.AsyncClient(base_url=registry_url, timeout=120) as client:
        try:
            response = await client.post("/admin/republish", headers={"Authorization": f"Bearer {token}"})
        except httpx.TransportError as exc:
            raise OperatorError(f"the registry at {registry_url} does not answer: {exc}") from exc
    if response.status_code != 202:
        raise OperatorError(f"the registry refused: HTTP {response.status_code} {response.text[:500]}")
    counts: dict[str, int] = response.json()
    return counts
