"""What people read instead of codes, without I/O: incidents' statuses, roles, chain levels, deadlines and
routes, activities' kinds, and the names of event types, in Vietnamese and English.

Categories and severities are the incidents catalog's own names, carried by each incident event
(``labels``); the severities below are only for an older event without them. An unknown code is shown as
it is rather than hidden: a message must still say what happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

VI, EN = "vi", "en"

Labels = Mapping[str, tuple[str, str]]
"""code -> (Vietnamese, English)"""

SEVERITIES: Labels = {
    "critical": ("Đặc biệt nghiêm trọng", "Critical"),
    "high": ("Nghiêm trọng", "High"),
    "medium": ("Trung bình", "Medium"),
    "low": ("Thấp", "Low"),
}
"""The incidents catalog's seeded names, for an event that does not carry its own."""

STATUSES: Labels = {
    "reported": ("Mới báo cáo", "Reported"),
    "acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "in_progress": ("Đang xử lý", "In progress"),
    "resolved": ("Đã giải quyết", "Resolved"),
    "closed": ("Đã đóng", "Closed"),
}

ROLES: Labels = {
    "department_admin": ("Lãnh đạo Sở GD&ĐT", "Department leadership"),
    "department_officer": ("Văn phòng Sở GD&ĐT", "Department office"),
    "cluster_leader": ("Cụm trưởng", "Cluster leader"),
    "cluster_member": ("Thành viên cụm", "Cluster member"),
    "school_principal": ("Hiệu trưởng", "Principal"),
    "commune_officer": ("Cán bộ xã", "Commune officer"),
    "integration_client": ("Hệ thống liên thông", "Integration client"),
    "province_duty_officer": ("Trực ban UBND tỉnh", "Province duty officer"),
    "system": ("Hệ thống", "The system"),
}
"""Who acted or is to act: the token roles, and the roles an escalation chain names."""

LEVELS: Labels = {
    "cluster_leader": ("Cụm trưởng", "Cluster leader"),
    "department_office": ("Văn phòng Sở", "Department office"),
    "department_leadership": ("Lãnh đạo Sở", "Department leadership"),
    "province": ("UBND tỉnh", "Provincial People's Committee"),
}

DEADLINES: Labels = {
    "acknowledgement": ("hạn tiếp nhận", "deadline to take it in hand"),
    "resolution": ("hạn giải quyết", "deadline to settle it"),
}

ROUTES: Labels = {
    "cluster": ("Cụm chuyên môn", "Professional cluster"),
    "department": ("Sở trực tiếp chỉ đạo", "Directed by the Department"),
    "department_duty_desk": ("Trực ban Sở (chưa xác định nơi)", "Department duty desk (place not yet known)"),
}

RECIPIENT_ROLES: Labels = {
    "cluster_leader": ("Cụm trưởng", "Cluster leader"),
    "cluster_members": ("Thành viên cụm", "Cluster members"),
    "commune_office": ("Phòng Văn hóa - Xã hội xã", "Commune Office of Culture and Social Affairs"),
    "school_principal": ("Hiệu trưởng", "Principal"),
    "department_duty_desk": ("Trực ban Văn phòng Sở", "Department duty desk"),
    "department_leadership": ("Lãnh đạo Sở", "Department leadership"),
    "escalation_target": ("Cấp được chuyển", "Escalation level"),
    "reporter": ("Người báo cáo", "Reporter"),
    "eligible_school_principals": ("Hiệu trưởng các trường đủ điều kiện", "Principals of eligible schools"),
    "participant_school_principals": ("Hiệu trưởng các trường dự thi", "Principals of participating schools"),
    "registered_school_principals": ("Hiệu trưởng các trường đã đăng ký", "Principals of registered schools"),
}
"""The roles a notification rule names (notifications' own ``RecipientRole``)."""

ACTIVITY_KINDS: Labels = {
    "professional_session": ("Sinh hoạt chuyên môn", "Professional session"),
    "thematic_seminar": ("Chuyên đề", "Thematic seminar"),
    "teacher_contest": ("Hội thi giáo viên", "Teacher contest"),
    "pupil_contest": ("Hội thi học sinh", "Pupil contest"),
    "forum": ("Diễn đàn", "Forum"),
    "delegation": ("Đoàn công tác", "Working delegation"),
}

