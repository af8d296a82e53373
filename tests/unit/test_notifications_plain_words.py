"""People read Vietnamese (or English), not codes: every default template of every event type, on every
channel and in both languages, rendered against its preview sample, shows no raw code of the catalogs or
the events (``food_poisoning``, ``critical``, ``acknowledged``, ``cluster_leader``...) and no UTC or ISO time;
nor does the fallback text a broken template is replaced by."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from enum import StrEnum

import pytest

from services.incidents.catalog import seed as catalog
from services.notifications.coverage.domain import FALLS_THROUGH
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.recipients.domain import RecipientRole
from services.notifications.rules.domain import Priority
from services.notifications.sending.domain import build_work
from services.notifications.templates.domain import (
    Language,
    Rendered,
    TemplateRenderer,
    fallback_message,
    recipient_context,
)
from services.notifications.templates.queries import sample_context
from services.notifications.templates.seed import default_templates
from services.notifications.webhooks.adapters import webhook_body
from services.notifications.webhooks.models import Subscription
from shared.auth import Role
from shared.events.activities import ActivityKind, ActivityStatus
from shared.events.catalog import all_event_specs
from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus, RouteKind, ScopeRole
from shared.events.notifications import DeliveryChannel

ENUMS: list[type[StrEnum]] = [
    IncidentStatus,
    EscalationLevel,
    DeadlineKind,
    RouteKind,
    ScopeRole,
    Role,
    RecipientRole,
    ActivityKind,
    ActivityStatus,
]


def raw_codes() -> set[str]:
    codes = {member.value for enum in ENUMS for member in enum}
    codes |= {category["code"] for category in catalog.CATEGORIES}
    codes |= {severity["code"] for severity in catalog.SEVERITIES}
    codes |= {step["notify_role"] for s in catalog.SEVERITIES for step in s["escalation_chain"]}
    for spec in all_event_specs():
        codes |= {spec.event_type, spec.event_type.removeprefix("vn.gov.nghean.edu.")}
    return codes


CODES = raw_codes()
# Codes are lowercase snake_case; the words people read are capitalised labels ("Critical", "Reported"),
# so a code is looked for as a whole lowercase token.
CODE_PATTERN = re.compile(
    r"(?<![\w.-])(" + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True)) + r")(?![\w-])"
)
MACHINE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|\+00:00|UTC")


def problems(text: str) -> list[str]:
    return CODE_PATTERN.findall(text) + MACHINE_TIME.findall(text)


def test_the_checker_sees_a_raw_code_and_a_utc_time() -> None:
    assert {"food_poisoning", "critical", "acknowledged", "cluster_leader"} <= CODES
    rendered = "Sự cố critical (food_poisoning) lúc 2026-03-02T01:30:00+00:00, notify cluster_leader"
    assert set(problems(rendered)) >= {"critical", "food_poisoning", "cluster_leader", "+00:00"}
    assert problems("Mức độ: Đặc biệt nghiêm trọng. Status: Acknowledged, 08:30 02/03/2026") == []


TEMPLATES = default_templates()
EVENT_TYPES = sorted({template.event_type for template in TEMPLATES})


def test_every_event_type_with_templates_has_a_sample_and_both_languages() -> None:
    for event_type in EVENT_TYPES:
        assert sample_context(event_type) is not None, f"no preview sample for {event_type}"
        languages = {t.language for t in TEMPLATES if t.event_type == event_type}
        assert languages == {Language.VI, Language.EN}, event_type


STANDING_IN = [role.value for role in sorted(FALLS_THROUGH)]


@pytest.mark.parametrize(
    "template",
    TEMPLATES,
    ids=lambda t: f"{t.event_type.removeprefix('vn.gov.nghean.edu.')}:{t.channel}:{t.language}",
)
def test_every_default_template_renders_words_and_local_times(template: object) -> None:
    renderer = TemplateRenderer()
    base = sample_context(template.event_type)  # type: ignore[attr-defined]
    assert base is not None
    for stands_in_for in ([], STANDING_IN):  # as a cluster leader reads it, and as the desk standing in
        context = recipient_context(
            base,
            recipient_name="Nguyễn Văn A",
            language=template.language,  # type: ignore[attr-defined]
            stands_in_for=stands_in_for,
        )
        rendered = renderer.render(subject=template.subject, body=template.body, context=context)  # type: ignore[attr-defined]
        assert rendered.body
        text = f"{rendered.subject}\n{rendered.body}"
        assert not problems(text), f"raw codes or machine times {problems(text)} in:\n{text}"


def test_the_vietnamese_texts_carry_the_catalogs_labels_and_the_vacancy() -> None:
    template = next(
        t
        for t in TEMPLATES
        if t.event_type.endswith("reported.v1") and t.channel == "email" and t.language == "vi"
    )
    base = sample_context(template.event_type)
    assert base is not None
    context = recipient_context(
        base, recipient_name="Văn phòng Sở", language=Language.VI, stands_in_for=["cluster_leader"]
    )
    rendered: Rendered = TemplateRenderer().render(
        subject=template.subject, body=template.body, context=context
    )
    assert "Ngộ độc thực phẩm" in rendered.subject and "Đặc biệt nghiêm trọng" in rendered.subject
    assert "Cụm 3 chưa có cụm trưởng" in rendered.body
    assert "thay cho: Cụm trưởng" in rendered.body
    assert "08:30 02/03/2026" in rendered.body  # 01:30 UTC, read in Vietnam


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@pytest.mark.parametrize("language", list(Language))
def test_the_fallback_text_of_every_event_type_is_in_words_too(event_type: str, language: Language) -> None:
    base = sample_context(event_type)
    assert base is not None
    fallback = fallback_message(recipient_context(base, recipient_name="A", language=language), language)
    text = f"{fallback.subject}\n{fallback.body}"
    assert not problems(text), f"raw codes {problems(text)} in:\n{text}"


def test_a_webhook_carries_the_event_for_machines_and_its_text_in_words() -> None:
    event_type = next(t.event_type for t in TEMPLATES if t.event_type.endswith("acknowledged.v1"))
    context = sample_context(event_type)
    assert context is not None
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    source = SourceEvent(
        event_id="e1",
        event_type=event_type,
        occurred_at=at,
        received_at=at,
        priority=Priority.CRITICAL,
        context=context,
    )
    row = Delivery(
        id="d1",
        source_event_id="e1",
        event_type=event_type,
        recipient_key="webhook:s1",
        recipient_name="Hệ thống đối tác",
        channel=DeliveryChannel.WEBHOOK,
        address="https://hooks.example.vn/x",
        priority=Priority.CRITICAL,
        next_attempt_at=at,
        created_at=at,
    )
    subscription = Subscription(
        id="s1", owner="partner", url=row.address, secret="whsec_x", created_at=at, verified_at=at
    )
    [work] = build_work(
        [row],
        sources={"e1": source},
        templates={(t.event_type, str(t.channel), str(t.language)): t for t in TEMPLATES},
        subscriptions={"s1": subscription},
        renderer=TemplateRenderer(),
    )
    assert work.message.payload["category"] == "food_poisoning"  # the data stays as the contract says
    assert work.message.payload["labels"]["category_vi"] == "Ngộ độc thực phẩm"
    assert work.message.text is not None
    assert work.message.text["title"].startswith("[Đã tiếp nhận]")
    assert not problems(f"{work.message.text['title']}\n{work.message.text['body']}")
    document = json.loads(webhook_body(work.message, timestamp=at))
    assert document["text"] == work.message.text and "reporter_subject" not in document["data"]
