"""The activities service's rules without I/O: eligibility, capacity and the waiting list, ranking with
ties, award order, result versions, the status machine, schedules and the support program's totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.activities.access import domain as access
from services.activities.activities import domain as activity_rules
from services.activities.activities.domain import Audience, SchoolFacts, Seats
from services.activities.proposals import domain as proposal_rules
from services.activities.proposals.domain import ProposalStatus
from services.activities.registrations import domain as registration_rules
from services.activities.registrations.domain import StaffFacts
from services.activities.results import domain as result_rules
from services.activities.results.domain import RankedLine, ScoreLine
from services.activities.support import domain as support_rules
from shared.auth import Principal, Role
from shared.errors import ServiceError
from shared.events.activities import ActivityStatus, Award, Eligibility, ParticipantKind, RegistrationStatus

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
S = ActivityStatus


def audience(**eligibility: object) -> Audience:
    return Audience(
        whole_province=False,
        cluster_nos=[3],
        levels=["primary"],
        eligibility=Eligibility.model_validate({"staff_roles": ["core_teacher"], **eligibility}),
    )


def school(
    code: str = "S1", level: str = "primary", cluster_no: int | None = 3, status: str = "active"
) -> SchoolFacts:
    return SchoolFacts(code=code, level=level, cluster_no=cluster_no, status=status)


def staff(roles: tuple[str, ...] = ("teacher", "core_teacher"), school_code: str = "S1") -> StaffFacts:
    return StaffFacts(
        code="T1", full_name="Nguyễn Văn A", roles=roles, school_code=school_code, subject="Toán", active=True
    )


def check(aud: Audience, **changes: object) -> None:
    arguments: dict[str, object] = {
        "school": school(),
        "school_code": "S1",
        "kind": ParticipantKind.TEACHER,
        "staff": staff(),
        "staff_code": "T1",
        "full_name": None,
        "subject": None,
    }
    registration_rules.check_participant(aud, **{**arguments, **changes})  # type: ignore[arg-type]


def rule_of(call: object) -> str:
    assert callable(call)
    with pytest.raises(ServiceError) as broken:
        call()
    rule = broken.value.rule
    assert rule is not None
    return rule


# --- eligibility -------------------------------------------------------------------------------------


def test_an_eligible_core_teacher_passes() -> None:
    check(audience())


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"school": None}, "school_unknown"),
        ({"school": school(status="merged")}, "school_inactive"),
        ({"school": school(level="preschool")}, "eligibility_level"),
        ({"school": school(cluster_no=4)}, "eligibility_cluster"),
        ({"school": school(cluster_no=None)}, "eligibility_cluster"),
        ({"staff": staff(roles=("teacher",))}, "eligibility_role"),
        ({"staff": staff(school_code="S2")}, "staff_school"),
        ({"staff": None}, "staff_unknown"),
        ({"staff_code": None}, "staff_code_required"),
        ({"kind": ParticipantKind.PUPIL, "full_name": "Lê Thị B"}, "eligibility_participant_kind"),
    ],
)
def test_ineligible_registrations_name_the_rule(changes: dict[str, object], rule: str) -> None:
    assert rule_of(lambda: check(audience(), **changes)) == rule


def test_an_inter_level_school_takes_part_in_what_either_level_is_invited_to() -> None:
    check(audience(), school=school(level="inter_level"))


def test_subjects_compare_without_case_or_spacing() -> None:
    check(audience(subjects=["toán"]))
    assert rule_of(lambda: check(audience(subjects=["Ngữ văn"]))) == "eligibility_subject"


def test_a_province_wide_activity_admits_schools_in_no_cluster_unless_clusters_are_named() -> None:
    province = Audience(
        whole_province=True, cluster_nos=[1, 2, 3, 4, 5], levels=["primary"], eligibility=Eligibility()
    )
    assert activity_rules.school_refusal(province, school(cluster_no=None), "S1") is None
    only_3 = Audience(
        whole_province=True,
        cluster_nos=[1, 2, 3, 4, 5],
        levels=["primary"],
        eligibility=Eligibility(cluster_nos=[3]),
    )
    refusal = activity_rules.school_refusal(only_3, school(cluster_no=None), "S1")
    assert refusal is not None and refusal.rule == "eligibility_cluster"


def test_eligibility_clusters_narrow_the_activitys_clusters() -> None:
    two = Audience(
        whole_province=False, cluster_nos=[3, 4], levels=["primary"], eligibility=Eligibility(cluster_nos=[4])
    )
    assert activity_rules.school_refusal(two, school(cluster_no=3), "S1") is not None
    assert activity_rules.school_refusal(two, school(cluster_no=4), "S1") is None


def test_the_same_person_gets_the_same_key_whatever_the_spelling_of_spaces_and_case() -> None:
    def key(name: str) -> str:
        return registration_rules.participant_key(
            ParticipantKind.PUPIL,
            school_code="S1",
            staff_code=None,
            full_name=name,
            birth_date=date(2014, 5, 1),
        )

    assert key("Lê  Thị Bình") == key("lê thị bình ")
    assert key("Lê Thị Bình") != key("Lê Thị Bính")


# --- window, capacity and the waiting list -----------------------------------------------------------


def test_registration_only_inside_the_window_of_an_open_activity() -> None:
    opens, closes = NOW - timedelta(days=1), NOW + timedelta(days=1)
    registration_rules.check_window(S.REGISTRATION_OPEN, opens_at=opens, closes_at=closes, now=NOW)
    for status, now in (
        (S.PLANNED, NOW),
        (S.REGISTRATION_OPEN, closes),
        (S.REGISTRATION_OPEN, opens - timedelta(1)),
    ):
        assert (
            rule_of(
                lambda s=status, n=now: registration_rules.check_window(
                    s, opens_at=opens, closes_at=closes, now=n
                )
            )
            == "registration_window"
        )


def test_places_then_the_waiting_list_then_a_refusal() -> None:
    assert Seats(capacity=2, taken=1, waitlist_enabled=True).place() is RegistrationStatus.REGISTERED
    assert Seats(capacity=2, taken=2, waitlist_enabled=True).place() is RegistrationStatus.WAITLISTED
    assert Seats(capacity=None, taken=999, waitlist_enabled=False).place() is RegistrationStatus.REGISTERED
    assert rule_of(lambda: Seats(capacity=2, taken=2, waitlist_enabled=False).place()) == "capacity"


def test_freed_places_go_to_as_many_waiting_as_fit() -> None:
    assert Seats(capacity=10, taken=9, waitlist_enabled=True).promotable(3) == 1
    assert Seats(capacity=20, taken=9, waitlist_enabled=True).promotable(3) == 3
    assert Seats(capacity=10, taken=10, waitlist_enabled=True).promotable(1) == 0
    assert Seats(capacity=None, taken=10, waitlist_enabled=True).promotable(2) == 2


def test_a_capacity_cannot_drop_below_the_seats_taken() -> None:
    Seats(capacity=3, taken=3, waitlist_enabled=True).check_holds_taken()
    Seats(capacity=None, taken=3, waitlist_enabled=True).check_holds_taken()
    assert (
        rule_of(lambda: Seats(capacity=2, taken=3, waitlist_enabled=True).check_holds_taken()) == "capacity"
    )


def test_no_withdrawal_once_the_activity_runs() -> None:
    registration_rules.check_withdrawal(S.REGISTRATION_CLOSED)
    assert rule_of(lambda: registration_rules.check_withdrawal(S.IN_PROGRESS)) == "withdrawal_window"


# --- results -----------------------------------------------------------------------------------------


def test_ranking_gives_ties_the_same_rank_and_skips_the_next() -> None:
    lines = [
        ScoreLine("a", 15.0, None),
        ScoreLine("b", 18.5, None),
        ScoreLine("c", None, None),
        ScoreLine("d", 18.5, None),
        ScoreLine("e", 17.0, None),
        ScoreLine("f", 18.499999999, None),
    ]
    ranked = result_rules.rank_with_ties(lines)
    assert [(line.registration_id, line.rank) for line in ranked] == [
        ("b", 1),
        ("d", 1),
        ("f", 1),
        ("e", 4),
        ("a", 5),
        ("c", None),
    ]


def test_a_better_rank_never_gets_a_lesser_award() -> None:
    def ranked(*awards: tuple[int, Award | None]) -> list[RankedLine]:
        return [RankedLine(str(n), 10.0, rank, award) for n, (rank, award) in enumerate(awards)]

    result_rules.check_award_order(ranked((1, Award.FIRST), (1, Award.FIRST), (3, Award.SECOND), (4, None)))
    result_rules.check_award_order(ranked((1, Award.FIRST), (2, Award.PASS), (3, Award.PASS)))
    bad = ranked((1, Award.SECOND), (2, Award.FIRST))
    assert rule_of(lambda: result_rules.check_award_order(bad)) == "award_order"
    unequal_tie_then_better = ranked((1, Award.FIRST), (1, Award.THIRD), (3, Award.SECOND))
    assert rule_of(lambda: result_rules.check_award_order(unequal_tie_then_better)) == "award_order"


def test_entries_must_be_distinct_registered_participants() -> None:
    result_rules.check_entries([ScoreLine("a", 1.0, None)], participants={"a"})
    assert rule_of(lambda: result_rules.check_entries([ScoreLine("x", 1.0, None)], participants={"a"})) == (
        "results_participant"
    )
    twice = [ScoreLine("a", 1.0, None), ScoreLine("a", 2.0, None)]
    assert rule_of(lambda: result_rules.check_entries(twice, participants={"a"})) == "results_duplicate"


def test_published_results_are_final_and_a_correction_is_a_new_version() -> None:
    assert result_rules.next_version(None, correction_reason=None) == (1, None)
    assert rule_of(lambda: result_rules.next_version(1, correction_reason=None)) == "results_final"
    assert result_rules.next_version(2, correction_reason="score added twice") == (3, 2)
    assert rule_of(lambda: result_rules.next_version(None, correction_reason="why")) == "correction_reason"


def test_results_only_once_the_activity_runs() -> None:
    result_rules.check_can_publish(S.IN_PROGRESS)
    assert rule_of(lambda: result_rules.check_can_publish(S.REGISTRATION_OPEN)) == "results_timing"


# --- the activity's life -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PLANNED, S.COMPLETED),
        (S.COMPLETED, S.CANCELLED),
        (S.CANCELLED, S.PLANNED),
        (S.REGISTRATION_OPEN, S.IN_PROGRESS),
    ],
)
def test_the_status_machine_refuses_jumps(current: ActivityStatus, target: ActivityStatus) -> None:
    assert (
        rule_of(lambda: activity_rules.check_transition(current, target, reason="x")) == "status_transition"
    )


def test_cancelling_needs_a_reason() -> None:
    assert (
        rule_of(lambda: activity_rules.check_transition(S.PLANNED, S.CANCELLED, reason=" "))
        == "cancel_reason"
    )
    activity_rules.check_transition(S.IN_PROGRESS, S.CANCELLED, reason="bão số 3")


def test_schedules_and_windows_must_be_in_order() -> None:
    start, end = NOW + timedelta(days=10), NOW + timedelta(days=11)
    activity_rules.check_schedule(activity_rules.Schedule(start, end, NOW, NOW + timedelta(days=5)))
    for schedule, rule in (
        (activity_rules.Schedule(end, start, None, None), "schedule"),
        (activity_rules.Schedule(start, end, NOW, None), "registration_window"),
        (activity_rules.Schedule(start, end, NOW, NOW - timedelta(1)), "registration_window"),
        (activity_rules.Schedule(start, end, NOW, end), "registration_window"),
    ):
        assert rule_of(lambda s=schedule: activity_rules.check_schedule(s)) == rule


def test_clusters_one_several_or_the_whole_province() -> None:
    assert activity_rules.check_scope(whole_province=False, cluster_nos=[4, 3, 3]) == [3, 4]
    assert activity_rules.check_scope(whole_province=True, cluster_nos=[]) == []
    assert rule_of(lambda: activity_rules.check_scope(whole_province=False, cluster_nos=[])) == "clusters"
    assert rule_of(lambda: activity_rules.check_scope(whole_province=True, cluster_nos=[1])) == "clusters"


def test_intervals_touching_at_an_end_do_not_clash() -> None:
    nine, eleven, one = NOW, NOW + timedelta(hours=2), NOW + timedelta(hours=4)
    assert not activity_rules.overlaps(nine, eleven, eleven, one)
    assert activity_rules.overlaps(nine, one, eleven, one)


def test_an_iso_week_is_monday_to_monday_in_vietnam_time() -> None:
    start, end = activity_rules.week_bounds("2026-W48")
    assert start == datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # Monday 23 Nov 00:00 in UTC+7
    assert end - start == timedelta(days=7)
    assert rule_of(lambda: activity_rules.week_bounds("2026-W60")) == "week"


# --- access ------------------------------------------------------------------------------------------


def test_cluster_leaders_manage_their_clusters_activities_but_not_province_wide_ones() -> None:
    leader = Principal(subject="l", role=Role.CLUSTER_LEADER, cluster_no=3)
    assert access.can_manage(leader, cluster_nos=[3, 4], whole_province=False)
    assert not access.can_manage(leader, cluster_nos=[4], whole_province=False)
    assert not access.can_manage(leader, cluster_nos=[1, 2, 3, 4, 5], whole_province=True)
    assert access.can_create(leader, cluster_nos=[3], whole_province=False)
    assert not access.can_create(leader, cluster_nos=[3, 4], whole_province=False)
    principal = Principal(subject="p", role=Role.SCHOOL_PRINCIPAL, school_id="S1")
    assert access.can_register_for(principal, "S1") and not access.can_register_for(principal, "S2")
    assert access.can_read(principal, cluster_nos=[3], whole_province=False, home_cluster=3)
    assert not access.can_read(principal, cluster_nos=[4], whole_province=False, home_cluster=3)


# --- support program and proposals -------------------------------------------------------------------


def test_a_school_year_starts_in_september() -> None:
    assert support_rules.school_year_of(date(2025, 9, 1)) == "2025-2026"
    assert support_rules.school_year_of(date(2026, 8, 31)) == "2025-2026"


def test_money_goods_and_equipment_need_a_value_within_the_pairing_period() -> None:
    from shared.events.activities import ContributionKind as K

    period = {"period_from": date(2025, 9, 1), "period_to": date(2026, 8, 31)}
    support_rules.check_contribution(kind=K.TRAINING, value_vnd=0, on=date(2025, 10, 1), **period)
    assert (
        rule_of(
            lambda: support_rules.check_contribution(
                kind=K.MONEY, value_vnd=0, on=date(2025, 10, 1), **period
            )
        )
        == "contribution_value"
    )
    assert (
        rule_of(
            lambda: support_rules.check_contribution(kind=K.GOODS, value_vnd=5, on=date(2027, 1, 1), **period)
        )
        == "contribution_period"
    )


def test_totals_are_whole_vnd_grouped_and_largest_first() -> None:
    def fact(
        year: str, kind: str, value: int, helper: str, cluster: int | None
    ) -> support_rules.ContributionFacts:
        return support_rules.ContributionFacts(
            school_year=year,
            period_code="2023-2028",
            kind=kind,
            value_vnd=value,
            helper_code=helper,
            helped_code="H",
            helper_cluster_no=cluster,
            helped_cluster_no=3,
        )

    facts = [
        fact("2025-2026", "money", 3_000_000_000, "A", 1),
        fact("2025-2026", "goods", 200_000_001, "B", None),
        fact("2026-2027", "money", 1, "A", 1),
    ]
    assert support_rules.totals(facts, support_rules.TotalsBy.SCHOOL_YEAR) == [
        ("2025-2026", 2, 3_200_000_001),
        ("2026-2027", 1, 1),
    ]
    assert support_rules.totals(facts, support_rules.TotalsBy.HELPER_CLUSTER) == [
        ("1", 2, 3_000_000_001),
        ("none", 1, 200_000_001),
    ]


def test_a_proposal_is_reviewed_before_it_is_decided_with_reasons() -> None:
    P = ProposalStatus
    proposal_rules.check_transition(P.PROPOSED, P.UNDER_REVIEW, reasons=None)
    assert rule_of(lambda: proposal_rules.check_transition(P.PROPOSED, P.APPROVED, reasons="ok")) == (
        "proposal_transition"
    )
    assert rule_of(lambda: proposal_rules.check_transition(P.UNDER_REVIEW, P.REJECTED, reasons="")) == (
        "decision_reasons"
    )


# --- the support program's periods, its new kinds, and the upper-secondary and GDTX levels -------------

PERIODS = [
    support_rules.PeriodSpan("2019-2023", date(2019, 9, 1), date(2023, 8, 31)),
    support_rules.PeriodSpan("2023-2028", date(2023, 9, 1), date(2028, 8, 31)),
]


def test_a_contribution_belongs_to_the_period_its_date_falls_in() -> None:
    assert support_rules.contribution_period(date(2023, 8, 31), PERIODS) == "2019-2023"
    assert support_rules.contribution_period(date(2023, 9, 1), PERIODS) == "2023-2028"
    assert support_rules.contribution_period(date(2028, 8, 31), PERIODS) == "2023-2028"
    assert rule_of(lambda: support_rules.contribution_period(date(2019, 8, 31), PERIODS)) == "support_period"
    assert rule_of(lambda: support_rules.contribution_period(date(2028, 9, 1), PERIODS)) == "support_period"


def test_a_pairing_belongs_to_the_period_it_starts_in_and_may_not_outlast_it() -> None:
    assert (
        support_rules.pairing_period(period_from=date(2020, 1, 6), period_to=None, periods=PERIODS)
        == "2019-2023"
    )
    assert (
        support_rules.pairing_period(
            period_from=date(2025, 9, 1), period_to=date(2028, 8, 31), periods=PERIODS
        )
        == "2023-2028"
    )
    with pytest.raises(ServiceError) as outlasting:
        support_rules.pairing_period(
            period_from=date(2022, 9, 1), period_to=date(2024, 5, 1), periods=PERIODS
        )
    assert (outlasting.value.rule, outlasting.value.field) == ("pairing_period_bounds", "period_to")
    with pytest.raises(ServiceError) as before:
        support_rules.pairing_period(period_from=date(2018, 9, 1), period_to=None, periods=PERIODS)
    assert (before.value.rule, before.value.field) == ("support_period", "period_from")


def test_a_new_period_overlaps_none_and_ends_after_it_starts() -> None:
    support_rules.check_new_period(
        support_rules.PeriodSpan("2028-2033", date(2028, 9, 1), date(2033, 8, 31)), PERIODS
    )
    overlapping = support_rules.PeriodSpan("2027-2032", date(2027, 9, 1), date(2032, 8, 31))
    assert rule_of(lambda: support_rules.check_new_period(overlapping, PERIODS)) == "period_overlap"
    again = support_rules.PeriodSpan("2023-2028", date(2040, 1, 1), date(2041, 1, 1))
    assert rule_of(lambda: support_rules.check_new_period(again, PERIODS)) == "period_exists"
    backwards = support_rules.PeriodSpan("2030-2029", date(2030, 1, 1), date(2029, 1, 1))
    assert rule_of(lambda: support_rules.check_new_period(backwards, [])) == "period_dates"


def test_exchanges_and_trade_union_activities_are_kinds_and_totals_go_by_period() -> None:
    from shared.events.activities import ContributionKindV2 as K

    period = {"period_from": date(2023, 9, 1), "period_to": None}
    for kind in (K.CULTURAL_EXCHANGE, K.SPORTS_EXCHANGE, K.TRADE_UNION):
        support_rules.check_contribution(kind=kind, value_vnd=0, on=date(2024, 3, 8), **period)

    def fact(period_code: str | None, kind: str, value: int) -> support_rules.ContributionFacts:
        return support_rules.ContributionFacts("2024-2025", period_code, kind, value, "A", "B", 1, 2)

    facts = [fact("2019-2023", "money", 5), fact("2023-2028", "trade_union", 7), fact(None, "goods", 1)]
    assert support_rules.totals(facts, support_rules.TotalsBy.PERIOD) == [
        ("2023-2028", 1, 7),
        ("2019-2023", 1, 5),
        ("none", 1, 1),
    ]


@pytest.mark.parametrize("level", ["upper_secondary", "continuing_education"])
def test_a_thpt_school_or_gdtx_centre_is_eligible_when_its_level_is_chosen(level: str) -> None:
    thpt = school(level=level)
    chosen = Audience(whole_province=False, cluster_nos=[3], levels=[level], eligibility=Eligibility())
    assert activity_rules.school_refusal(chosen, thpt, thpt.code) is None
    primary_only = Audience(
        whole_province=False, cluster_nos=[3], levels=["primary"], eligibility=Eligibility()
    )
    refusal = activity_rules.school_refusal(primary_only, thpt, thpt.code)
    assert refusal is not None and refusal.rule == "eligibility_level"
