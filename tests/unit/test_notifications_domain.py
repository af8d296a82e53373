"""The notifications service's rules, without I/O: replica versions, who a role is, rule matching,
quiet hours and digests, planning, retries, templates and their fallback, webhook signing and URLs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime

import pytest

from services.notifications.channels.domain import ResultKind, SendResult, classify_http, parse_retry_after
from services.notifications.deliveries.domain import BackoffPolicy, DeliveryState, after_attempt, plan
from services.notifications.preferences.domain import HoldReason, Preferences, hold_for, in_quiet_hours
from services.notifications.recipients.domain import (
    EventFacts,
    Recipient,
    RecipientRole,
    Target,
    TargetKind,
    membership_is_current,
    targets_for,
)
from services.notifications.rules.domain import Priority, RuleSpec, matches, priority_of
from services.notifications.templates.domain import (
    Language,
    TemplateProblem,
    TemplateRenderer,
    fallback_message,
    local_time,
)
from services.notifications.templates.queries import sample_context
from services.notifications.webhooks.domain import (
    UnsafeUrl,
    accepts,
    check_addresses,
    check_url,
    sign,
    subscriptions_for,
    verify,
)
from shared.events.incidents import IncidentReportedV1
from shared.events.notifications import DeliveryChannel as C
from shared.events.registry import ClusterMembershipV1, is_newer

REPORTED = IncidentReportedV1.event_type
# 23:00 in Vietnam (UTC+7) is 16:00 UTC.
LATE_EVENING = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
QUIET = Preferences(quiet_start=time(22, 0), quiet_end=time(6, 0))


def incident(**changes: object) -> EventFacts:
    facts: dict[str, object] = {
        "event_id": "e1",
        "event_type": REPORTED,
        "occurred_at": LATE_EVENING,
        "severity": "medium",
        "cluster_nos": (3,),
        "commune_code": "17011",
        "school_code": "29000101",
    }
    return EventFacts(**{**facts, **changes})  # type: ignore[arg-type]


def test_only_newer_states_are_applied() -> None:
    assert is_newer(1, None)
    assert is_newer(3, 2)
    assert not is_newer(2, 2)
    assert not is_newer(1, 2)


def test_a_membership_counts_from_its_first_to_its_last_day() -> None:
    period = ClusterMembershipV1(
        cluster_no=3, role="member", valid_from=date(2025, 7, 1), valid_to=date(2026, 1, 31)
    )
    assert membership_is_current(period, date(2025, 7, 1))
    assert membership_is_current(period, date(2026, 1, 31))
    assert not membership_is_current(period, date(2026, 2, 1))


def test_roles_resolve_within_the_events_scope() -> None:
    facts = incident()
    assert targets_for(RecipientRole.CLUSTER_LEADER, facts) == [Target(TargetKind.CLUSTER_LEADER, "3")]
    assert targets_for(RecipientRole.COMMUNE_OFFICE, facts) == [Target(TargetKind.COMMUNE_OFFICE, "17011")]
    assert targets_for(RecipientRole.SCHOOL_PRINCIPAL, facts) == [
        Target(TargetKind.SCHOOL_PRINCIPAL, "29000101")
    ]
    assert targets_for(RecipientRole.DEPARTMENT_LEADERSHIP, facts) == [
        Target(TargetKind.DEPARTMENT, "leadership")
    ]


def test_a_cluster_role_outside_any_cluster_falls_to_the_duty_desk() -> None:
    vinh = incident(cluster_nos=())
    assert targets_for(RecipientRole.CLUSTER_MEMBERS, vinh) == [Target(TargetKind.DEPARTMENT, "duty-desk")]


def test_an_escalation_reaches_the_level_it_names() -> None:
    assert targets_for(RecipientRole.ESCALATION_TARGET, incident(escalation_level="cluster_leader")) == [
        Target(TargetKind.CLUSTER_LEADER, "3")
    ]
    office = incident(escalation_level="department_office")
    assert targets_for(RecipientRole.ESCALATION_TARGET, office) == [
        Target(TargetKind.DEPARTMENT, "duty-desk")
    ]
    province = incident(escalation_level="province")
    assert targets_for(RecipientRole.ESCALATION_TARGET, province) == [Target(TargetKind.PROVINCE, "province")]
    leadership = incident(escalation_level="department_leadership")
    assert targets_for(RecipientRole.ESCALATION_TARGET, leadership) == [
        Target(TargetKind.DEPARTMENT, "leadership")
    ]


def test_school_lists_become_their_principals_once_each() -> None:
    facts = incident(school_codes={"eligible": ("A", "B", "A")})
    assert targets_for(RecipientRole.ELIGIBLE_SCHOOL_PRINCIPALS, facts) == [
        Target(TargetKind.SCHOOL_PRINCIPAL, "A"),
        Target(TargetKind.SCHOOL_PRINCIPAL, "B"),
    ]


def test_rule_conditions_severity_restricted_and_cluster() -> None:
    rule = RuleSpec(REPORTED, (RecipientRole.CLUSTER_LEADER,), (C.SMS,), min_severity="high")
    assert not matches(rule, incident(severity="medium"))
    assert matches(rule, incident(severity="high"))
    assert matches(rule, incident(severity="critical"))
    only_open = RuleSpec(REPORTED, (RecipientRole.CLUSTER_MEMBERS,), (C.EMAIL,), restricted=False)
    assert not matches(only_open, incident(restricted=True))
    cluster_5 = RuleSpec(REPORTED, (RecipientRole.CLUSTER_LEADER,), (C.EMAIL,), cluster_nos=(5,))
    assert not matches(cluster_5, incident())
    assert not matches(RuleSpec("other.type", (RecipientRole.CLUSTER_LEADER,), (C.EMAIL,)), incident())


def test_priority_follows_severity_unless_a_rule_says_more() -> None:
    plain = RuleSpec(REPORTED, (RecipientRole.CLUSTER_LEADER,), (C.EMAIL,))
    urgent = RuleSpec(
        REPORTED, (RecipientRole.DEPARTMENT_LEADERSHIP,), (C.EMAIL,), priority=Priority.CRITICAL
    )
    assert priority_of(incident(severity="low"), [plain]) is Priority.LOW
    assert priority_of(incident(severity="critical"), [plain]) is Priority.CRITICAL
    assert priority_of(incident(severity="medium"), [plain, urgent]) is Priority.CRITICAL


def test_quiet_hours_hold_email_until_they_end_but_never_critical_or_the_inbox() -> None:
    assert in_quiet_hours(LATE_EVENING, QUIET)
    hold = hold_for(now=LATE_EVENING, channel=C.EMAIL, priority=Priority.NORMAL, preferences=QUIET)
    assert hold is not None and hold.reason is HoldReason.QUIET_HOURS
    assert hold.until == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 06:00 next morning in Vietnam
    assert hold_for(now=LATE_EVENING, channel=C.EMAIL, priority=Priority.CRITICAL, preferences=QUIET) is None
    assert hold_for(now=LATE_EVENING, channel=C.IN_APP, priority=Priority.NORMAL, preferences=QUIET) is None
    noon = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert hold_for(now=noon, channel=C.SMS, priority=Priority.NORMAL, preferences=QUIET) is None


def test_low_priority_email_waits_for_the_daily_digest() -> None:
    digest = Preferences(daily_digest=True, digest_at=time(17, 0))
    morning = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
    hold = hold_for(now=morning, channel=C.EMAIL, priority=Priority.LOW, preferences=digest)
    assert hold is not None and hold.reason is HoldReason.DIGEST
    assert hold.until == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 17:00 the same day
    assert hold_for(now=morning, channel=C.EMAIL, priority=Priority.NORMAL, preferences=digest) is None


def test_plan_one_delivery_per_recipient_and_channel_they_accept() -> None:
    leader = Recipient("staff:L", "Leader", "leader@example.vn", "0900000001")
    office = Recipient("commune-office:17011", "Office", None, "0900000002")
    wanted = {
        leader.key: (leader, frozenset({C.EMAIL, C.SMS, C.IN_APP})),
        office.key: (office, frozenset({C.EMAIL, C.IN_APP})),
    }
    prefs = {leader.key: Preferences(channels=frozenset({C.EMAIL}))}
    planned = plan(wanted, prefs, priority=Priority.NORMAL, now=LATE_EVENING, available=frozenset(C))
    assert sorted((p.recipient_key, p.channel) for p in planned) == [
        ("commune-office:17011", C.IN_APP),  # no email address: nothing on email
        ("staff:L", C.EMAIL),
        ("staff:L", C.IN_APP),  # the inbox is kept even when turned off
    ]


def test_transient_failures_back_off_with_jitter_and_honour_retry_after() -> None:
    policy = BackoffPolicy(max_attempts=3, base_delay_s=2.0, max_delay_s=60.0)
    now = LATE_EVENING
    top = after_attempt(
        SendResult.transient("503"), attempts_done=2, now=now, policy=policy, uniform=lambda a, b: b
    )
    assert top == after_attempt(
        SendResult.transient("503"), attempts_done=2, now=now, policy=policy, uniform=max
    )
    assert top.state is DeliveryState.RETRYING and top.next_attempt_at == now + timedelta(seconds=4)
    low = after_attempt(
        SendResult.transient("503"), attempts_done=2, now=now, policy=policy, uniform=lambda a, b: a
    )
    assert low.next_attempt_at == now + timedelta(seconds=2)
    told = SendResult.transient("429", status_code=429, retry_after_s=30)
    assert after_attempt(told, attempts_done=1, now=now, policy=policy).next_attempt_at == now + timedelta(
        seconds=30
    )
    assert (
        after_attempt(SendResult.transient("503"), attempts_done=3, now=now, policy=policy).state
        is DeliveryState.FAILED
    )
    assert (
        after_attempt(SendResult.permanent("550"), attempts_done=1, now=now, policy=policy).state
        is DeliveryState.FAILED
    )
    assert (
        after_attempt(SendResult.delivered(), attempts_done=1, now=now, policy=policy).state
        is DeliveryState.DELIVERED
    )


@pytest.mark.parametrize(
    ("status", "kind", "gone"),
    [
        (200, ResultKind.DELIVERED, False),
        (204, ResultKind.DELIVERED, False),
        (500, ResultKind.TRANSIENT, False),
        (429, ResultKind.TRANSIENT, False),
        (410, ResultKind.PERMANENT, True),
        (400, ResultKind.PERMANENT, False),
    ],
)
def test_http_answers_are_classified(status: int, kind: ResultKind, gone: bool) -> None:
    result = classify_http(status, "12")
    assert (result.kind, result.gone) == (kind, gone)
    if status == 429:
        assert result.retry_after_s == 12


def test_templates_render_in_a_sandbox_and_a_bad_variable_is_named() -> None:
    renderer = TemplateRenderer()
    context = sample_context(REPORTED)
    assert context is not None
    context = {**context, "recipient": {"name": "A"}, "severity_label": "high"}
    rendered = renderer.render(subject="{{ reference }}", body="{{ school.name }}", context=context)
    assert (rendered.subject, rendered.body) == ("SC-2026-000123", "Trường Tiểu học Châu Hạnh 1")
    with pytest.raises(TemplateProblem) as misspelt:
        renderer.render(subject="x", body="{{ event.schol_code }}", context=context)
    assert misspelt.value.part == "body" and "schol_code" in misspelt.value.reason
    with pytest.raises(TemplateProblem):
        renderer.render(subject="{{ ''.__class__.__mro__ }}", body="x", context=context)
    with pytest.raises(TemplateProblem):
        renderer.check_syntax("body", "{% if %}")


def test_the_fallback_text_keeps_the_facts() -> None:
    context = sample_context(REPORTED)
    assert context is not None
    fallback = fallback_message({**context, "severity_label": "nghiêm trọng"}, Language.VI)
    assert "SC-2026-000123" in fallback.subject
    assert "Trường Tiểu học Châu Hạnh 1" in fallback.body and "nghiêm trọng" in fallback.body


def test_standard_webhooks_signature_matches_the_specs_example() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign(secret, message_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330"}
    signed = {**headers, "webhook-signature": signature}
    assert verify(secret, signed, body, now=1614265330 + 60)
    assert not verify(secret, signed, body + b" ", now=1614265330 + 60)
    assert not verify(secret, signed, body, now=1614265330 + 6 * 60)  # a replay, past the 5-minute tolerance


def test_subscription_filters_take_types_and_patterns() -> None:
    assert accepts([], REPORTED)
    assert accepts(["incidents.incident.*"], REPORTED)
    assert accepts([REPORTED], REPORTED)
    assert not accepts(["activities.*"], REPORTED)


def test_webhook_urls_must_be_public_https_outside_development() -> None:
    assert check_url("https://hooks.example.vn/x", allow_private=False) == "hooks.example.vn"
    for url in (
        "http://hooks.example.vn/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://localhost/x",
    ):
        with pytest.raises(UnsafeUrl):
            check_url(url, allow_private=False)
    assert check_url("http://127.0.0.1:8080/x", allow_private=True) == "127.0.0.1"


def test_templates_show_event_times_as_people_in_nghe_an_read_them() -> None:
    assert local_time("2026-11-23T17:19:44.843531Z") == "00:19 24/11/2026"
    assert local_time(None) == "—"
    with pytest.raises(ValueError, match="no time zone"):
        local_time("2026-11-23T17:19:44")
    rendered = TemplateRenderer().render(
        subject="{{ reference }}",
        body="Xác nhận trước {{ due|local_time }}",
        context={"reference": "INC-1", "due": "2026-11-23T01:00:00+00:00"},
    )
    assert rendered.body == "Xác nhận trước 08:00 23/11/2026"


@pytest.mark.parametrize(
    "body",
    [
        '{{ "x" * 50000000 }}',  # one huge string
        '{% for i in range(100000) %}{{ "yyyyyyyyyy" }}{% endfor %}',  # a million characters, bit by bit
        "{{ 7 ** 700000 }}",  # folded at compile time: a ValueError, not a TemplateError
        "{% set n = 3 %}{{ n ** 100000000 }}",  # minutes of arithmetic
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",  # a RecursionError
    ],
)
def test_a_template_cannot_make_huge_output_or_crash_the_renderer(body: str) -> None:
    with pytest.raises(TemplateProblem) as problem:
        TemplateRenderer().render(subject="x", body=body, context={})
    assert problem.value.part == "body"


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # shared address space (RFC 6598): a cloud's metadata service lives here
        "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
        "fec0::1",  # IPv6 site-local
        "::ffff:169.254.169.254",
    ],
)
def test_webhook_urls_may_not_target_addresses_that_are_not_global(address: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_addresses([address])
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(UnsafeUrl):
        check_url(f"https://{host}/hook", allow_private=False)
    check_addresses(["203.113.131.1", "2001:ee0:4001::1", "2002:cb71:8301::"])  # public, also via 6to4


def test_retry_after_as_an_http_date_is_honoured() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(minutes=5), usegmt=True)  # "Mon, 23 Nov 2026 10:05:00 GMT"
    assert parse_retry_after(later, now=now) == 300
    assert parse_retry_after(format_datetime(now - timedelta(minutes=5), usegmt=True), now=now) == 0
    assert parse_retry_after("soon", now=now) is None
    assert classify_http(503, later).retry_after_s is not None


@dataclass(frozen=True)
class _Hook:
    name: str
    event_types: list[str]
    cluster_nos: list[int] | None


def test_an_event_goes_to_the_subscriptions_whose_filter_and_grant_take_it() -> None:
    hooks = [
        _Hook("all", [], None),
        _Hook("incidents of cluster 2", ["*.incident.*"], [2]),
        _Hook("activities", ["activities.*"], None),
        _Hook("reports of clusters 1 and 3", ["incidents.incident.reported.v1"], [1, 3]),
    ]
    reported = "vn.gov.nghean.edu.incidents.incident.reported.v1"
    names = [hook.name for hook in subscriptions_for(hooks, event_type=reported, cluster_nos=[3])]
    assert names == ["all", "reports of clusters 1 and 3"]
    names = [hook.name for hook in subscriptions_for(hooks, event_type=reported, cluster_nos=[2])]
    assert names == ["all", "incidents of cluster 2"]
    assert [h.name for h in subscriptions_for(hooks, event_type=reported, cluster_nos=[])] == ["all"]
