"""Use cases of the templates: seed the defaults, save one (syntax checked)."""

from __future__ import annotations

from sqlmodel import col, select

from services.notifications.templates.domain import Language, TemplateProblem, TemplateRenderer
from services.notifications.templates.models import Template, TemplateBody
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
