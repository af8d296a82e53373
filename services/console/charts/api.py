"""The console's charts as images: ``<img src="/charts/incidents-per-week.svg?weeks=12">`` on a page.

Each route reads its figures through the services' APIs with the signed-in person's token
(``queries.ChartSource``), so a chart shows exactly what that person may see. The console provides the
source; this module does not know its settings or its session. Wire it in the console's ``app.py``::

    from services.console.charts.api import charts_router
    from services.console.charts.queries import ChartSource

    async def chart_source(request: Request, session: SignedIn) -> ChartSource:  # the console's own deps
        settings = request.app.state.settings
        return ChartSource(
            incidents_url=settings.incidents_url,
            activities_url=settings.activities_url,
            token=session.access_token,
            client=request.app.state.http,
        )

    app.include_router(charts_router(chart_source))

or include ``router`` (built on the ``chart_source`` placeholder) and set
``app.dependency_overrides[chart_source] = <the console's dependency>``. A ``SourceRefused`` (a
``shared.errors.ServiceError``) carries the service's status: 401 means the person must sign in again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.console.charts import queries
from services.console.charts.domain import (
    incidents_per_week_chart,
    support_totals_chart,
    time_to_acknowledge_chart,
)
from services.console.charts.queries import ChartSource
from shared.clock import utc_now

SVG = "image/svg+xml"
# The figures are the person's own (scoped by their token): no shared cache may keep them. The image
# needs no script, and may run none even if opened on its own.
_HEADERS = {
    "Cache-Control": "private, max-age=60",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}
LangQuery = Annotated[Literal["vi", "en"], Query(description="vi (default) or en")]
WeeksQuery = Annotated[int, Query(ge=1, le=53, description="How many ISO weeks, this one last")]
SchoolYearQuery = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{4}$", description="One school year (2025-2026); all by default")
]


def chart_source() -> ChartSource:
    """Placeholder: the console app overrides it (``app.dependency_overrides``) or passes its own
    dependency to ``charts_router``."""
    raise RuntimeError("the console has not wired the charts' source (see services.console.charts.api)")


def _svg(document: str) -> Response:
    return Response(document, media_type=SVG, headers=_HEADERS)


def charts_router(source: Callable[..., ChartSource | Awaitable[ChartSource]] = chart_source) -> APIRouter:
    """The chart routes, reading through ``source``: a FastAPI dependency giving the request's source."""
    router = APIRouter(prefix="/charts", tags=["charts"])
    # A default, not an Annotated alias: annotations are read as strings in this module's globals.
    source_dependency = Depends(source)
    svg_answer: dict[int | str, dict[str, Any]] = {200: {"content": {SVG: {}}}}

    @router.get("/incidents-per-week.svg", response_class=Response, responses=svg_answer)
    async def incidents_per_week(
        chart: ChartSource = source_dependency,
        weeks: WeeksQuery = 12,
        lang: LangQuery = "vi",
        layout: Annotated[Literal["stacked", "grouped"], Query()] = "stacked",
    ) -> Response:
        """Incidents reported per week, by cluster, as an SVG bar chart."""
        figures = await queries.incidents_per_week(chart, weeks=weeks)
        return _svg(
            incidents_per_week_chart(
                figures.week_starts, figures.clusters, lang=lang, stacked=layout == "stacked"
            )
        )

    @router.get("/time-to-acknowledge.svg", response_class=Response, responses=svg_answer)
    async def time_to_acknowledge(
        chart: ChartSource = source_dependency, weeks: WeeksQuery = 12, lang: LangQuery = "vi"
    ) -> Response:
        """Median and 90th percentile minutes to acknowledge, by cluster, as an SVG chart."""
        rows = await queries.acknowledgement_times(chart, weeks=weeks, now=utc_now(), lang=lang)
        return _svg(time_to_acknowledge_chart(rows, lang=lang))

    @router.get("/support-totals.svg", response_class=Response, responses=svg_answer)
    async def support_totals(
        chart: ChartSource = source_dependency, school_year: SchoolYearQuery = None, lang: LangQuery = "vi"
    ) -> Response:
        """The support program's value by school year and kind, as an SVG bar chart."""
        figures = await queries.support_totals(chart, school_year=school_year)
        return _svg(support_totals_chart(figures.school_years, figures.kinds, lang=lang))

    return router


router = charts_router()
"""The routes on the placeholder source, for apps that wire it by ``dependency_overrides``."""
