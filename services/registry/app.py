"""The registry's composition root: wires settings, tables, routes, seeding, the moves scheduler, and the
people a signed-in caller's scope is read from (the registry's own staff and memberships).

The concepts, lowest first (each imports only those before it): clusters, communes, access, schools,
staff, memberships, moves, regions, summaries, offices, bulk, admin, figures (the school-year figures that
schools' returns report, consumed from notices.events).
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI

from services.registry.admin.api import router as admin_router
from services.registry.admin.service import seed_demo_people, seed_province, seed_samples
from services.registry.bulk.api import router as bulk_router
from services.registry.clusters.api import router as clusters_router
from services.registry.communes.api import router as communes_router
from services.registry.figures.api import router as figures_router
from services.registry.figures.handlers import figures_consumer
from services.registry.jobs.commune_moves import commune_moves_job
from services.registry.memberships.api import router as memberships_router
from services.registry.moves.api import router as moves_router
from services.registry.offices.api import router as offices_router
from services.registry.regions.api import router as regions_router
from services.registry.schools.api import router as schools_router
from services.registry.settings import RegistrySettings
from services.registry.staff.api import router as staff_router
from services.registry.staff.queries import person_lookup
from services.registry.summaries.api import router as summaries_router
from services.registry.tables import REGISTRY_METADATA
from shared.auth import Principal, Role
from shared.events.topics import (
    REGISTRY_CLUSTERS,
    REGISTRY_COMMUNES,
    REGISTRY_OFFICES,
    REGISTRY_SCHOOLS,
    REGISTRY_STAFF,
)
from shared.web import ServiceRuntime, create_service_app

log = logging.getLogger(__name__)

# In this order: bulk before schools, offices and staff, so that its /schools/export, /offices/export and
# /staff/export win over /schools/{code}, /offices/{code} and /staff/{code}; the rest as when memberships,
# summaries, moves and regions were part of the clusters, communes and schools routers (the OpenAPI document
# keeps its order).
ROUTERS = [
    clusters_router,
    summaries_router,
    memberships_router,
    communes_router,
    moves_router,
    bulk_router,
    offices_router,
    schools_router,
    regions_router,
    staff_router,
    admin_router,
    figures_router,
]

SEEDER = Principal(subject="registry-seeder", role=Role.DEPARTMENT_ADMIN, name="start-up seeding")


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    async def seed(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            await seed_province(unit_of_work=runtime.messaging.unit_of_work)
        if settings.sample_schools:
            schools, staff = await seed_samples(
                unit_of_work=runtime.messaging.unit_of_work, principal=SEEDER, schools=settings.sample_schools
            )
            log.info("sample data: %d schools and %d staff created", schools.created, staff.created)
        if settings.seed_demo_people:
            created = await seed_demo_people(unit_of_work=runtime.messaging.unit_of_work, principal=SEEDER)
            if created:
                log.info("demo people created: %s", ", ".join(created))

    app = create_service_app(
        settings,
        title="edu-clusters registry",
        description="Clusters, communes, schools and staff of Nghe An's education sector.",
        metadata=REGISTRY_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=ROUTERS,
        publishes=[REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF, REGISTRY_OFFICES],
        consumers=[figures_consumer],
        on_startup=seed,
        people=person_lookup,
    )
    runtime: ServiceRuntime = app.state.runtime
    runtime.add_job(
        commune_moves_job(
            unit_of_work=runtime.messaging.unit_of_work, interval_s=settings.due_moves_interval_s
        )
    )
    return app