EVENT_TYPES: Labels = {
    "incidents.incident.reported.v1": ("Sự cố mới", "New incident"),
    "incidents.incident.routed.v1": ("Sự cố được chuyển đến đơn vị xử lý", "Incident routed"),
    "incidents.incident.acknowledged.v1": ("Sự cố đã được tiếp nhận", "Incident taken in hand"),
    "incidents.incident.escalated.v1": ("Sự cố được chuyển cấp", "Incident escalated"),
    "incidents.incident.status-changed.v1": ("Sự cố đổi trạng thái", "Incident status changed"),
    "incidents.incident.note-added.v1": ("Sự cố có ghi chú mới", "Note on an incident"),
    "incidents.incident.resolved.v1": ("Sự cố đã được giải quyết", "Incident settled"),
    "incidents.incident.closed.v1": ("Sự cố đã đóng", "Incident filed away"),
    "incidents.incident.reopened.v1": ("Sự cố được mở lại", "Incident reopened"),
    "activities.activity.registration_opened.v1": ("Mở đăng ký hoạt động", "Registration open"),
    "activities.activity.registration_closed.v1": ("Đóng đăng ký hoạt động", "Registration over"),
    "activities.activity.results_published.v1": ("Công bố kết quả", "Results published"),
    "activities.activity.cancelled.v1": ("Hủy hoạt động", "Activity called off"),
    "notices.notice.published.v1": ("Công văn mới", "New notice"),
    "notices.notice.reminder_sent.v1": ("Nhắc xác nhận công văn", "Notice reminder"),
    "notices.return.overdue.v1": ("Báo cáo quá hạn", "Return overdue"),
}
"""Event types by their short name (without ``vn.gov.nghean.edu.``)."""

COMMUNE_OFFICE = ("Phòng Văn hóa - Xã hội", "Office of Culture and Social Affairs")


def label(table: Labels, code: object, language: str) -> str:
    """The code's name in the language (Vietnamese unless English is asked); the code if it has none."""
    text = str(code) if code is not None else ""
    names = table.get(text)
    if names is None:
        return text
    return names[1] if language == EN else names[0]


def event_type_label(event_type: str, language: str) -> str:
    return label(EVENT_TYPES, event_type.removeprefix("vn.gov.nghean.edu."), language)


def vacancies(
    vacant_roles: Sequence[str], *, cluster_no: int | None, commune_name: str | None, language: str
) -> list[str]:
    """Who of an incident's scope nobody holds, as sentences: ``Cụm 1 chưa có cụm trưởng``."""
    said = []
    cluster = [
        names
        for role, names in (
            ("cluster_leader", ("cụm trưởng", "leader")),
            ("cluster_members", ("thành viên", "members")),
        )
        if role in vacant_roles
    ]
    if cluster:
        if language == EN:
            said.append(f"Cluster {cluster_no} has no {' and no '.join(n[1] for n in cluster)}")
        else:
            said.append(f"Cụm {cluster_no} chưa có {' và '.join(n[0] for n in cluster)}")
    if "commune_office" in vacant_roles:
        place = commune_name or ("the commune" if language == EN else "Xã")
        if language == EN:
            said.append(f"{place} has no contact for its {COMMUNE_OFFICE[1]}")
        else:
            said.append(f"{place} chưa có đầu mối {COMMUNE_OFFICE[0]}")
    return said


def incident_labels(
    event: Mapping[str, Any], language: str, *, commune_name: str | None = None
) -> dict[str, Any]:
    """What a template shows instead of the codes an incident (or any) event carries."""
    carried = event.get("labels") or {}
    suffix = "en" if language == EN else "vi"
    severity = event.get("severity")
    return {
        "category_label": carried.get(f"category_{suffix}") or str(event.get("category") or ""),
        "severity_label": carried.get(f"severity_{suffix}") or label(SEVERITIES, severity, language),
        "status_label": label(STATUSES, event.get("status"), language),
        "from_status_label": label(STATUSES, event.get("from_status"), language),
        "actor_role_label": label(ROLES, event.get("actor_role"), language),
        "reporter_role_label": label(ROLES, event.get("reporter_role"), language),
        "author_role_label": label(ROLES, event.get("author_role"), language),
        "notify_role_label": label(ROLES, event.get("notify_role"), language),
        "level_label": label(LEVELS, event.get("level"), language),
        "deadline_label": label(DEADLINES, event.get("deadline"), language),
        "route_label": label(ROUTES, event.get("route"), language),
        "vacancies": vacancies(
            list(event.get("vacant_roles") or ()),
            cluster_no=event.get("cluster_no"),
            commune_name=commune_name,
            language=language,
        ),
    }
