"""Reads of the templates: list them, and preview one against a sample of its event type.

The samples are real event objects (so they validate), rendered through the same context as a delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from services.notifications.recipients.domain import facts_of
from services.notifications.templates.domain import (
    Language,
    Rendered,
    TemplateProblem,
    TemplateRenderer,
    event_context,
    recipient_context,
)
from services.notifications.templates.models import PreviewRequest, Template
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events import EventPayload
from shared.events.activities import (
    ActivityCancelledV1,
    ActivityKind,
    ActivityStatus,
    ActivitySummaryV1,
    RegistrationOpenedV1,
    ResultsPublishedV1,
)
from shared.events.incidents import (
    DeadlineKind,
    EscalationLevel,
    IncidentAcknowledgedV1,
    IncidentEscalatedV1,
    IncidentLabelsV1,
    IncidentReportedV1,
    IncidentResolvedV1,
    IncidentStatus,
    RouteKind,
    ScopeRole,
)
from shared.events.notices import (
    AddresseeKind,
    AddresseeV1,
    MissingSchoolV1,
    NoticeAudienceV1,
    NoticeLinksV1,
    NoticePublishedV1,
    NoticeReminderSentV1,
    PrincipalGroupV1,
    ReturnOverdueV1,
)
from shared.events.notifications import DeliveryChannel


async def list_templates(
    *, uow: UnitOfWork, event_type: str | None, channel: DeliveryChannel | None, language: Language | None
) -> Sequence[Template]:
    query = select(Template).order_by(col(Template.event_type), col(Template.channel), col(Template.language))
    if event_type:
        query = query.where(col(Template.event_type) == event_type)
    if channel:
        query = query.where(col(Template.channel) == channel)
    if language:
        query = query.where(col(Template.language) == language)
    return (await uow.session.exec(query)).all()


def preview(*, renderer: TemplateRenderer, request: PreviewRequest) -> Rendered:
    """Render against the request's context or a sample of the event type; a bad variable is a 422."""
    base = request.context if request.context is not None else sample_context(request.event_type)
    if base is None:
        raise Unprocessable(
            f"no sample for {request.event_type!r}: give a context to render with", field="context"
        )
    context = recipient_context(base, recipient_name="Nguyễn Văn A", language=request.language)
    try:
        return renderer.render(subject=request.subject, body=request.body, context=context)
    except TemplateProblem as problem:
        raise Unprocessable(f"template {problem.part}: {problem.reason}", field=problem.part) from problem


# The samples a preview renders against.

_AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
_INCIDENT: dict[str, Any] = {
    "incident_id": "00000000-0000-0000-0000-000000000001",
    "reference": "SC-2026-000123",
    "school_code": "29000101",
    "commune_code": "17011",
    "cluster_no": 3,
    "route": RouteKind.CLUSTER,
    "category": "food_poisoning",
    "severity": "critical",
    "restricted": False,
    "status": IncidentStatus.REPORTED,
    "occurred_at": _AT,
    "labels": IncidentLabelsV1(
        category_vi="Ngộ độc thực phẩm",
        category_en="Food poisoning",
        severity_vi="Đặc biệt nghiêm trọng",
        severity_en="Critical",
    ),
}
_ACTIVITY = ActivitySummaryV1(
    activity_id="00000000-0000-0000-0000-000000000002",
    title="Hội thi giáo viên dạy giỏi cấp cụm",
    kind=ActivityKind.TEACHER_CONTEST,
    status=ActivityStatus.REGISTRATION_OPEN,
    division_code="GDTH",
    division_name="Phòng Giáo dục Tiểu học",
    whole_province=False,
    cluster_nos=[3],
    levels=[],
    starts_at=_AT + timedelta(days=30),
    ends_at=_AT + timedelta(days=31),
    registration_opens_at=_AT,
    registration_closes_at=_AT + timedelta(days=14),
)


