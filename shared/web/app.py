"""Builds a service's FastAPI app the same way for every service: the composition root's common half.

A service hands over its settings, tables, routers, consumer groups and a start-up hook; it gets back an
app with auth, metrics, health, trace propagation, API and AsyncAPI pages that render offline
(``shared.web.api_docs``) and the messaging lifecycle wired in, request bodies bounded per route
(``shared.web.limits``), unknown query parameters refused (``shared.web.strict``) and one error body for
every refusal, as its OpenAPI document declares
(``shared.web.errors``, ``shared.web.openapi``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth.authenticator import PersonLookup
from shared.auth.people_cache import PEOPLE_CHANGED
from shared.db import create_engine, ping, session_factory
from shared.db.migrations import migrate_on_start
from shared.events.topics import TopicSpec
from shared.messaging import MESSAGING_METADATA, EventConsumer, Messaging
from shared.observability import ServiceMetrics, TraceContextMiddleware, configure_logging, health_router
from shared.observability.exporter import configure_tracing
from shared.settings import Environment, ServiceSettings
from shared.web.api_docs import mount_vendor_assets, swagger_router
from shared.web.asyncapi import asyncapi_router
from shared.web.errors import install_error_handlers
from shared.web.identity import IdentityParts
from shared.web.limits import BodyLimitMiddleware, BodyLimits
from shared.web.openapi import install_openapi
from shared.web.runtime import ServiceRuntime
from shared.web.startup_heap import freeze_startup_heap
from shared.web.strict import refuse_unknown_query_parameters

PeopleLookupFactory = Callable[[async_sessionmaker[AsyncSession]], PersonLookup]
"""Given the service's sessions, finds a person in its registry replica (scope comes from there)."""
StartupHook = Callable[[ServiceRuntime], Awaitable[None]]
ShutdownHook = Callable[[ServiceRuntime], Awaitable[None]]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    metadata: MetaData,
    migrations: Path,
    routers: Sequence[APIRouter] = (),
    publishes: Sequence[TopicSpec] = (),
    consumers: Sequence[EventConsumer] = (),
    on_startup: StartupHook | None = None,
    on_shutdown: ShutdownHook | None = None,
    people: PeopleLookupFactory | None = None,
    version: str = "0.1.0",
) -> FastAPI:
    configure_logging(settings.service_name)
    spans = configure_tracing(
        settings.service_name, settings.otel_exporter_otlp_endpoint, environment=settings.environment
    )
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    metrics = ServiceMetrics()
    identity = IdentityParts(settings, people(sessions) if people is not None else None)
    messaging = Messaging(
        settings,
        engine=engine,
        sessions=sessions,
        metrics_registry=metrics.registry,
        publishes=publishes,
        consumers=consumers,
    )
    if identity.people is not None:
        messaging.wakeups.on(PEOPLE_CHANGED, identity.people.clear)
    runtime = ServiceRuntime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        messaging=messaging,
        metrics=metrics,
        token_codec=identity.codec,
        authenticator=identity.authenticator,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await migrate_on_start(
            engine,
            migrations,
            (MESSAGING_METADATA, metadata),
            may_upgrade=settings.environment is not Environment.PRODUCTION,
            upgrade_command=f"edu-clusters db upgrade {settings.service_name}",
        )
        await identity.start()
        await messaging.start()
        try:
            if on_startup is not None:
                await on_startup(runtime)
            for job in runtime.jobs:
                job.start()
            freeze_startup_heap()
            try:
                yield
            finally:
                await asyncio.gather(*(job.stop() for job in runtime.jobs))
                if on_shutdown is not None:
                    await on_shutdown(runtime)
        finally:
            await messaging.stop()
            await identity.close()
            await engine.dispose()
            spans.shutdown()

    # Every route, the ones included below too, refuses a query parameter it does not declare.
    # FastAPI's own /docs and /redoc load their viewers from CDNs: /docs comes from vendored files instead.
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        dependencies=[Depends(refuse_unknown_query_parameters)],
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.token_codec = runtime.token_codec
    app.state.authenticator = runtime.authenticator
    install_error_handlers(app)
    limits = BodyLimits(settings.max_body_bytes)
    # Inside the latency middleware: it resolves the route template this one looks its limit up by.
    app.add_middleware(BodyLimitMiddleware, limits=limits)
    metrics.instrument(app)
    app.add_middleware(TraceContextMiddleware)
    checks = {"database": lambda: ping(engine), "kafka": messaging.ping}
    if identity.oidc is not None:
        checks["identity_provider"] = identity.ready
    app.include_router(health_router(checks))
    mount_vendor_assets(app)
    app.include_router(swagger_router(title=title))
    app.include_router(
        asyncapi_router(messaging.broker, title=f"{title} events", version=version, description=description)
    )
    for router in routers:
        app.include_router(router)
    limits.learn(app.routes, settings)
    install_openapi(app, limits)
    return app
