"""The charts' figures, read from the services' public HTTP APIs with the signed-in person's token.

The console owns no domain data: what a chart shows is what the person may see through the APIs (a
cluster leader's charts show their cluster), because the services scope every answer by the token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from services.console.charts.domain import AcknowledgementTimes, Lang, cluster_label
from shared.clock import VIETNAM
from shared.errors import ServiceError

KINDS = ("money", "goods", "equipment", "professional", "training")


@dataclass(frozen=True)
class ChartSource:
    """Where the services answer and whose token to call them with; the console builds one per request
    (from its settings and the person's session) and keeps ``client`` for the app's lifetime."""

    incidents_url: str
    activities_url: str
    token: str
    client: httpx.AsyncClient


class SourceRefused(ServiceError):
    """A service refused the call made on the person's behalf, or did not answer; its status is passed on
    (401: the person's token expired and they must sign in again; 502: the service is unreachable)."""

    def __init__(self, status_code: int, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status_code = status_code


async def _get(source: ChartSource, base_url: str, path: str, params: Mapping[str, Any]) -> Any:
    url = f"{base_url.rstrip('/')}{path}"
    try:
        answer = await source.client.get(
            url, params={k: v for k, v in params.items() if v is not None}, headers=_bearer(source)
        )
    except httpx.HTTPError as error:
        raise SourceRefused(502, f"{path} did not answer: {type(error).__name__}") from error
    if answer.status_code >= 500:
        raise SourceRefused(502, f"{path} failed with {answer.status_code}")
    if answer.status_code >= 400:
        body = _json_or_empty(answer)
        raise SourceRefused(
            answer.status_code, str(body.get("detail", answer.reason_phrase)), field=body.get("field")
        )
    return answer.json()


def _bearer(source: ChartSource) -> dict[str, str]:
    return {"Authorization": f"Bearer {source.token}", "Accept": "application/json"}


def _json_or_empty(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@dataclass(frozen=True)
class WeeklyFigures:
    week_starts: list[date]
    clusters: list[tuple[int | None, list[int]]]


async def incidents_per_week(source: ChartSource, *, weeks: int) -> WeeklyFigures:
    """Incidents per ISO week and cluster, from incidents' ``/reports/weekly-by-cluster``."""
    body = await _get(source, source.incidents_url, "/reports/weekly-by-cluster", {"weeks": weeks})
    return WeeklyFigures(
        week_starts=[date.fromisoformat(day) for day in body["week_starts"]],
        clusters=[(row["cluster_no"], list(row["counts"])) for row in body["clusters"]],
    )


def weeks_since(now: datetime, weeks: int) -> datetime:
    """Monday 00:00 in Vietnam of the first of the last ``weeks`` ISO weeks: the same window as the weekly
    counts, so the two incident charts speak of the same period."""
    today = now.astimezone(VIETNAM).date()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    return datetime.combine(first, time.min, VIETNAM)


async def acknowledgement_times(
    source: ChartSource, *, weeks: int, now: datetime, lang: Lang = "vi"
) -> list[AcknowledgementTimes]:
    """Median and 90th percentile minutes to acknowledge per cluster, from incidents' statistics."""
    since = weeks_since(now, weeks).isoformat()
    rows = await _get(
        source, source.incidents_url, "/reports/statistics", {"group_by": "cluster", "since": since}
    )

    def cluster_of(group: str) -> int | None:
        return int(group) if group.isdigit() else None

    ordered = sorted(rows, key=lambda row: (cluster_of(row["group"]) is None, cluster_of(row["group"]) or 0))
    return [
        AcknowledgementTimes(
            group=cluster_label(cluster_of(row["group"]), lang),
            median=row["acknowledge_median_minutes"],
            p90=row["acknowledge_p90_minutes"],
        )
        for row in ordered
    ]


@dataclass(frozen=True)
class SupportFigures:
    school_years: list[str]
    kinds: list[tuple[str, list[int]]]
    """Per kind of contribution with any value, its VND per school year (in ``school_years``' order)."""


async def support_totals(source: ChartSource, *, school_year: str | None = None) -> SupportFigures:
    """The support program's value per school year and kind, from activities' ``/support/totals``: one
    call for the years, then one per year for its kinds, side by side."""
    by_year = await _get(
        source, source.activities_url, "/support/totals", {"by": "school_year", "school_year": school_year}
    )
    years = sorted(line["group"] for line in by_year)
    per_year = await asyncio.gather(
        *(
            _get(source, source.activities_url, "/support/totals", {"by": "kind", "school_year": year})
            for year in years
        )
    )
    value = [{line["group"]: int(line["value_vnd"]) for line in lines} for lines in per_year]
    seen = {kind for year in value for kind in year}
    kinds = [(kind, [year.get(kind, 0) for year in value]) for kind in (*KINDS, *sorted(seen - set(KINDS)))]
    return SupportFigures(school_years=years, kinds=[(kind, values) for kind, values in kinds if any(values)])
