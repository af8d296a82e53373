"""The console's composition root: the pages, the sign-in, the live stream, the alert links.

The console owns no domain data. Its one table family is the server-side sessions (and sign-ins under
way); it reads and acts through the services' public APIs with the signed-in person's token, and reads
the incidents event topic with its own consumer group to tell open pages that something changed.

Concepts in layers: wording and gateway lowest, then signin, live, layout, and the pages and links on top.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI, Request

from services.console.charts.api import charts_router
from services.console.charts.queries import ChartSource
from services.console.gateway.adapters import Services
from services.console.jobs.stale_sessions import stale_sessions_job
from services.console.layout.api import install_pages
from services.console.layout.api import router as layout_router
from services.console.links.api import router as links_router
from services.console.live.api import router as live_router
from services.console.live.handlers import live_consumer
from services.console.live.service import LiveHub
from services.console.pages.api import router as pages_router
from services.console.settings import ConsoleSettings
from services.console.signin.adapters import IdentityProvider
from services.console.signin.api import Person, SignInParts, install_sign_in_redirects
from services.console.signin.api import router as signin_router
from services.console.tables import CONSOLE_METADATA
from shared.auth.identity import Identity
from shared.clock import Clock, system_clock
from shared.web import ServiceRuntime, create_service_app

DEFAULT_ISSUER = "http://127.0.0.1:8080/realms/edu-clusters"


def create_app(settings: ConsoleSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    settings = settings or ConsoleSettings()
    hub = LiveHub()
    services = Services(
        {
            "registry": settings.registry_url,
            "incidents": settings.incidents_url,
            "activities": settings.activities_url,
            "notifications": settings.notifications_url,
            "notices": settings.notices_url,
        },
        timeout_s=settings.service_timeout_s,
    )
    issuer = settings.oidc_issuer or DEFAULT_ISSUER
    provider = IdentityProvider(
        settings.oidc_internal_issuer or issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        public_issuer=issuer,
    )

    charts_client = httpx.AsyncClient(timeout=settings.service_timeout_s)

    async def chart_source(_request: Request, person: Person) -> ChartSource:
        """The charts read the services with the signed-in person's token: each shows what they may see."""
        return ChartSource(
            incidents_url=settings.incidents_url.rstrip("/"),
            activities_url=settings.activities_url.rstrip("/"),
            token=person.access_token,
            client=charts_client,
        )

    async def stop(_runtime: ServiceRuntime) -> None:
        hub.close()
        await charts_client.aclose()
        await services.close()
        await provider.close()

    app = create_service_app(
        settings,
        title="edu-clusters console",
        description="The web console where the Department, the clusters, the communes and the schools "
        "do their work: server-rendered pages over the services' public APIs.",
        metadata=CONSOLE_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            signin_router,
            layout_router,
            pages_router,
            live_router,
            links_router,
            charts_router(chart_source),
        ],
        consumers=[live_consumer(settings.live_group, hub)],
        on_shutdown=stop,
    )
    runtime: ServiceRuntime = app.state.runtime

    async def verify(token: str) -> Identity:
        oidc = runtime.authenticator.oidc
        if oidc is None:
            raise RuntimeError("the console signs people in through OIDC_ISSUER, which is not set")
        return await oidc.verify(token)

    app.state.signin = SignInParts(settings=settings, provider=provider, services=services, verify=verify)
    app.state.live_hub = hub
    install_sign_in_redirects(app)
    install_pages(app)
    runtime.add_job(
        stale_sessions_job(
            unit_of_work=runtime.messaging.unit_of_work,
            idle=timedelta(hours=settings.session_idle_hours),
            sign_in_within=timedelta(minutes=settings.sign_in_minutes),
            clock=clock,
        )
    )
    return app
