"""The one-click links' rules, without I/O: signing and checking (Ed25519), which message carries one and
until when, the state of a link, as whom its person acts, and what the person and the timeline read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.incidents.action_links.domain import (
    LinkState,
    awaiting_acknowledgement,
    link_principal,
    refuse_unless_valid,
    state_of,
    timeline_detail,
)
from services.incidents.settings import IncidentsSettings
from services.notifications.action_links.domain import ActionLinks, acknowledge_claims
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.rules.domain import Priority
from services.notifications.sending.domain import build_work
from services.notifications.settings import NotificationsSettings
from services.notifications.templates.domain import Language, TemplateRenderer
from services.notifications.templates.queries import sample_context
from services.notifications.templates.seed import default_templates
from shared.auth import Role
from shared.auth.action_links import (
    DEV_ACTION_LINK_PRIVATE_KEY,
    DEV_ACTION_LINK_PUBLIC_KEY,
    ActionClaims,
    ActionLinkSigner,
    ActionLinkVerifier,
    BadActionLink,
)
from shared.auth.scope import Membership, PersonFacts
from shared.errors import Conflict, Forbidden, Gone
from shared.events.incidents import IncidentReportedV1, IncidentStatus
from shared.events.notifications import DeliveryChannel
from shared.settings import Environment
from tests.unit.test_notifications_plain_words import problems

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
SIGNER = ActionLinkSigner(DEV_ACTION_LINK_PRIVATE_KEY)
VERIFIER = ActionLinkVerifier(DEV_ACTION_LINK_PUBLIC_KEY)
CLAIMS = ActionClaims(
    person="L001",
    target="6f1c2d3e-0000-4000-8000-000000000001",
    action="acknowledge",
    expires_at=AT + timedelta(minutes=15),
    jti="Qk3xQk3xQk3xQk3xQk3xQk",
    via="email",
)
SAFE_KAFKA = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_mechanism": "SCRAM-SHA-512",
    "kafka_sasl_username": "u",
    "kafka_sasl_password": "p",
    "oidc_issuer": "https://sso.nghean.edu.vn/realms/edu-clusters",
}


def test_a_link_carries_its_claims_signed_and_is_short_enough_for_an_sms() -> None:
    token = SIGNER.sign(CLAIMS)
    assert VERIFIER.verify(token) == CLAIMS
    assert SIGNER.sign(CLAIMS) == token  # deterministic: a retried send carries the same link
    assert len(token) < 200 and all(char.isalnum() or char in "-_.~" for char in token)
    assert SIGNER.public_key == DEV_ACTION_LINK_PUBLIC_KEY


@pytest.mark.parametrize("part", range(7))
def test_a_link_changed_anywhere_is_not_ours(part: int) -> None:
    parts = SIGNER.sign(CLAIMS).split("~")
    original = parts[part]
    parts[part] = original[:-1] + ("A" if original[-1] != "A" else "B")
    with pytest.raises(BadActionLink):
        VERIFIER.verify("~".join(parts))


def test_a_link_signed_with_another_key_truncated_or_overlong_is_not_ours() -> None:
    other = ActionLinkSigner("A" * 43)
    token = SIGNER.sign(CLAIMS)
    for forged in (other.sign(CLAIMS), token[:-3], token.rpartition("~")[0], "x" * 401, "", "~~~~~~~"):
        with pytest.raises(BadActionLink):
            VERIFIER.verify(forged)


def test_claims_that_could_break_the_format_are_never_signed() -> None:
    for bad in ({"person": "L~001"}, {"target": ""}, {"via": "e mail"}):
        with pytest.raises(ValueError, match="claims"):
            SIGNER.sign(ActionClaims(**{**CLAIMS.__dict__, **bad}))
    with pytest.raises(ValueError, match="time zone"):
        SIGNER.sign(ActionClaims(**{**CLAIMS.__dict__, "expires_at": datetime(2026, 3, 2)}))


def test_a_link_is_valid_until_its_deadline_and_used_says_so_before_expired() -> None:
    deadline = CLAIMS.expires_at
    assert state_of(CLAIMS, used=False, now=deadline - timedelta(seconds=1)) is LinkState.VALID
    assert state_of(CLAIMS, used=False, now=deadline) is LinkState.EXPIRED
    assert state_of(CLAIMS, used=True, now=deadline + timedelta(days=1)) is LinkState.USED
    refuse_unless_valid(LinkState.VALID)
    for state, rule in ((LinkState.USED, "link_used"), (LinkState.EXPIRED, "link_expired")):
        with pytest.raises(Gone) as gone:
            refuse_unless_valid(state)
        assert gone.value.rule == rule and "đăng nhập" in gone.value.message


def delivery(channel: DeliveryChannel, recipient_key: str = "staff:L001", **changes: object) -> Delivery:
    values: dict[str, object] = {
        "id": "d-1",
        "source_event_id": "e1",
        "event_type": IncidentReportedV1.event_type,
        "recipient_key": recipient_key,
        "recipient_name": "Nguyễn Văn A",
        "channel": channel,
        "address": "a@example.vn" if channel is DeliveryChannel.EMAIL else "0912000001",
        "priority": Priority.CRITICAL,
        "next_attempt_at": AT,
        "created_at": AT,
        **changes,
    }
    return Delivery(**values)


EVENT = {"incident_id": CLAIMS.target, "acknowledge_due_at": CLAIMS.expires_at.isoformat()}


def test_the_reports_email_and_sms_to_a_person_carry_a_link_until_the_acknowledgement_deadline() -> None:
    email = acknowledge_claims(delivery(DeliveryChannel.EMAIL), EVENT, now=AT)
    sms = acknowledge_claims(delivery(DeliveryChannel.SMS, id="d-2"), EVENT, now=AT)
    assert email is not None and sms is not None
    assert (email.person, email.target, email.action, email.via) == (
        "L001",
        CLAIMS.target,
        "acknowledge",
        "email",
    )
    assert email.expires_at == CLAIMS.expires_at and sms.via == "sms"
    assert email.jti != sms.jti  # two messages, two links
    assert acknowledge_claims(delivery(DeliveryChannel.EMAIL), EVENT, now=AT) == email  # same row, same link


@pytest.mark.parametrize(
    ("row", "event", "now"),
    [
        (delivery(DeliveryChannel.IN_APP), EVENT, AT),
        (delivery(DeliveryChannel.WEBHOOK, "webhook:s1"), EVENT, AT),
        (delivery(DeliveryChannel.EMAIL, "department:duty-desk"), EVENT, AT),
        (delivery(DeliveryChannel.EMAIL, "commune-office:16939"), EVENT, AT),
        (
            delivery(DeliveryChannel.EMAIL, event_type="vn.gov.nghean.edu.incidents.incident.escalated.v1"),
            EVENT,
            AT,
        ),
        (delivery(DeliveryChannel.EMAIL), {"incident_id": CLAIMS.target}, AT),
        (delivery(DeliveryChannel.EMAIL), EVENT, CLAIMS.expires_at),
    ],
    ids=["inbox", "webhook", "duty desk", "commune office", "escalation", "no deadline", "deadline past"],
)
def test_no_link_where_nobody_in_particular_reads_it_or_it_could_not_act(
    row: Delivery, event: dict[str, str], now: datetime
) -> None:
    assert acknowledge_claims(row, event, now=now) is None


def test_the_rendered_email_and_sms_carry_the_link_in_plain_words() -> None:
    context = sample_context(IncidentReportedV1.event_type)
    assert context is not None
    context["event"]["acknowledge_due_at"] = (AT + timedelta(minutes=15)).isoformat()
    source = SourceEvent(
        event_id="e1",
        event_type=IncidentReportedV1.event_type,
        occurred_at=AT,
        received_at=AT,
        priority=Priority.CRITICAL,
        context=context,
    )
    rows = [
        delivery(DeliveryChannel.EMAIL, source_event_id="e1"),
        delivery(DeliveryChannel.SMS, id="d-2", source_event_id="e1"),
        delivery(DeliveryChannel.EMAIL, "commune-office:17011", id="d-3", source_event_id="e1"),
    ]
    work = build_work(
        rows,
        sources={"e1": source},
        templates={(t.event_type, str(t.channel), str(t.language)): t for t in default_templates()},
        subscriptions={},
        renderer=TemplateRenderer(),
        links=ActionLinks(SIGNER, "https://console.nghean.edu.vn/"),
        now=AT,
    )
    email, sms, office = (item.message.body for item in work)
    link = "https://console.nghean.edu.vn/act/1~acknowledge~L001~"
    assert link in email and "Tiếp nhận ngay bằng một lần bấm" in email and "Nguyễn Văn A" in email
    assert link in sms and "Tiep nhan: https" in sms
    assert "/act/" not in office  # an office's address is nobody in particular
    token = email.split("/act/")[1].split()[0]
    assert VERIFIER.verify(token).via == "email"
    for text in (email, sms):
        assert not problems(text.replace(token, "").replace(sms.split("/act/")[1], "")), text


def person(
    *memberships: Membership, roles: frozenset[str] = frozenset({"department_official"})
) -> PersonFacts:
    return PersonFacts(staff_code="L001", full_name="Nguyễn Văn A", roles=roles, memberships=memberships)


class Incident:
    cluster_no: int | None = 3
    commune_code: str | None = "16939"
    school_code: str | None = "29000101"
    reporter_subject = "hieutruong@example.vn"
    restricted = False
    reference = "SC-2026-000123"
    status = IncidentStatus.REPORTED
    acknowledged_at: datetime | None = None


TODAY = date(2026, 3, 2)
SINCE = date(2025, 7, 1)


def test_the_links_person_acts_in_the_scope_the_registry_gives_them_today() -> None:
    leader = link_principal(
        person(Membership(3, "leader", SINCE)), Incident(), staff_code="L001", today=TODAY
    )
    assert (leader.role, leader.cluster_no, leader.subject) == (Role.CLUSTER_LEADER, 3, "L001")
    member = link_principal(
        person(Membership(3, "member", SINCE)), Incident(), staff_code="L001", today=TODAY
    )
    assert (member.role, member.cluster_no) == (Role.CLUSTER_MEMBER, 3)
    officer = PersonFacts(
        staff_code="O001", full_name="B", roles=frozenset({"commune_officer"}), commune_code="16939"
    )
    assert link_principal(officer, Incident(), staff_code="O001", today=TODAY).role is Role.COMMUNE_OFFICER


@pytest.mark.parametrize(
    "facts",
    [
        None,
        person(Membership(3, "leader", SINCE, date(2026, 3, 1))),  # removed from the cluster yesterday
        person(Membership(4, "member", SINCE)),  # another cluster
        person(),  # a Department official: the link does not widen to the Department
        PersonFacts(staff_code="L001", full_name="A", roles=frozenset(), active=False,
                    memberships=(Membership(3, "leader", SINCE),)),
    ],
    ids=["unknown", "removed", "other cluster", "department only", "inactive"],
)  # fmt: skip
def test_a_link_of_someone_who_no_longer_acts_for_the_incident_is_refused(facts: PersonFacts | None) -> None:
    with pytest.raises(Forbidden) as refused:
        link_principal(facts, Incident(), staff_code="L001", today=TODAY)
    assert refused.value.field == "token"


def test_only_a_report_waiting_for_acknowledgement_can_be_acknowledged_by_link() -> None:
    awaiting_acknowledgement(Incident())
    taken = Incident()
    taken.status, taken.acknowledged_at = IncidentStatus.ACKNOWLEDGED, datetime(2026, 3, 2, 1, 40, tzinfo=UTC)
    with pytest.raises(Conflict, match="08:40 02/03/2026") as conflict:
        awaiting_acknowledgement(taken)
    assert conflict.value.rule == "not_awaiting_acknowledgement"


def test_the_timeline_names_the_link_and_the_person_in_vietnamese() -> None:
    leader = link_principal(
        person(Membership(3, "leader", SINCE)), Incident(), staff_code="L001", today=TODAY
    )
    assert timeline_detail(leader, via="email") == "Đã xác nhận từ liên kết trong email: Nguyễn Văn A (L001)"
    assert "tin nhắn SMS" in timeline_detail(leader, via="sms")


def test_production_refuses_the_development_key_pair() -> None:
    with pytest.raises(ValidationError, match="ACTION_LINK_PRIVATE_KEY"):
        NotificationsSettings(
            environment=Environment.PRODUCTION, console_public_url="https://c.vn", **SAFE_KAFKA
        )
    with pytest.raises(ValidationError, match="ACTION_LINK_PUBLIC_KEY"):
        IncidentsSettings(environment=Environment.PRODUCTION, **SAFE_KAFKA)
    real = ActionLinkSigner("B" * 43)
    NotificationsSettings(
        environment=Environment.PRODUCTION,
        console_public_url="https://console.nghean.edu.vn",
        action_link_private_key="B" * 43,
        **SAFE_KAFKA,
    )
    IncidentsSettings(
        environment=Environment.PRODUCTION, action_link_public_key=real.public_key, **SAFE_KAFKA
    )
    with pytest.raises(ValidationError, match="32 bytes"):
        IncidentsSettings(action_link_public_key="c2hvcnQ")
    assert Language.VI  # the texts above are the Vietnamese defaults
