"""Seeding the registry and republishing its states, for operators.

- ``seed`` goes through the registry's service layer on its own database (``DATABASE_URL``): the
  reference data (clusters, old districts, communes) and optionally labelled sample schools, recorded in
  the outbox like any change. The registry's running relay publishes them on its next sweep (or at its
  next start), so seeding works whether the service runs or not. Seeding twice changes nothing.
- ``republish`` asks the running registry over HTTP (``POST /admin/republish``) with a department-admin
  token minted from ``JWT_SECRET``: the states are recorded by the service that owns them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from cli.kafka_tools import OperatorError
from shared.auth import Principal, Role
from shared.auth.mint import mint_dev_token
from shared.db import UnitOfWork, create_engine, create_schema, session_factory
from shared.messaging import MESSAGING_METADATA
from shared.settings import ServiceSettings

OPERATOR = Principal(subject="edu-clusters-cli", role=Role.DEPARTMENT_ADMIN, name="operator CLI")


@dataclass(frozen=True)
class SeedReport:
    clusters_created: int
    communes_created: int
    sample_schools_created: int
    sample_staff_created: int


async def seed_registry(*, sample_schools: int = 0, **settings: Any) -> SeedReport:
    # The registry's modules are imported when seeding is asked for, not when the CLI starts.
    # TODO(merge): REGISTRY_METADATA is services.registry.tables' once the registry has the shape. And with
    # the registry's migrations, create_schema would make its tables without a revision, so the registry
    # would then refuse the database ("made before migrations existed"): bring it to head with
    # shared.db.migrations.migrate_on_start(engine, <registry migrations>, ..., may_upgrade=...) instead.
    from services.registry.schema import REGISTRY_METADATA
    from services.registry.settings import RegistrySettings

    registry_settings = RegistrySettings(**settings)
    engine = create_engine(registry_settings.resolved_database_url)
    try:
        await create_schema(engine, MESSAGING_METADATA, REGISTRY_METADATA)
        sessions = session_factory(engine)

        def unit_of_work() -> UnitOfWork:
            return UnitOfWork(sessions, source=f"/edu-clusters/{registry_settings.service_name}")

        report = await _seed_through_registry(unit_of_work, sample_schools=sample_schools)
    finally:
        await engine.dispose()
    return report


async def _seed_through_registry(
    unit_of_work: Callable[[], UnitOfWork], *, sample_schools: int
) -> SeedReport:
    """The registry's seed sequence: clusters, then old districts and communes, then sample schools.

    TODO(merge): call the registry's own seed function (the one its start-up seeding uses) instead of
    repeating its sequence here; this is the only place the CLI knows the registry's seed steps.
    """
    from services.registry.admin import service as admin_service
    from services.registry.seed import read_clusters, read_communes, read_old_districts

    async with unit_of_work() as uow:
        clusters = await admin_service.seed_clusters(uow=uow, seeds=read_clusters())
    async with unit_of_work() as uow:
        communes = await admin_service.seed_geography(
            uow=uow, districts=read_old_districts(), communes=read_communes()
        )
    schools = staff = 0
    if sample_schools:
        async with unit_of_work() as uow:
            school_report, staff_report = await admin_service.load_samples(
                uow=uow, principal=OPERATOR, schools=sample_schools, seed=2025
            )
        schools, staff = school_report.created, staff_report.created
    return SeedReport(clusters, communes, schools, staff)


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
