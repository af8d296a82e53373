"""What the incidents routes need besides a unit of work and a principal: the clock, settings, metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request

from services.incidents.metrics import IncidentMetrics
from services.incidents.settings import IncidentsSettings


def now(request: Request) -> datetime:
    """The app's clock (injected, so tests can move time)."""
    moment: datetime = request.app.state.clock()
    return moment


def incidents_settings(request: Request) -> IncidentsSettings:
    settings: IncidentsSettings = request.app.state.runtime.settings
    return settings


def incident_metrics(request: Request) -> IncidentMetrics:
    metrics: IncidentMetrics = request.app.state.incident_metrics
    return metrics


Now = Annotated[datetime, Depends(now)]
SettingsDep = Annotated[IncidentsSettings, Depends(incidents_settings)]
MetricsDep = Annotated[IncidentMetrics, Depends(incident_metrics)]
IncidentId = Annotated[str, Path(min_length=1, max_length=36, description="The incident's id")]
