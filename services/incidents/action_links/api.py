"""The one-click links of the report's emails and SMS: no bearer token, the signed link is the credential.

The console's ``/act/{token}`` page reads ``GET`` (nothing changes: mail scanners open links) and sends
``POST`` when the person presses the button.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from services.incidents.action_links import queries, service
from services.incidents.action_links.models import ActionLinkPreview
from services.incidents.incidents.api import MetricsDep, Now
from shared.auth.action_links import MAX_TOKEN_CHARS, ActionLinkVerifier
from shared.web import UnitOfWorkDep
from shared.web.errors import ErrorBody
from shared.web.limits import KIB, body_limit


async def link_verifier(request: Request) -> ActionLinkVerifier:
    verifier: ActionLinkVerifier = request.app.state.action_link_verifier
    return verifier


VerifierDep = Annotated[ActionLinkVerifier, Depends(link_verifier)]
Token = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_TOKEN_CHARS,
        pattern=r"^[A-Za-z0-9_.~-]+$",
        description="The link's signed token, as the email or SMS carried it",
    ),
]

_GONE: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not a link of ours (changed or never issued): nothing more"},
    410: {"model": ErrorBody, "description": "The link was used already, or has expired: sign in instead"},
}
_USE: dict[int | str, dict[str, Any]] = {
    **_GONE,
    403: {"model": ErrorBody, "description": "Its person no longer acts for the incident in the registry"},
    409: {"model": ErrorBody, "description": "The incident no longer waits for acknowledgement"},
}

router = APIRouter(prefix="/action-links", tags=["action links"])


@router.get("/{token}", response_model=ActionLinkPreview, responses={404: _GONE[404]})
async def preview_link(
    token: Token, uow: UnitOfWorkDep, verifier: VerifierDep, now: Now
) -> ActionLinkPreview:
    """What a link does, for whom and on which incident, and whether it still can (valid, used, expired)."""
    return await queries.preview(uow=uow, verifier=verifier, token=token, now=now)


@router.post("/{token}", response_model=ActionLinkPreview, responses=_USE)
@body_limit(KIB)
async def use_link(
    token: Token, uow: UnitOfWorkDep, verifier: VerifierDep, now: Now, metrics: MetricsDep
) -> ActionLinkPreview:
    """Do what the link says (acknowledge the incident), once, as the person it was sent to."""
    return await service.use(uow=uow, verifier=verifier, token=token, now=now, metrics=metrics)
