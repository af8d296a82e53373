"""Routes of the templates: list, save and preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.notifications.templates import queries, service
from services.notifications.templates.domain import Language, TemplateRenderer
from services.notifications.templates.models import (
    PreviewPublic,
    PreviewRequest,
    TemplateBody,
    TemplatePublic,
)
from shared.auth import Principal, Role, require_roles
from shared.events.notifications import DeliveryChannel
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/templates", tags=["templates"])
Admin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]
DepartmentStaff = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER))]


async def _renderer(request: Request) -> TemplateRenderer:
    renderer: TemplateRenderer = request.app.state.template_renderer
    return renderer


Renderer = Annotated[TemplateRenderer, Depends(_renderer)]


@router.get("", response_model=list[TemplatePublic])
async def list_templates(
    uow: UnitOfWorkDep,
    _principal: DepartmentStaff,
    event_type: str | None = None,
    channel: DeliveryChannel | None = None,
    language: Language | None = None,
) -> object:
    """The templates, filtered by event type, channel or language."""
    return await queries.list_templates(uow=uow, event_type=event_type, channel=channel, language=language)


@router.put("/{event_type}/{channel}/{language}", response_model=TemplatePublic)
async def save_template(
    event_type: str,
    channel: DeliveryChannel,
    language: Language,
    text: TemplateBody,
    uow: UnitOfWorkDep,
    renderer: Renderer,
    _admin: Admin,
) -> object:
    """Create or replace the template of an event type, channel and language (syntax checked)."""
    return await service.save_template(
        uow=uow, renderer=renderer, event_type=event_type, channel=channel, language=language, text=text
    )


@router.post("/preview", response_model=PreviewPublic)
async def preview_template(
    request: PreviewRequest, renderer: Renderer, _principal: DepartmentStaff
) -> object:
    """Render a template against a sample of its event type (or a given context); 422 names what failed."""
    return queries.preview(renderer=renderer, request=request)
