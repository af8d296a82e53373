"""From claimed delivery rows to messages, and from an attempt's result to what is written, without I/O.

Templates are rendered, with the plain fallback text when one fails (the message must not be lost to a
broken template). A digest is one email for several low-priority rows of one person; the rows share its
outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifications.action_links.domain import ActionLinks
from services.notifications.channels.domain import MailAttachment, Message, SendResult
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.notices.domain import email_attachments
from services.notifications.preferences.domain import HoldReason
from services.notifications.templates.domain import (
    Language,
    Rendered,
    TemplateProblem,
    TemplateRenderer,
    fallback_message,
    recipient_context,
)
from services.notifications.templates.models import Template
from services.notifications.webhooks.models import Subscription
from shared.events.notifications import DeliveryChannel, DeliveryDeliveredV1, DeliveryFailedV1

TemplateKey = tuple[str, str, str]
"""(event type, channel, language)"""


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
    links: ActionLinks | None = None,
    now: datetime | None = None,
) -> list[Work]:
    """``links`` mints the one-click links of the messages that ask a person to act (none without it)."""
    render = _Renderer(templates, renderer, links, now)
    work: list[Work] = []
    digests: dict[str, list[Delivery]] = {}
    for row in rows:
        if row.hold_reason == HoldReason.DIGEST and row.channel == DeliveryChannel.EMAIL:
            digests.setdefault(row.recipient_key, []).append(row)
        elif row.channel == DeliveryChannel.WEBHOOK:
            rendered, _problem = render(row, sources[row.source_event_id])
            work.append(_webhook(row, sources[row.source_event_id], subscriptions, rendered))
        else:
            source = sources[row.source_event_id]
            rendered, problem = render(row, source)
            files = email_attachments(source.context) if row.channel == DeliveryChannel.EMAIL else ()
            work.append(Work([row], _message(row, rendered, attachments=files), problem is not None, problem))
    for group in digests.values():
        work.append(_digest(group, sources, render))
    return work


@dataclass(frozen=True)
class _Renderer:
    templates: Mapping[TemplateKey, Template]
    renderer: TemplateRenderer
    links: ActionLinks | None
    now: datetime | None

    def __call__(self, row: Delivery, source: SourceEvent) -> tuple[Rendered, str | None]:
        language = Language(row.language)
        context = recipient_context(
            source.context,
            recipient_name=row.recipient_name,
            language=language,
            stands_in_for=row.stands_in_for or (),
            recipient_key=row.recipient_key,
        )
        if self.links is not None and self.now is not None:
            context["recipient"].update(
                self.links.for_row(row, source.context.get("event") or {}, now=self.now)
            )
        template = self.templates.get((row.event_type, row.channel, language)) or self.templates.get(
            (row.event_type, row.channel, Language.VI)
        )
        try:
            if template is None:
                raise TemplateProblem("body", f"no {row.channel} template for {row.event_type}")
            return self.renderer.render(subject=template.subject, body=template.body, context=context), None
        except TemplateProblem as problem:
            # The message must not be lost to a template someone broke: send the plain facts instead.
            return fallback_message(context, language), str(problem)


def _message(
    row: Delivery,
    rendered: Rendered,
    *,
    recipients: tuple[str, ...] = (),
    attachments: tuple[MailAttachment, ...] = (),
) -> Message:
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
        attachments=attachments,
    )


def _webhook(
    row: Delivery, source: SourceEvent, subscriptions: Mapping[str, Subscription], text: Rendered
) -> Work:
    """The event's data for machines, and its text for the people a receiver shows it to (Vietnamese)."""
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
        text={"title": text.subject, "body": text.body},
        secret=subscription.secret if subscription else None,
    )
    if subscription is None or not subscription.active:
        return Work([row], message, result_now=SendResult.permanent("the subscription is disabled or gone"))
    return Work([row], message)


def _digest(rows: list[Delivery], sources: Mapping[str, SourceEvent], render: _Renderer) -> Work:
    first = rows[0]
    language = Language(first.language)
    parts, fallback, problems = [], False, []
    for row in rows:
        rendered, problem = render(row, sources[row.source_event_id])
        parts.append(f"— {rendered.subject}\n{rendered.body}")
        if problem:
            fallback = True
            problems.append(problem)
    title = "Bản tin thông báo trong ngày" if language is Language.VI else "Your daily digest"
    rendered = Rendered(f"{title} ({len(rows)})", "\n\n".join(parts))
    return Work(rows, _message(first, rendered), fallback, "; ".join(problems) or None)


def error_text(result: SendResult, work: Work) -> str | None:
    parts = [
        part for part in (result.error, work.template_error and f"template: {work.template_error}") if part
    ]
    return "; ".join(parts)[:2000] or None


def _outcome_fields(row: Delivery) -> dict[str, Any]:
    return {
        "source_event_id": row.source_event_id,
        "source_event_type": row.event_type,
        "delivery_id": row.id,
        "recipient_key": row.recipient_key,
        "channel": row.channel,
        "attempts": row.attempts,
        "used_fallback_text": row.used_fallback_text,
    }


def delivered_event(row: Delivery, now: datetime, latency_s: float) -> DeliveryDeliveredV1:
    return DeliveryDeliveredV1(**_outcome_fields(row), delivered_at=now, latency_s=latency_s)


def failed_event(row: Delivery, now: datetime, reason: str) -> DeliveryFailedV1:
    return DeliveryFailedV1(**_outcome_fields(row), failed_at=now, reason=reason[:1000])
