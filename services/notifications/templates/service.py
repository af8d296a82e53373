"""Use cases of the templates: seed the defaults, save one (syntax checked)."""

from __future__ import annotations

import hashlib

from sqlmodel import col, select

from services.notifications.templates.domain import Language, TemplateProblem, TemplateRenderer
from services.notifications.templates.models import Template, TemplateBody
from services.notifications.templates.seed import default_templates
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events.notifications import DeliveryChannel

TEMPLATES_CHANGED = "notifications.templates-changed"
"""The wake-up signal of a committed change to a template: the delivery worker forgets those it kept."""


async def seed_templates(*, uow: UnitOfWork) -> None:
    """Add the default templates that are missing, and bring a default shipped earlier and never edited
    up to today's text; an edited one stays as the admin left it."""
    stored = {
        (row.event_type, str(row.channel), str(row.language)): row
        for row in (await uow.session.exec(select(Template))).all()
    }
    for template in default_templates():
        found = stored.get((template.event_type, str(template.channel), str(template.language)))
        if found is None:
            uow.session.add(template)
        elif fingerprint(found) in SUPERSEDED_DEFAULTS:
            found.subject, found.body = template.subject, template.body
            uow.session.add(found)
    uow.wake_after_commit(TEMPLATES_CHANGED)
    await uow.commit()


def fingerprint(template: Template) -> str:
    parts = [
        template.event_type,
        str(template.channel),
        str(template.language),
        template.subject,
        template.body,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


SUPERSEDED_DEFAULTS = frozenset(
    {
        "7d0a4a5f6af2d777",
        "7bce6362b3933e35",
        "2c3c40a08cb2678b",
        "f6e2cb9677e6a32a",
        "926e104e52424b4c",
        "9a8923cdcc9970c9",
        "d95614ef89d68f24",
        "ca29f3cf5e990e2d",
        "e7672815a93d3e8f",
        "0b670c2b291c4ae7",
        "466856e2086e859a",
        "e075034134d0fe16",
        "5d2822d870765c12",
        "834bcd59d649698b",
        "a3cd11072034b2d2",
        "c9944353db9e6385",
        "13c18eadf53be1c5",
        "7e1918be1373417c",
        "7b3eedd83d50b620",
        "c62eb4926565e865",
        "9aa4f4eb122f5d53",
        "6283c27563567b8c",
        "7a459590a23353b9",
        "3332cc82ff59f154",
        "6bb58cf2e88cd422",
        "942f0c0fee560626",
        "7665f3e45eff5311",
        "8b89f1eeed2fcb2c",
        "897925f7555dd592",
        "48482ba162ceb7fa",
        # the report's texts before they carried the one-click acknowledge link
        "f550df26e0b069f5",
        "df5e9b2de07cee51",
        "5dd29800fa2f7055",
        "e51df137ce8176e7",
        "a10b8da7ca3173f9",
        "450ab61da0ae3519",
        "1328146b3a99efc5",
        "4b10e46e7bf3d154",
    }
)
"""Fingerprints of the defaults shipped before templates showed labels instead of codes (the category and
severity codes, English deadlines and levels in Vietnamese text), and the report's texts before its
one-click link: replaced at start unless edited."""


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
    uow.wake_after_commit(TEMPLATES_CHANGED)
    await uow.commit()
    await uow.session.refresh(stored)
    return stored


async def all_templates(uow: UnitOfWork) -> dict[tuple[str, str, str], Template]:
    """Every template by (event type, channel, language), as copies that belong to no session: what the
    delivery worker keeps (``shared.db.kept``)."""
    return {
        (row.event_type, str(row.channel), str(row.language)): Template.model_validate(row.model_dump())
        for row in (await uow.session.exec(select(Template))).all()
    }


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
