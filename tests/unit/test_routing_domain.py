"""Routing that always reaches someone, without I/O: who of an incident's scope is missing and what the
timeline says (incidents), which step a vacant cluster leader's step passes to (incidents), and who stands
in for a role of the chain that resolves to nobody (notifications)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.incidents.escalations.domain import DUTY_DESK_ROLE, pass_over_vacancy
from services.incidents.incidents.domain import Staffing, vacancy_note, vacant_roles
from services.notifications.coverage.domain import Audience, falls_through
from services.notifications.labels.domain import vacancies
from services.notifications.recipients.domain import (
    EventFacts,
    Recipient,
    RecipientRole,
    Target,
    TargetKind,
    facts_of,
    targets_for,
)
from services.notifications.templates.domain import event_context
from services.notifications.templates.queries import samples
from shared.events.incidents import (
    EscalationLevel,
    IncidentAcknowledgedV1,
    IncidentEscalatedV1,
    IncidentReportedV1,
    ScopeRole,
)
from shared.events.notifications import DeliveryChannel as C

L = EscalationLevel
MUONG_XEN = "Xã Mường Xén"


def test_a_cluster_with_nobody_and_a_commune_without_an_office_name_every_vacancy_in_vietnamese() -> None:
    nobody = Staffing(cluster_no=1, commune_name=MUONG_XEN)
    assert vacant_roles(nobody) == [
        ScopeRole.CLUSTER_LEADER,
        ScopeRole.CLUSTER_MEMBERS,
        ScopeRole.COMMUNE_OFFICE,
    ]
    assert vacancy_note(nobody, vacant_roles(nobody)) == (
        "cụm 1 chưa có cụm trưởng và thành viên; Xã Mường Xén chưa có đầu mối Phòng Văn hóa - Xã hội: "
        "chuyển Văn phòng Sở"
    )
    no_leader = Staffing(cluster_no=1, commune_name=MUONG_XEN, has_members=True, has_commune_office=True)
    assert vacancy_note(no_leader, vacant_roles(no_leader)) == "cụm 1 chưa có cụm trưởng: chuyển Văn phòng Sở"


def test_a_staffed_scope_misses_nobody_and_a_department_commune_has_no_cluster_roles_to_miss() -> None:
    staffed = Staffing(3, "Phường Thái Hòa", has_leader=True, has_members=True, has_commune_office=True)
    assert vacant_roles(staffed) == [] and vacancy_note(staffed, []) == ""
    vinh = Staffing(cluster_no=None, commune_name="Phường Thành Vinh")
    assert vacant_roles(vinh) == [ScopeRole.COMMUNE_OFFICE]
    unknown_commune = Staffing(cluster_no=None, commune_name=None)
    assert vacant_roles(unknown_commune) == []


def test_a_vacant_leaders_step_passes_at_once_to_the_next_step_that_has_a_person() -> None:
    later = [(L.CLUSTER_LEADER, "cluster_leader"), (L.DEPARTMENT_OFFICE, "department_officer")]
    passed = pass_over_vacancy(L.CLUSTER_LEADER, "cluster_leader", has_leader=False, later=later)
    assert (passed.level, passed.notify_role, passed.vacant) == (
        L.DEPARTMENT_OFFICE,
        "department_officer",
        (ScopeRole.CLUSTER_LEADER,),
    )
    to_leadership = pass_over_vacancy(
        L.CLUSTER_LEADER,
        "cluster_leader",
        has_leader=False,
        later=[(L.DEPARTMENT_LEADERSHIP, "department_admin")],
    )
    assert to_leadership.level is L.DEPARTMENT_LEADERSHIP
    last = pass_over_vacancy(L.CLUSTER_LEADER, "cluster_leader", has_leader=False, later=[])
    assert (last.level, last.notify_role) == (L.DEPARTMENT_OFFICE, DUTY_DESK_ROLE)  # never nobody
    kept = pass_over_vacancy(L.CLUSTER_LEADER, "cluster_leader", has_leader=True, later=later)
    assert (kept.level, kept.vacant) == (L.CLUSTER_LEADER, ())
    office = pass_over_vacancy(L.DEPARTMENT_OFFICE, "department_officer", has_leader=False, later=[])
    assert (office.level, office.vacant) == (L.DEPARTMENT_OFFICE, ())


def facts(event_type: str) -> EventFacts:
    return EventFacts(
        event_id="e1",
        event_type=event_type,
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        severity="high",
        cluster_nos=(1,),
        commune_code="17011",
    )


def test_only_the_roles_of_an_incidents_chain_fall_through_to_the_duty_desk() -> None:
    reported, escalated = facts(IncidentReportedV1.event_type), facts(IncidentEscalatedV1.event_type)
    assert falls_through(RecipientRole.CLUSTER_LEADER, reported)
    assert falls_through(RecipientRole.COMMUNE_OFFICE, reported)
    assert falls_through(RecipientRole.ESCALATION_TARGET, escalated)
    # A principal or the reporter are told for their own sake; an acknowledgement is no step of the chain.
    assert not falls_through(RecipientRole.SCHOOL_PRINCIPAL, reported)
    assert not falls_through(RecipientRole.REPORTER, facts(IncidentAcknowledgedV1.event_type))
    assert not falls_through(RecipientRole.COMMUNE_OFFICE, facts(IncidentAcknowledgedV1.event_type))


def test_an_audience_knows_whom_the_desk_stands_in_for_and_whether_anyone_local_was_reached() -> None:
    desk = Recipient("department:duty-desk", "Văn phòng Sở", "vanphong@nghean.edu.vn")
    member = Recipient("staff:M1", "Thành viên M1", "m1@example.vn")
    heard = Audience()
    heard.note(RecipientRole.CLUSTER_LEADER, [Target(TargetKind.CLUSTER_LEADER, "1")], [])
    heard.add([desk], role=RecipientRole.CLUSTER_LEADER, channels=(C.EMAIL,), standing_in=True)
    assert heard.unreached  # the scope was named and nobody of it found
    heard.note(RecipientRole.CLUSTER_MEMBERS, [Target(TargetKind.CLUSTER_MEMBERS, "1")], [member])
    heard.add([member], role=RecipientRole.CLUSTER_MEMBERS, channels=(C.EMAIL, C.IN_APP))
    heard.add([desk], role=RecipientRole.DEPARTMENT_DUTY_DESK, channels=(C.SMS,))
    assert not heard.unreached
    assert heard.heard["department:duty-desk"].stands_in_for == [RecipientRole.CLUSTER_LEADER]
    assert heard.heard["department:duty-desk"].roles == [RecipientRole.DEPARTMENT_DUTY_DESK]
    assert heard.heard["department:duty-desk"].channels == {C.EMAIL, C.SMS}


def test_in_a_commune_the_department_directs_the_duty_desk_is_the_scopes_own() -> None:
    desk = Recipient("department:duty-desk", "Văn phòng Sở", "vanphong@nghean.edu.vn")
    heard = Audience()
    heard.note(RecipientRole.COMMUNE_OFFICE, [Target(TargetKind.COMMUNE_OFFICE, "16681")], [])
    assert heard.unreached
    heard.note(RecipientRole.CLUSTER_LEADER, [Target(TargetKind.DEPARTMENT, "duty-desk")], [desk])
    assert not heard.unreached
    elsewhere = Audience()  # the desk named for its own sake says nothing of the scope
    elsewhere.note(RecipientRole.DEPARTMENT_DUTY_DESK, [Target(TargetKind.DEPARTMENT, "duty-desk")], [desk])
    elsewhere.note(RecipientRole.COMMUNE_OFFICE, [Target(TargetKind.COMMUNE_OFFICE, "16681")], [])
    assert elsewhere.unreached


def test_notifications_words_the_vacancies_as_the_incidents_timeline_does() -> None:
    vacant = ["cluster_leader", "cluster_members", "commune_office"]
    assert vacancies(vacant, cluster_no=1, commune_name=MUONG_XEN, language="vi") == [
        "Cụm 1 chưa có cụm trưởng và thành viên",
        "Xã Mường Xén chưa có đầu mối Phòng Văn hóa - Xã hội",
    ]
    assert vacancies(["cluster_leader"], cluster_no=1, commune_name=None, language="en") == [
        "Cluster 1 has no leader"
    ]


def test_the_reporters_account_reaches_the_fan_out_but_never_a_template_or_a_webhook() -> None:
    [acknowledged] = [e for e in samples() if isinstance(e, IncidentAcknowledgedV1)]
    found = facts_of(acknowledged, event_id="e1", subject=acknowledged.subject(), event_time=None)
    assert targets_for(RecipientRole.REPORTER, found) == [Target(TargetKind.PERSON, "hieutruong@example.vn")]
    context = event_context(found, acknowledged.model_dump(mode="json"))
    assert "reporter_subject" not in context["event"]  # the webhook's data is this
    assert "hieutruong" not in str(context)
