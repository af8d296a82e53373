"""Use cases of the templates: seed, list, save (syntax checked), preview, and pick one for a message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from services.notifications.templates.context import recipient_context
from services.notifications.templates.domain import (
    Language,
    Rendered,
    TemplateProblem,
    TemplateRenderer,
)
from services.notifications.templates.models import PreviewRequest, Template, TemplateBody
from services.notifications.templates.samples import sample_context
from services.notifications.templates.seed import default_templates
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events.notifications import DeliveryChannel


async def seed_templates(*, uow: UnitOfWork) -> None:
    """Add the default templates that are missing; an edited one stays as the admin left it."""
    rows = (await uow.session.exec(select(Template.event_type, Template.channel, Template.language))).all()
    existing = {(event_type, str(channel), str(language)) for event_type, channel, language in rows}
    for template in default_templates():
        if (template.event_type, str(template.channel), str(template.language)) not in existing:
            uow.session.add(template)
    await uow.commit()


async def list_templates(
    *, uow: UnitOfWork, event_type: str | None, channel: DeliveryChannel | None, language: Language | None
) -> Sequence[Template]:
    query = select(Template).order_by(col(Template.event_type), col(Template.channel), col(Template.language))
    if event_type:
        query = query.where(col(Template.event_type) == event_type)
    if channel:
        query = query.where(col(Template.channel) == channel)
    if language:
        query = query.where(col(Template.language) == language)
    return (await uow.session.exec(query)).all()


async def save_template(
    *,
    uow: UnitOfWork,
    renderer: TemplateRenderer,
    event_type: str,
    channel: DeliveryChannel,
    language: Language,
    text: TemplateBody,
) -> Template:
    """Create or replace the template; a syntax error is refused, an unknown variable shows on preview."""
    for part in ("subject", "body"):
        try:
            renderer.check_syntax(part, getattr(text, part))
        except TemplateProblem as problem:
            raise Unprocessable(f"template {problem.part}: {problem.reason}", field=problem.part) from problem
    stored = await find(uow=uow, event_type=event_type, channel=channel, language=language, exact=True)
    if stored is None:
        stored = Template(
            event_type=event_type, channel=channel, language=language, subject="", body=text.body
        )
    stored.subject, stored.body = text.subject, text.body
    uow.session.add(stored)
    await uow.commit()
    await uow.session.refresh(stored)
    return stored


def preview(*, renderer: TemplateRenderer, request: PreviewRequest) -> Rendered:
    """Render against the request's context or a sample of the event type; a bad variable is a 422."""
    base = request.context if request.context is not None else sample_context(request.event_type)
    if base is None:
        raise Unprocessable(
            f"no sample for {request.event_type!r}: give a context to render with", field="context"
        )
    context = recipient_context(base, recipient_name="Nguyễn Văn A", language=request.language)
    try:
        return renderer.render(subject=request.subject, body=request.body, context=context)
    except TemplateProblem as problem:
        raise Unprocessable(f"template {problem.part}: {problem.reason}", field=problem.part) from problem


async def find(
    *, uow: UnitOfWork, event_type: str, channel: DeliveryChannel, language: Language, exact: bool = False
) -> Template | None:
    """The template for the language, else the Vietnamese one (unless ``exact``)."""
    languages = [language] if exact or language is Language.VI else [language, Language.VI]
    for candidate in languages:
        query = select(Template).where(
            col(Template.event_type) == event_type,
            col(Template.channel) == channel,
            col(Template.language) == candidate,
        )
        found = (await uow.session.exec(query)).first()
        if found is not None:
            return found
    return None


def render_message(
    *, renderer: TemplateRenderer, template: Template | None, context: dict[str, Any]
) -> Rendered:
    """Raises ``TemplateProblem`` when there is no template or it fails; the caller falls back."""
    if template is None:
        raise TemplateProblem("body", f"no template for {context.get('event_type')}")
    return renderer.render(subject=template.subject, body=template.body, context=context)
