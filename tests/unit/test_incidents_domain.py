"""The incidents service's rules without I/O: lifecycle, severity, routing, deadlines and chains, access
and statistics, on a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from services.incidents.catalog.domain import (
    EscalationStep,
    Measure,
    RaisingRule,
    classify,
    deadlines_from,
    plan_both,
    plan_escalations,
)
from services.incidents.catalog.seed import RULES, SEVERITIES
from services.incidents.escalations.domain import escalation_target, still_needed
from services.incidents.incidents.domain import (
    Action,
    InvalidTransition,
    KnownCommune,
    KnownSchool,
    Route,
    can_see,
    can_see_details,
    cancelled_by,
    may_act,
    next_status,
    report_refusal,
    route_for,
)
from services.incidents.reports.domain import (
    GroupBy,
    counts_per_week,
    iso_week,
    last_weeks,
    percentile,
    summarise,
    week_start,
)
from shared.auth import Principal, Role
from shared.clock import VIETNAM
from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus, RouteKind

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RANKS = {severity["code"]: severity["rank"] for severity in SEVERITIES}
SEED_RULES = [RaisingRule(r["category_code"], r["measure"], r["at_least"], r["raises_to"]) for r in RULES]


# Lifecycle


def test_the_happy_path_runs_reported_to_closed() -> None:
    status = IncidentStatus.REPORTED
    for action in (Action.ACKNOWLEDGE, Action.START, Action.RESOLVE, Action.CLOSE):
        status = next_status(status, action)
    assert status is IncidentStatus.CLOSED


def test_reopening_sends_an_incident_back_to_be_acknowledged_again() -> None:
    assert next_status(IncidentStatus.CLOSED, Action.REOPEN) is IncidentStatus.REPORTED
    assert next_status(IncidentStatus.RESOLVED, Action.REOPEN) is IncidentStatus.REPORTED


def test_an_invalid_transition_names_the_allowed_actions() -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(IncidentStatus.CLOSED, Action.RESOLVE)
    assert caught.value.allowed == (Action.REOPEN,)
    assert str(caught.value) == "cannot resolve an incident that is closed; allowed: reopen"
    with pytest.raises(InvalidTransition, match="allowed: acknowledge"):
        next_status(IncidentStatus.REPORTED, Action.RESOLVE)


# Severity


def test_food_poisoning_with_fifty_cases_is_critical_and_forty_nine_is_not() -> None:
    def severity(injured: int, dead: int = 0) -> str:
        return classify(
            category_code="food_poisoning",
            starting_severity="high",
            counts={Measure.INJURED: injured, Measure.DEAD: dead},
            rules=SEED_RULES,
            rank_of=RANKS,
        ).severity

    assert severity(49) == "high"
    assert severity(50) == "critical"
    assert severity(0, dead=1) == "critical"


def test_rules_only_raise_and_say_which_rule_did() -> None:
    asked_critical = classify(
        category_code="other", starting_severity="critical", counts={}, rules=SEED_RULES, rank_of=RANKS
    )
    assert (asked_critical.severity, asked_critical.raised_by) == ("critical", ())
    raised = classify(
        category_code="other",
        starting_severity="low",
        counts={Measure.INJURED: 12},
        rules=SEED_RULES,
        rank_of=RANKS,
    )
    assert raised.severity == "high"
    assert [rule.measure for rule in raised.raised_by] == [Measure.INJURED]
    # The food-poisoning rule does not apply to another category with 50 injured.
    other = classify(
        category_code="dangerous_building",
        starting_severity="medium",
        counts={Measure.INJURED: 50},
        rules=SEED_RULES,
        rank_of=RANKS,
    )
    assert other.severity == "high"


# Routing


def test_a_known_school_routes_to_the_cluster_its_commune_is_in_now() -> None:
    moved = route_for(
        school_code="29000101",
        commune_code=None,
        school=KnownSchool("16939", cluster_no=3),
        commune=KnownCommune(cluster_no=4),
    )
    assert moved == Route(RouteKind.CLUSTER, "16939", 4)


def test_a_commune_in_no_cluster_routes_to_the_department() -> None:
    route = route_for(school_code=None, commune_code="16681", school=None, commune=KnownCommune(None))
    assert route == Route(RouteKind.DEPARTMENT, "16681", None)


def test_an_unknown_school_or_commune_waits_at_the_duty_desk() -> None:
    assert route_for(school_code="x", commune_code=None, school=None, commune=None) == Route(
        RouteKind.DEPARTMENT_DUTY_DESK, None, None
    )
    assert route_for(school_code=None, commune_code="99999", school=None, commune=None).kind is (
        RouteKind.DEPARTMENT_DUTY_DESK
    )


# Deadlines and chains


CRITICAL_CHAIN = [EscalationStep.model_validate(step) for step in SEVERITIES[0]["escalation_chain"]]


def test_deadlines_follow_the_severity_targets() -> None:
    deadlines = deadlines_from(T0, acknowledge_minutes=15, resolve_minutes=24 * 60)
    assert deadlines.acknowledge_by == T0 + timedelta(minutes=15)
    assert deadlines.resolve_by == T0 + timedelta(days=1)


def test_the_critical_chain_climbs_one_level_per_step() -> None:
    ack_by = T0 + timedelta(minutes=15)
    plan = plan_escalations(deadline=DeadlineKind.ACKNOWLEDGEMENT, deadline_at=ack_by, chain=CRITICAL_CHAIN)
    assert [(p.step, p.level, p.due_at - ack_by) for p in plan] == [
        (1, EscalationLevel.CLUSTER_LEADER, timedelta(0)),
        (2, EscalationLevel.DEPARTMENT_OFFICE, timedelta(minutes=15)),
        (3, EscalationLevel.DEPARTMENT_LEADERSHIP, timedelta(minutes=45)),
        (4, EscalationLevel.PROVINCE, timedelta(minutes=105)),
    ]
    both = plan_both(deadlines_from(T0, acknowledge_minutes=15, resolve_minutes=60), CRITICAL_CHAIN)
    assert [p.deadline for p in both].count(DeadlineKind.RESOLUTION) == 4


def test_a_repeated_step_notifies_its_level_again_after_its_interval() -> None:
    chain = [
        EscalationStep(
            level=EscalationLevel.CLUSTER_LEADER,
            notify_role="cluster_leader",
            after_minutes=5,
            repeat=3,
            every_minutes=10,
        ),
        EscalationStep(
            level=EscalationLevel.DEPARTMENT_OFFICE, notify_role="department_officer", after_minutes=30
        ),
    ]
    plan = plan_escalations(deadline=DeadlineKind.RESOLUTION, deadline_at=T0, chain=chain)
    assert [(p.step, p.level.value, int((p.due_at - T0).total_seconds() // 60)) for p in plan] == [
        (1, "cluster_leader", 5),
        (2, "cluster_leader", 15),
        (3, "cluster_leader", 25),
        (4, "department_office", 55),
    ]


def test_without_a_cluster_the_department_office_takes_the_cluster_leaders_step() -> None:
    assert escalation_target(EscalationLevel.CLUSTER_LEADER, "cluster_leader", cluster_no=None) == (
        EscalationLevel.DEPARTMENT_OFFICE,
        "department_officer",
    )
    assert escalation_target(EscalationLevel.CLUSTER_LEADER, "cluster_leader", cluster_no=3) == (
        EscalationLevel.CLUSTER_LEADER,
        "cluster_leader",
    )


def test_acknowledged_incidents_are_not_chased_for_acknowledgement_but_still_for_resolution() -> None:
    assert still_needed(DeadlineKind.ACKNOWLEDGEMENT, IncidentStatus.REPORTED)
    assert not still_needed(DeadlineKind.ACKNOWLEDGEMENT, IncidentStatus.ACKNOWLEDGED)
    assert still_needed(DeadlineKind.RESOLUTION, IncidentStatus.IN_PROGRESS)
    assert not still_needed(DeadlineKind.RESOLUTION, IncidentStatus.RESOLVED)
    assert cancelled_by(IncidentStatus.ACKNOWLEDGED) == (DeadlineKind.ACKNOWLEDGEMENT,)
    assert set(cancelled_by(IncidentStatus.RESOLVED)) == set(DeadlineKind)
    assert cancelled_by(IncidentStatus.IN_PROGRESS) == ()


def test_a_chain_step_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="level"):
        EscalationStep.model_validate({"level": "mayor", "notify_role": "x", "after_minutes": 0})
    with pytest.raises(ValueError, match="after_minutes"):
        EscalationStep.model_validate({"level": "province", "notify_role": "x", "after_minutes": -1})


# Access


@dataclass
class Seen:
    cluster_no: int | None = 3
    commune_code: str | None = "16939"
    school_code: str | None = "29000101"
    reporter_subject: str = "principal@school"
    restricted: bool = False


def who(role: Role, **scope: object) -> Principal:
    return Principal(subject=f"{role}@tests", role=role, **scope)


def test_each_role_sees_its_own_scope_only() -> None:
    incident = Seen()
    assert can_see(who(Role.DEPARTMENT_OFFICER), incident)
    assert can_see(who(Role.CLUSTER_MEMBER, cluster_no=3), incident)
    assert not can_see(who(Role.CLUSTER_LEADER, cluster_no=4), incident)
    assert can_see(who(Role.SCHOOL_PRINCIPAL, school_id="29000101"), incident)
    assert not can_see(who(Role.SCHOOL_PRINCIPAL, school_id="29000102"), incident)
    assert can_see(who(Role.COMMUNE_OFFICER, commune_code="16939"), incident)
    assert not can_see(who(Role.COMMUNE_OFFICER, commune_code="17011"), incident)
    duty_desk = Seen(cluster_no=None, commune_code=None, reporter_subject="cluster_member@tests")
    assert can_see(who(Role.CLUSTER_MEMBER, cluster_no=5), duty_desk)  # their own report
    assert not can_see(who(Role.CLUSTER_MEMBER, cluster_no=4), Seen(cluster_no=None))


def test_restricted_details_are_for_the_cluster_leader_and_the_department() -> None:
    restricted = Seen(restricted=True)
    assert can_see_details(who(Role.CLUSTER_LEADER, cluster_no=3), restricted)
    assert can_see_details(who(Role.DEPARTMENT_ADMIN), restricted)
    assert not can_see_details(who(Role.CLUSTER_MEMBER, cluster_no=3), restricted)
    assert not can_see_details(who(Role.SCHOOL_PRINCIPAL, school_id="29000101"), restricted)
    assert can_see_details(who(Role.CLUSTER_MEMBER, cluster_no=3), Seen())


def test_who_may_report_where() -> None:
    in_3 = Route(RouteKind.CLUSTER, "16939", 3)
    assert report_refusal(who(Role.CLUSTER_MEMBER, cluster_no=3), school_code="a", route=in_3) is None
    assert report_refusal(who(Role.CLUSTER_MEMBER, cluster_no=4), school_code="a", route=in_3)
    principal = who(Role.SCHOOL_PRINCIPAL, school_id="a")
    assert report_refusal(principal, school_code="a", route=in_3) is None
    assert report_refusal(principal, school_code="b", route=in_3)
    assert report_refusal(who(Role.INTEGRATION_CLIENT), school_code="a", route=in_3)
    assert may_act(who(Role.CLUSTER_MEMBER, cluster_no=3), Action.ACKNOWLEDGE)
    assert not may_act(who(Role.CLUSTER_MEMBER, cluster_no=3), Action.CLOSE)
    assert not may_act(who(Role.SCHOOL_PRINCIPAL, school_id="a"), Action.RESOLVE)


# Statistics


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([10], 90) == 10
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)


@dataclass
class Measured:
    cluster_no: int | None
    commune_code: str | None
    category: str
    severity: str
    status: IncidentStatus
    reported_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    acknowledge_due_at: datetime
    resolve_due_at: datetime


def measured(cluster_no: int | None, ack_minutes: int | None, *, day: int = 0) -> Measured:
    reported = T0 + timedelta(days=day)
    return Measured(
        cluster_no=cluster_no,
        commune_code="16939",
        category="other",
        severity="low",
        status=IncidentStatus.ACKNOWLEDGED if ack_minutes is not None else IncidentStatus.REPORTED,
        reported_at=reported,
        acknowledged_at=reported + timedelta(minutes=ack_minutes) if ack_minutes is not None else None,
        resolved_at=None,
        acknowledge_due_at=reported + timedelta(hours=1),
        resolve_due_at=reported + timedelta(days=1),
    )


def test_summaries_group_and_measure_time_to_acknowledge() -> None:
    incidents = [measured(3, 10), measured(3, 20), measured(3, None), measured(None, 5, day=9)]
    by_cluster = {row.group: row for row in summarise(incidents, GroupBy.CLUSTER)}
    assert set(by_cluster) == {"3", "department"}
    three = by_cluster["3"]
    assert (three.count, three.open, three.acknowledged) == (3, 3, 2)
    assert three.acknowledge_median_minutes == 15
    assert three.acknowledge_p90_minutes == pytest.approx(19)
    assert three.resolve_median_minutes is None
    assert [row.group for row in summarise(incidents, GroupBy.WEEK)] == ["2026-W48", "2026-W49"]
    assert [row.group for row in summarise(incidents, GroupBy.MONTH)] == ["2026-11", "2026-12"]


def test_weeks_are_vietnamese_iso_weeks() -> None:
    sunday_night_utc = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # Monday 01:00 in Vinh
    assert week_start(sunday_night_utc, UTC) == date(2026, 11, 16)
    assert week_start(sunday_night_utc, VIETNAM) == date(2026, 11, 23)
    assert iso_week(date(2026, 11, 23)) == "2026-W48"
    assert iso_week(date(2026, 12, 28)) == "2026-W53" and iso_week(date(2027, 1, 4)) == "2027-W01"
    assert last_weeks(date(2026, 11, 25), 3) == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def test_counts_per_week_fill_empty_weeks_and_drop_older_ones() -> None:
    mondays = [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    at = datetime(2026, 11, 24, 3, tzinfo=UTC)
    reported = [
        (3, at),
        (3, at - timedelta(days=8)),
        (None, at),
        (4, at - timedelta(days=30)),  # before the first week: not counted
        (3, datetime(2026, 11, 22, 18, 0, tzinfo=UTC)),  # Monday 01:00 in Vinh: this week
    ]
    assert counts_per_week(reported, mondays, VIETNAM) == {3: [0, 1, 2], None: [0, 0, 1]}
    assert list(counts_per_week(reported, mondays, VIETNAM)) == [
        3,
        None,
    ]  # clusters first, the Department last
    assert counts_per_week([], mondays, VIETNAM) == {}