def samples() -> list[EventPayload]:
    """One event of each type the default templates cover, as a preview (and the tests) render them."""
    activity_id = _ACTIVITY.activity_id
    return [
        IncidentReportedV1(
            **_INCIDENT,
            reported_at=_AT,
            reporter_role="school_principal",
            injured=2,
            dead=0,
            missing=0,
            out_of_school=40,
            acknowledge_due_at=_AT + timedelta(minutes=15),
            resolve_due_at=_AT + timedelta(days=1),
            vacant_roles=[ScopeRole.CLUSTER_LEADER],
        ),
        IncidentEscalatedV1(
            **_INCIDENT,
            deadline=DeadlineKind.ACKNOWLEDGEMENT,
            due_at=_AT + timedelta(minutes=15),
            level=EscalationLevel.DEPARTMENT_OFFICE,
            level_rank=2,
            notify_role="department_officer",
            step=1,
            escalated_at=_AT + timedelta(minutes=15),
            vacant_roles=[ScopeRole.CLUSTER_LEADER],
        ),
        IncidentAcknowledgedV1(
            **{**_INCIDENT, "status": IncidentStatus.ACKNOWLEDGED},
            acknowledged_at=_AT + timedelta(minutes=20),
            actor_role="cluster_member",
            within_target=False,
            reporter_subject="hieutruong@example.vn",
        ),
        IncidentResolvedV1(
            **{**_INCIDENT, "status": IncidentStatus.RESOLVED},
            resolved_at=_AT + timedelta(hours=6),
            actor_role="commune_officer",
            within_target=True,
            reporter_subject="hieutruong@example.vn",
        ),
        RegistrationOpenedV1(
            activity_id=activity_id, activity=_ACTIVITY, eligible_school_codes=["29000101"], occurred_at=_AT
        ),
        ResultsPublishedV1(
            activity_id=activity_id,
            activity=_ACTIVITY,
            version=1,
            decision_number="123/QĐ-SGDĐT",
            decision_date=date(2026, 4, 20),
            entries=[],
            participant_school_codes=["29000101"],
            published_by="department_officer",
            occurred_at=_AT,
        ),
        ActivityCancelledV1(
            activity_id=activity_id,
            activity=_ACTIVITY,
            reason="Mưa bão",
            registered_school_codes=["29000101"],
            cancelled_by="department_officer",
            occurred_at=_AT,
        ),
        NoticePublishedV1(
            **_NOTICE,
            notice_date=date(2026, 9, 1),
            summary="Các trường báo cáo số liệu đầu năm học trước ngày 15/9.",
            audience=NoticeAudienceV1(principal_groups=[PrincipalGroupV1(cluster_nos=[1])]),
            cluster_nos=[1],
            addressees=[_ADDRESSEE],
            published_by="department_officer",
        ),
        NoticeReminderSentV1(**_NOTICE, addressee=_ADDRESSEE, cluster_nos=[1]),
        ReturnOverdueV1(
            notice_id=_NOTICE["notice_id"],
            number=_NOTICE["number"],
            title=_NOTICE["title"],
            form_name="Số liệu đầu năm học",
            due_at=_AT,
            cluster_no=1,
            cluster_nos=[1],
            missing=[
                MissingSchoolV1(
                    school_code="29000101", name="Trường Tiểu học Châu Hạnh 1", commune_code="17011"
                )
            ],
            expected_count=12,
            occurred_at=_AT,
        ),
    ]


_ADDRESSEE = AddresseeV1(
    key="school:29000101", kind=AddresseeKind.SCHOOL_PRINCIPAL, open_sig="sig", acknowledge_sig="sig"
)
_NOTICE: dict[str, Any] = {
    "notice_id": "notice-sample",
    "number": "1234/SGDĐT-VP",
    "title": "Về việc báo cáo số liệu đầu năm học 2026-2027",
    "issuing_unit": "Sở Giáo dục và Đào tạo Nghệ An",
    "reply_by": _AT + timedelta(days=7),
    "links": NoticeLinksV1(base_url="http://127.0.0.1:8005/links", expires_at=_AT + timedelta(days=30)),
    "occurred_at": _AT,
}


def sample_context(event_type: str) -> dict[str, Any] | None:
    """A context like the dispatcher builds, for an event type that has a sample; else None."""
    for event in samples():
        if event.event_type == event_type:
            facts = facts_of(event, event_id="sample", subject=event.subject(), event_time=_AT)
            return event_context(
                facts,
                event.model_dump(mode="json"),
                school_name="Trường Tiểu học Châu Hạnh 1",
                commune_name="Xã Châu Tiến",
            )
    return None
