"""Using a link: the action it names, once, as the person it was sent to, exactly as the API does it.

The acknowledgement is the lifecycle's own (``incidents.service.transition``): the same timeline entry,
escalations cancelled and events in the outbox; the entry says it came from the link, and who used it.
The link's id is recorded in the same unit of work, so it acts once; a refusal (410, 403, 409) records
nothing.
"""

from __future__ import annotations

from datetime import datetime

from services.incidents.action_links.domain import (
    LINK_ACTIONS,
    LinkState,
    awaiting_acknowledgement,
    link_principal,
    refuse_unless_valid,
    timeline_detail,
)
from services.incidents.action_links.models import ActionLinkPreview, UsedActionLink
from services.incidents.action_links.queries import follow, present
from services.incidents.incidents import service as incidents
from services.incidents.metrics import IncidentMetrics
from shared.auth.action_links import ActionLinkVerifier
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork


async def use(
    *,
    uow: UnitOfWork,
    verifier: ActionLinkVerifier,
    token: str,
    now: datetime,
    metrics: IncidentMetrics | None = None,
) -> ActionLinkPreview:
    followed = await follow(uow=uow, verifier=verifier, token=token, now=now, for_update=True)
    refuse_unless_valid(followed.state)
    claims = followed.claims
    principal = link_principal(
        followed.person, followed.incident, staff_code=claims.person, today=today_in_vietnam(now)
    )
    awaiting_acknowledgement(followed.incident)
    uow.session.add(
        UsedActionLink(
            jti=claims.jti,
            incident_id=claims.target,
            staff_code=claims.person,
            action=claims.action,
            via=claims.via,
            used_at=now,
        )
    )
    incident = await incidents.transition(
        uow=uow,
        principal=principal,
        incident_id=claims.target,
        action=LINK_ACTIONS[claims.action],
        reason=None,
        now=now,
        metrics=metrics,
        detail=timeline_detail(principal, via=claims.via),
    )
    return await present(uow, followed.__class__(claims, incident, LinkState.USED, followed.person))
