"""Turns claimed delivery rows into messages: templates rendered, a fallback when they fail, digests joined.

A digest is one email for several low-priority rows of one person; the rows share its outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.notifications.channels.base import Message, SendResult
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.preferences.domain import HoldReason
from services.notifications.templates.context import recipient_context
from services.notifications.templates.domain import (
    Language,
    Rendered,
    TemplateProblem,
    TemplateRenderer,
    fallback_message,
)
from services.notifications.templates.models import Template
from services.notifications.webhooks.models import Subscription
from shared.events.notifications import DeliveryChannel

TemplateKey = tuple[str, str, str]


@dataclass
class Work:
    rows: list[Delivery]
    message: Message
    used_fallback_text: bool = False
    template_error: str | None = None
    result_now: SendResult | None = None
    """Known without sending (a subscription disabled since the row was planned)."""


def build_work(
    rows: Sequence[Delivery],
    *,
    sources: Mapping[str, SourceEvent],
    templates: Mapping[TemplateKey, Template],
    subscriptions: Mapping[str, Subscription],
    renderer: TemplateRenderer,
) -> list[Work]:
    work: list[Work] = []
    digests: dict[str, list[Delivery]] = {}
    for row in rows:
        if row.hold_reason == HoldReason.DIGEST and row.channel == DeliveryChannel.EMAIL:
            digests.setdefault(row.recipient_key, []).append(row)
        elif row.channel == DeliveryChannel.WEBHOOK:
            work.append(_webhook(row, sources[row.source_event_id], subscriptions))
        else:
            rendered, problem = _render(row, sources[row.source_event_id], templates, renderer)
            work.append(Work([row], _message(row, rendered), problem is not None, problem))
    for group in digests.values():
        work.append(_digest(group, sources, templates, renderer))
    return work


def _render(
    row: Delivery, source: SourceEvent, templates: Mapping[TemplateKey, Template], renderer: TemplateRenderer
) -> tuple[Rendered, str | None]:
    language = Language(row.language)
    context = recipient_context(source.context, recipient_name=row.recipient_name, language=language)
    template = templates.get((row.event_type, row.channel, language)) or templates.get(
        (row.event_type, row.channel, Language.VI)
    )
    try:
        if template is None:
            raise TemplateProblem("body", f"no {row.channel} template for {row.event_type}")
        return renderer.render(subject=template.subject, body=template.body, context=context), None
    except TemplateProblem as problem:
        # The message must not be lost to a template someone broke: send the plain facts instead.
        return fallback_message(context, language), str(problem)


def _message(row: Delivery, rendered: Rendered, *, recipients: tuple[str, ...] = ()) -> Message:
    return Message(
        delivery_id=row.id,
        channel=DeliveryChannel(row.channel),
        address=row.address,
        recipient_name=row.recipient_name,
        subject=rendered.subject,
        body=rendered.body,
        source_event_id=row.source_event_id,
        source_event_type=row.event_type,
        recipients=recipients,
    )


def _webhook(row: Delivery, source: SourceEvent, subscriptions: Mapping[str, Subscription]) -> Work:
    subscription = subscriptions.get(row.recipient_key.removeprefix("webhook:"))
    message = Message(
        delivery_id=row.id,
        channel=DeliveryChannel.WEBHOOK,
        address=subscription.url if subscription else row.address,
        recipient_name=row.recipient_name,
        subject="",
        body="",
        source_event_id=row.source_event_id,
        source_event_type=row.event_type,
        payload=dict(source.context.get("event") or {}),
        secret=subscription.secret if subscription else None,
    )
    if subscription is None or not subscription.active:
        return Work([row], message, result_now=SendResult.permanent("the subscription is disabled or gone"))
    return Work([row], message)


def _digest(
    rows: list[Delivery],
    sources: Mapping[str, SourceEvent],
    templates: Mapping[TemplateKey, Template],
    renderer: TemplateRenderer,
) -> Work:
    first = rows[0]
    language = Language(first.language)
    parts, fallback, problems = [], False, []
    for row in rows:
        rendered, problem = _render(row, sources[row.source_event_id], templates, renderer)
        parts.append(f"— {rendered.subject}\n{rendered.body}")
        if problem:
            fallback = True
            problems.append(problem)
    title = "Bản tin thông báo trong ngày" if language is Language.VI else "Your daily digest"
    rendered = Rendered(f"{title} ({len(rows)})", "\n\n".join(parts))
    return Work(rows, _message(first, rendered), fallback, "; ".join(problems) or None)
