"""What a template can use: the event's JSON, and names the event only has as codes. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.notifications.recipients.domain import EventFacts
from services.notifications.templates.domain import SEVERITY_LABELS, Language
from shared.clock import VIETNAM


def event_context(
    facts: EventFacts,
    payload: Mapping[str, Any],
    *,
    school_name: str | None = None,
    commune_name: str | None = None,
) -> dict[str, Any]:
    """The part of the context every recipient shares; kept with the source event for rendering later."""
    local = facts.occurred_at.astimezone(VIETNAM)
    return {
        "event_type": facts.event_type,
        "event": dict(payload),
        "reference": facts.reference or "",
        "severity": facts.severity or "",
        "restricted": facts.restricted,
        "cluster_nos": list(facts.cluster_nos),
        "school": {"code": facts.school_code, "name": school_name or facts.school_code}
        if facts.school_code
        else None,
        "commune": (
            {"code": facts.commune_code, "name": commune_name or facts.commune_code}
            if facts.commune_code
            else None
        ),
        "occurred_at": local.isoformat(),
        "occurred_at_local": local.strftime("%H:%M %d/%m/%Y"),
    }


def recipient_context(base: Mapping[str, Any], *, recipient_name: str, language: Language) -> dict[str, Any]:
    severity = str(base.get("severity") or "")
    return {
        **base,
        "recipient": {"name": recipient_name},
        "language": language.value,
        "severity_label": SEVERITY_LABELS[language].get(severity, severity),
    }


def parse_time(raw: str) -> datetime:
    return datetime.fromisoformat(raw)
