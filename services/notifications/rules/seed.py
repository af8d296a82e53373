"""The default rules, seeded once; the Department edits them afterwards as data."""

from __future__ import annotations

from services.notifications.recipients.domain import RecipientRole as R
from services.notifications.rules.domain import Priority
from services.notifications.rules.models import Rule
from shared.events.activities import ActivityCancelledV1, RegistrationOpenedV1, ResultsPublishedV1
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentEscalatedV1,
    IncidentReportedV1,
    IncidentResolvedV1,
)
from shared.events.notices import NoticePublishedV1, NoticeReminderSentV1, ReturnOverdueV1
from shared.events.notifications import DeliveryChannel as C

EMAIL_AND_INBOX = [C.EMAIL, C.IN_APP]


def default_rules() -> list[Rule]:
    reported = IncidentReportedV1.event_type
    return [
        Rule(
            code="incident-reported",
            name="A reported incident: the cluster's leader and members, and the commune's office",
            event_type=reported,
            restricted=False,
            roles=[R.CLUSTER_LEADER, R.CLUSTER_MEMBERS, R.COMMUNE_OFFICE],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="incident-reported-restricted",
            name="A restricted (child-safety) case: only the cluster leader and the Department",
            event_type=reported,
            restricted=True,
            roles=[R.CLUSTER_LEADER, R.DEPARTMENT_DUTY_DESK],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="incident-reported-sms",
            name="High or critical: an SMS to the cluster leader too",
            event_type=reported,
            min_severity="high",
            roles=[R.CLUSTER_LEADER],
            channels=[C.SMS],
        ),
        Rule(
            code="incident-critical",
            name="Critical: the Department's leadership and duty desk at once, on every channel",
            event_type=reported,
            min_severity="critical",
            roles=[R.DEPARTMENT_LEADERSHIP, R.DEPARTMENT_DUTY_DESK],
            channels=[C.EMAIL, C.SMS, C.IN_APP],
            priority=Priority.CRITICAL,
        ),
        Rule(
            code="incident-escalated",
            name="An escalation: the level the escalation names",
            event_type=IncidentEscalatedV1.event_type,
            roles=[R.ESCALATION_TARGET],
            channels=[C.EMAIL, C.SMS, C.IN_APP],
        ),
        *_hearing_back("acknowledged", IncidentAcknowledgedV1.event_type, "taken in hand"),
        *_hearing_back("resolved", IncidentResolvedV1.event_type, "settled"),
        Rule(
            code="registration-opened",
            name="Registration opened: the principals of the eligible schools",
            event_type=RegistrationOpenedV1.event_type,
            roles=[R.ELIGIBLE_SCHOOL_PRINCIPALS],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="results-published",
            name="Results published: the participants' schools",
            event_type=ResultsPublishedV1.event_type,
            roles=[R.PARTICIPANT_SCHOOL_PRINCIPALS],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="activity-cancelled",
            name="An activity called off: the schools that had people registered",
            event_type=ActivityCancelledV1.event_type,
            roles=[R.REGISTERED_SCHOOL_PRINCIPALS],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="notice-published",
            name="A notice of the Department: everyone its audience names (principals, communes' offices)",
            event_type=NoticePublishedV1.event_type,
            roles=[R.NOTICE_AUDIENCE],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="notice-reminder",
            name="A notice not yet acknowledged as its reply date nears: the addressee, once",
            event_type=NoticeReminderSentV1.event_type,
            roles=[R.NOTICE_ADDRESSEES],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code="return-overdue",
            name="A return past its due date: the cluster leader hears of the cluster's missing schools",
            event_type=ReturnOverdueV1.event_type,
            roles=[R.CLUSTER_LEADER],
            channels=EMAIL_AND_INBOX,
        ),
    ]


def _hearing_back(what: str, event_type: str, said: str) -> list[Rule]:
    """The reporter hears when their report is taken in hand and when it is settled; the school's principal
    and the commune's office see the same in their inbox (not for a restricted case: its details are for
    the cluster leader and the Department)."""
    return [
        Rule(
            code=f"incident-{what}-reporter",
            name=f"The reporter hears that their report was {said}",
            event_type=event_type,
            roles=[R.REPORTER],
            channels=EMAIL_AND_INBOX,
        ),
        Rule(
            code=f"incident-{what}-inbox",
            name=f"The school's principal and the commune's office see in their inbox that it was {said}",
            event_type=event_type,
            restricted=False,
            roles=[R.SCHOOL_PRINCIPAL, R.COMMUNE_OFFICE],
            channels=[C.IN_APP],
        ),
    ]
