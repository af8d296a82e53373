"""The registry's composition root: wires settings, tables, routes and seeding into one app."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry import service
from services.registry.api import router
from services.registry.models import REGISTRY_METADATA
from services.registry.seed import read_clusters, read_communes, read_old_districts
from services.registry.settings import RegistrySettings
from shared.events.topics import REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF
from shared.web import ServiceRuntime, create_service_app


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    async def seed(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await service.seed_clusters(uow=uow, seeds=read_clusters())
            async with runtime.messaging.unit_of_work() as uow:
                await service.seed_geography(
                    uow=uow, districts=read_old_districts(), communes=read_communes()
                )

    return create_service_app(
        settings,
        title="edu-clusters registry",
        description="Clusters, communes, schools and staff of Nghe An's education sector.",
        metadata=REGISTRY_METADATA,
        routers=[router],
        publishes=[REGISTRY_CLUSTERS, REGISTRY_COMMUNES, REGISTRY_SCHOOLS, REGISTRY_STAFF],
        on_startup=seed,
    )
