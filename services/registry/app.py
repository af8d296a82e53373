"""The registry's composition root: wires settings, tables, routes, seeding and the moves scheduler."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI

from services.registry.admin import service as admin_service
from services.registry.admin.api import router as admin_router
from services.registry.bulk.api import router as bulk_router
from services.registry.clusters.api import router as clusters_router
from services.registry.communes import service as communes_service
from services.registry.communes.api import router as communes_router
from services.registry.schema import REGISTRY_METADATA
from services.registry.schools.api import router as schools_router
from services.registry.seed import read_clusters, read_communes, read_old_districts
from services.registry.settings import RegistrySettings
from services.registry.staff.api import router as staff_router
from shared.auth import Principal, Role
from shared.clock import today_in_vietnam
from shared.events.topics import REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF
from shared.jobs import PeriodicJob
from shared.web import ServiceRuntime, create_service_app

log = logging.getLogger(__name__)

SEEDER = Principal(subject="registry-seeder", role=Role.DEPARTMENT_ADMIN, name="start-up seeding")


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    async def seed(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await admin_service.seed_clusters(uow=uow, seeds=read_clusters())
            async with runtime.messaging.unit_of_work() as uow:
                await admin_service.seed_geography(
                    uow=uow, districts=read_old_districts(), communes=read_communes()
                )
        if settings.sample_schools:
            async with runtime.messaging.unit_of_work() as uow:
                schools, staff = await admin_service.load_samples(
                    uow=uow, principal=SEEDER, schools=settings.sample_schools, seed=2025
                )
            log.info("sample data: %d schools and %d staff created", schools.created, staff.created)

    app = create_service_app(
        settings,
        title="edu-clusters registry",
        description="Clusters, communes, schools and staff of Nghe An's education sector.",
        metadata=REGISTRY_METADATA,
        migrations=Path(__file__).parent / "migrations",
        # bulk first: its /schools/export and /staff/export must win over /schools/{code} and /staff/{code}
        routers=[clusters_router, communes_router, bulk_router, schools_router, staff_router, admin_router],
        publishes=[REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF],
        on_startup=seed,
    )
    runtime: ServiceRuntime = app.state.runtime

    async def apply_due_moves() -> bool:
        """Moves of communes dated ahead take effect on their day (Vietnam's calendar)."""
        async with runtime.messaging.unit_of_work() as uow:
            await communes_service.apply_due_moves(uow=uow, today=today_in_vietnam())
        return False

    runtime.add_job(
        PeriodicJob("due-commune-moves", apply_due_moves, interval_s=settings.due_moves_interval_s)
    )
    return app
