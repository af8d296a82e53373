"""Reading a link: what it was minted for, the incident it names and the state it is in.

A link that is not ours (changed, truncated, never issued) does not exist (404), the same answer for
every such link, so a forged one learns nothing; a link of ours names an incident that exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.incidents.action_links.domain import (
    ACTION_LABELS,
    LINK_ACTIONS,
    STATE_TEXTS,
    LinkState,
    state_of,
)
from services.incidents.action_links.models import ActionLinkPreview, UsedActionLink
from services.incidents.incidents.models import Incident
from services.incidents.replica.models import ReplicaMembership, ReplicaSchool, ReplicaStaff
from shared.auth.action_links import ActionClaims, ActionLinkVerifier, BadActionLink
from shared.auth.scope import PersonFacts
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.replica.people import person_facts

NOT_A_LINK = "this link does not exist: it was changed or never issued"


@dataclass(frozen=True)
class Followed:
    claims: ActionClaims
    incident: Incident
    state: LinkState
    person: PersonFacts | None


async def follow(
    *, uow: UnitOfWork, verifier: ActionLinkVerifier, token: str, now: datetime, for_update: bool = False
) -> Followed:
    try:
        claims = verifier.verify(token)
    except BadActionLink as exc:
        raise NotFound(NOT_A_LINK, field="token") from exc
    if claims.action not in LINK_ACTIONS:
        raise NotFound(NOT_A_LINK, field="token")
    incident = await uow.session.get(Incident, claims.target, with_for_update=for_update)
    if incident is None:
        raise NotFound(NOT_A_LINK, field="token")
    used = await uow.session.get(UsedActionLink, claims.jti) is not None
    person = await person_facts(uow.session, ReplicaStaff, ReplicaMembership, claims.person)
    return Followed(claims, incident, state_of(claims, used=used, now=now), person)


async def preview(
    *, uow: UnitOfWork, verifier: ActionLinkVerifier, token: str, now: datetime
) -> ActionLinkPreview:
    """What the link would do, to whom and on what, and whether it still can."""
    return await present(uow, await follow(uow=uow, verifier=verifier, token=token, now=now))


async def present(uow: UnitOfWork, followed: Followed) -> ActionLinkPreview:
    incident, claims, state = followed.incident, followed.claims, followed.state
    school = await uow.session.get(ReplicaSchool, incident.school_code) if incident.school_code else None
    # The title is free text the email never carried: shown while the link can act, never for a
    # restricted case (only its cluster leader and the Department read those, signed in).
    shows_title = state is LinkState.VALID and not incident.restricted
    return ActionLinkPreview(
        state=state,
        message=STATE_TEXTS[state],
        action=claims.action,
        action_label=ACTION_LABELS.get(claims.action, claims.action),
        expires_at=claims.expires_at,
        person_code=claims.person,
        person_name=followed.person.full_name if followed.person else None,
        incident_id=incident.id,
        reference=incident.reference,
        title=incident.title if shows_title else None,
        school_name=school.name if school else incident.school_code,
        status=incident.status,
        acknowledged_at=incident.acknowledged_at,
    )
