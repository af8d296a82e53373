"""The default templates, seeded once per (event type, channel, language); Vietnamese first.

Every code an event carries is shown as words (``category_label``, ``severity_label``, ``status_label``,
``actor_role_label``, ``level_label``, ``deadline_label``) and every time in Vietnam's (``local_time``).
SMS is written without diacritics (``unaccent``) so that a message stays one plain-text segment.
"""

from __future__ import annotations

from services.notifications.templates.domain import Language
from services.notifications.templates.models import Template
from shared.events.activities import ActivityCancelledV1, RegistrationOpenedV1, ResultsPublishedV1
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentEscalatedV1,
    IncidentReportedV1,
    IncidentResolvedV1,
)
from shared.events.notices import NoticePublishedV1, NoticeReminderSentV1, ReturnOverdueV1
from shared.events.notifications import DeliveryChannel

VI, EN = Language.VI, Language.EN
EMAIL, SMS, IN_APP, WEBHOOK = (
    DeliveryChannel.EMAIL,
    DeliveryChannel.SMS,
    DeliveryChannel.IN_APP,
    DeliveryChannel.WEBHOOK,
)

_STANDS_IN_VI = (
    "{% if stands_in_for %}Anh/chị nhận thông báo này thay cho: {{ stands_in_for|join(', ') }} "
    "(chưa có người đảm nhận).\n{% endif %}"
)
_STANDS_IN_EN = (
    "{% if stands_in_for %}You receive this in place of: {{ stands_in_for|join(', ') }} "
    "(nobody holds the role).\n{% endif %}"
)
_INCIDENT_VI = "Sự cố {{ reference }} ({{ category_label }}, mức độ: {{ severity_label }}) tại {{ where }}"
_INCIDENT_EN = (
    "Incident {{ reference }} ({{ category_label }}, severity: {{ severity_label }}) at {{ where }}"
)

# An incident's one-click link is the person's own (``action_links``): offices, desks, the inbox and
# webhooks have none, and read the text without it.
_ACKNOWLEDGE_LINK_VI = (
    "{% if recipient.acknowledge_url is defined %}\n\nTiếp nhận ngay bằng một lần bấm (liên kết dành riêng "
    "cho {{ recipient.name }}, dùng một lần, hết hạn lúc {{ event.acknowledge_due_at|local_time }}):\n"
    "{{ recipient.acknowledge_url }}{% endif %}"
)
_ACKNOWLEDGE_LINK_EN = (
    "{% if recipient.acknowledge_url is defined %}\n\nTake it in hand in one click (a link for "
    "{{ recipient.name }} alone, used once, until {{ event.acknowledge_due_at|local_time }}):\n"
    "{{ recipient.acknowledge_url }}{% endif %}"
)

# A notice's links are the addressee's own (``recipient.*``); someone reached otherwise has none.
_NOTICE_LINKS_VI = (
    "{% if recipient.open_url is defined %}\nXem công văn: {{ recipient.open_url }}\n"
    'Xác nhận "đã nhận": {{ recipient.acknowledge_url }}\n{% endif %}'
)
_NOTICE_LINKS_EN = (
    "{% if recipient.open_url is defined %}\nRead the notice: {{ recipient.open_url }}\n"
    "Acknowledge receipt: {{ recipient.acknowledge_url }}\n{% endif %}"
)
_FILES_VI = (
    "{% for file in event.attachments %}{% if loop.first %}\nTệp đính kèm:\n{% endif %}"
    "- {{ file.filename }}: {{ file.url }}\n{% endfor %}"
)
_FILES_EN = (
    "{% for file in event.attachments %}{% if loop.first %}\nAttachments:\n{% endif %}"
    "- {{ file.filename }}: {{ file.url }}\n{% endfor %}"
)
_MISSING = "{% for school in event.missing %}- {{ school.name }} ({{ school.school_code }})\n{% endfor %}"

# (event type, language) -> (subject, body, sms)
_TEXTS: dict[tuple[str, Language], tuple[str, str, str]] = {
    (IncidentReportedV1.event_type, VI): (
        "[Sự cố - {{ severity_label }}] {{ category_label }} tại {{ where }} ({{ reference }})",
        "Kính gửi {{ recipient.name }},\n\n"
        "Một sự cố vừa được báo cáo:\n"
        "- Loại: {{ category_label }}\n"
        "- Mức độ: {{ severity_label }}\n"
        "- Nơi: {{ where }}\n"
        "- Xảy ra lúc: {{ occurred_at_local }}\n"
        "- Người báo cáo: {{ reporter_role_label }}\n"
        "- Bị thương: {{ event.injured }}, tử vong: {{ event.dead }}, mất tích: {{ event.missing }}\n"
        "- Mã sự cố: {{ reference }}\n"
        "{% if restricted %}Đây là vụ việc hạn chế tiếp cận (bảo vệ trẻ em): "
        "xem chi tiết trên hệ thống.\n{% endif %}"
        "{% for line in vacancies %}{{ line }}.\n{% endfor %}" + _STANDS_IN_VI + "Đề nghị tiếp nhận trước "
        "{{ event.acknowledge_due_at|local_time }}." + _ACKNOWLEDGE_LINK_VI,
        "Su co ({{ severity_label|unaccent }}): {{ category_label|unaccent }} tai {{ where|unaccent }}. "
        "Ma {{ reference }}. Tiep nhan truoc {{ event.acknowledge_due_at|local_time }}."
        "{% if recipient.acknowledge_url is defined %} Tiep nhan: {{ recipient.acknowledge_url }}{% endif %}",
    ),
    (IncidentReportedV1.event_type, EN): (
        "[Incident - {{ severity_label }}] {{ category_label }} at {{ where }} ({{ reference }})",
        "Dear {{ recipient.name }},\n\n"
        "A new incident:\n"
        "- Kind: {{ category_label }}\n"
        "- Severity: {{ severity_label }}\n"
        "- Where: {{ where }}\n"
        "- Occurred at: {{ occurred_at_local }}\n"
        "- Reported by: {{ reporter_role_label }}\n"
        "- Injured: {{ event.injured }}, dead: {{ event.dead }}, missing: {{ event.missing }}\n"
        "- Reference: {{ reference }}\n"
        "{% if restricted %}This is a restricted child-safety case: "
        "see the details in the system.\n{% endif %}"
        "{% for line in vacancies %}{{ line }}.\n{% endfor %}" + _STANDS_IN_EN + "Please take it in hand "
        "before {{ event.acknowledge_due_at|local_time }}." + _ACKNOWLEDGE_LINK_EN,
        "Incident ({{ severity_label }}): {{ category_label }} at {{ where }}. Ref {{ reference }}. "
        "Take it in hand by {{ event.acknowledge_due_at|local_time }}."
        "{% if recipient.acknowledge_url is defined %} Take it: {{ recipient.acknowledge_url }}{% endif %}",
    ),
    (IncidentEscalatedV1.event_type, VI): (
        "[Chuyển cấp] Sự cố {{ reference }} quá {{ deadline_label }}: {{ category_label }} tại {{ where }}",
        "Kính gửi {{ recipient.name }},\n\n"
        + _INCIDENT_VI
        + " đã quá {{ deadline_label }} ({{ event.due_at|local_time }}) và được chuyển đến: "
        "{{ level_label }}.\n"
        "{% for line in vacancies %}{{ line }}: chuyển thẳng {{ level_label }}.\n{% endfor %}"
        + _STANDS_IN_VI
        + "Trạng thái hiện tại: {{ status_label }}.",
        "Chuyen cap: su co {{ reference }} ({{ category_label|unaccent }}) qua {{ deadline_label|unaccent }}"
        " luc {{ event.due_at|local_time }}, chuyen {{ level_label|unaccent }}.",
    ),
    (IncidentEscalatedV1.event_type, EN): (
        "[Escalated] Incident {{ reference }} is past its {{ deadline_label }}: {{ category_label }} at "
        "{{ where }}",
        "Dear {{ recipient.name }},\n\n"
        + _INCIDENT_EN
        + " is past its {{ deadline_label }} ({{ event.due_at|local_time }}) and goes to: "
        "{{ level_label }}.\n"
        "{% for line in vacancies %}{{ line }}: it goes straight to {{ level_label }}.\n{% endfor %}"
        + _STANDS_IN_EN
        + "Status now: {{ status_label }}.",
        "Escalated: incident {{ reference }} ({{ category_label }}) is past its {{ deadline_label }} "
        "since {{ event.due_at|local_time }}; it goes to {{ level_label }}.",
    ),
    (IncidentAcknowledgedV1.event_type, VI): (
        "[Đã tiếp nhận] Sự cố {{ reference }}: {{ category_label }} tại {{ where }}",
        "Kính gửi {{ recipient.name }},\n\n"
        + _INCIDENT_VI
        + " đã được tiếp nhận lúc {{ event.acknowledged_at|local_time }}, bởi: {{ actor_role_label }}"
        "{% if not event.within_target %} (sau hạn tiếp nhận){% endif %}.\n"
        "Trạng thái: {{ status_label }}.",
        "Su co {{ reference }} ({{ category_label|unaccent }}) da duoc tiep nhan luc "
        "{{ event.acknowledged_at|local_time }} ({{ actor_role_label|unaccent }}).",
    ),
    (IncidentAcknowledgedV1.event_type, EN): (
        "[Taken in hand] Incident {{ reference }}: {{ category_label }} at {{ where }}",
        "Dear {{ recipient.name }},\n\n"
        + _INCIDENT_EN
        + " was taken in hand at {{ event.acknowledged_at|local_time }}, by: {{ actor_role_label }}"
        "{% if not event.within_target %} (after its deadline){% endif %}.\n"
        "Status: {{ status_label }}.",
        "Incident {{ reference }} ({{ category_label }}) taken in hand at "
        "{{ event.acknowledged_at|local_time }} by {{ actor_role_label }}.",
    ),
    (IncidentResolvedV1.event_type, VI): (
        "[Đã giải quyết] Sự cố {{ reference }}: {{ category_label }} tại {{ where }}",
        "Kính gửi {{ recipient.name }},\n\n"
        + _INCIDENT_VI
        + " đã được giải quyết lúc {{ event.resolved_at|local_time }}, bởi: {{ actor_role_label }}"
        "{% if not event.within_target %} (sau hạn giải quyết){% endif %}.\n"
        "Trạng thái: {{ status_label }}.",
        "Su co {{ reference }} ({{ category_label|unaccent }}) da duoc giai quyet luc "
        "{{ event.resolved_at|local_time }} ({{ actor_role_label|unaccent }}).",
    ),
    (IncidentResolvedV1.event_type, EN): (
        "[Settled] Incident {{ reference }}: {{ category_label }} at {{ where }}",
        "Dear {{ recipient.name }},\n\n"
        + _INCIDENT_EN
        + " was settled at {{ event.resolved_at|local_time }}, by: {{ actor_role_label }}"
        "{% if not event.within_target %} (after its deadline){% endif %}.\n"
        "Status: {{ status_label }}.",
        "Incident {{ reference }} ({{ category_label }}) settled at {{ event.resolved_at|local_time }} "
        "by {{ actor_role_label }}.",
    ),
    (RegistrationOpenedV1.event_type, VI): (
        "Mở đăng ký: {{ event.activity.title }}",
        "Kính gửi {{ recipient.name }},\n\n"
        '{{ event.activity.division_name }} mở đăng ký tham gia "{{ event.activity.title }}" '
        "đến {{ event.activity.registration_closes_at|local_time }}. "
        "Trường của thầy/cô thuộc đối tượng tham gia.",
        "Mo dang ky: {{ event.activity.title|unaccent }}, han "
        "{{ event.activity.registration_closes_at|local_time }}.",
    ),
    (RegistrationOpenedV1.event_type, EN): (
        "Registration open: {{ event.activity.title }}",
        "Dear {{ recipient.name }},\n\n"
        '{{ event.activity.division_name }} opened registration for "{{ event.activity.title }}" '
        "until {{ event.activity.registration_closes_at|local_time }}. Your school is eligible.",
        "Registration open: {{ event.activity.title }}, "
        "until {{ event.activity.registration_closes_at|local_time }}.",
    ),
    (ResultsPublishedV1.event_type, VI): (
        "Kết quả: {{ event.activity.title }}",
        "Kính gửi {{ recipient.name }},\n\n"
        'Kết quả "{{ event.activity.title }}" đã được công bố theo quyết định số {{ event.decision_number }} '
        "ngày {{ event.decision_date|local_date }}.",
        "Da cong bo ket qua {{ event.activity.title|unaccent }} (QD {{ event.decision_number|unaccent }}).",
    ),
    (ResultsPublishedV1.event_type, EN): (
        "Results: {{ event.activity.title }}",
        "Dear {{ recipient.name }},\n\n"
        'The results of "{{ event.activity.title }}" were published by decision {{ event.decision_number }} '
        "of {{ event.decision_date|local_date }}.",
        "Results of {{ event.activity.title }} published (decision {{ event.decision_number }}).",
    ),
    (ActivityCancelledV1.event_type, VI): (
        "Hủy hoạt động: {{ event.activity.title }}",
        'Kính gửi {{ recipient.name }},\n\n"{{ event.activity.title }}" đã bị hủy. '
        "Lý do: {{ event.reason }}.",
        "Huy hoat dong {{ event.activity.title|unaccent }}: {{ event.reason|unaccent }}.",
    ),
    (ActivityCancelledV1.event_type, EN): (
        "Called off: {{ event.activity.title }}",
        'Dear {{ recipient.name }},\n\n"{{ event.activity.title }}" was called off. '
        "Reason: {{ event.reason }}.",
        "Called off: {{ event.activity.title }}: {{ event.reason }}.",
    ),
    (NoticePublishedV1.event_type, VI): (
        "[Công văn {{ event.number }}] {{ event.title }}",
        "Kính gửi {{ recipient.name }},\n\n"
        "{{ event.issuing_unit }} gửi công văn số {{ event.number }} ngày {{ event.notice_date|local_date }} "
        "về việc: {{ event.title }}.\n"
        "{% if event.corrects_number %}Công văn này đính chính công văn số {{ event.corrects_number }}.\n"
        "{% endif %}\n{{ event.summary }}\n"
        "{% if event.reply_by %}\nĐề nghị xác nhận trước {{ event.reply_by|local_time }}.\n{% endif %}"
        '{% if event.return_request %}Kèm theo yêu cầu báo cáo "{{ event.return_request.form_name }}", '
        "hạn {{ event.return_request.due_at|local_time }}.\n{% endif %}" + _NOTICE_LINKS_VI + _FILES_VI,
        "Cong van {{ event.number }}: {{ event.title }}."
        "{% if event.reply_by %} Xac nhan truoc {{ event.reply_by|local_time }}.{% endif %}",
    ),
    (NoticePublishedV1.event_type, EN): (
        "[Notice {{ event.number }}] {{ event.title }}",
        "Dear {{ recipient.name }},\n\n"
        "{{ event.issuing_unit }} sends notice {{ event.number }} of {{ event.notice_date|local_date }} "
        "on: {{ event.title }}.\n"
        "{% if event.corrects_number %}This notice corrects notice {{ event.corrects_number }}.\n"
        "{% endif %}\n{{ event.summary }}\n"
        "{% if event.reply_by %}\nPlease acknowledge before {{ event.reply_by|local_time }}.\n{% endif %}"
        '{% if event.return_request %}It asks for the return "{{ event.return_request.form_name }}", '
        "due {{ event.return_request.due_at|local_time }}.\n{% endif %}" + _NOTICE_LINKS_EN + _FILES_EN,
        "Notice {{ event.number }}: {{ event.title }}."
        "{% if event.reply_by %} Acknowledge by {{ event.reply_by|local_time }}.{% endif %}",
    ),
    (NoticeReminderSentV1.event_type, VI): (
        "[Nhắc] Chưa xác nhận công văn {{ event.number }}",
        "Kính gửi {{ recipient.name }},\n\n"
        "Đơn vị chưa xác nhận đã nhận công văn số {{ event.number }} của {{ event.issuing_unit }} "
        "về việc: {{ event.title }}. Hạn xác nhận: {{ event.reply_by|local_time }}.\n" + _NOTICE_LINKS_VI,
        "Nhac: xac nhan cong van {{ event.number }} truoc {{ event.reply_by|local_time }}.",
    ),
    (NoticeReminderSentV1.event_type, EN): (
        "[Reminder] Notice {{ event.number }} not yet confirmed",
        "Dear {{ recipient.name }},\n\n"
        "Notice {{ event.number }} of {{ event.issuing_unit }} on {{ event.title }} has not been "
        "confirmed yet. Please confirm receipt before {{ event.reply_by|local_time }}.\n" + _NOTICE_LINKS_EN,
        "Reminder: acknowledge notice {{ event.number }} by {{ event.reply_by|local_time }}.",
    ),
    (ReturnOverdueV1.event_type, VI): (
        '[Quá hạn báo cáo] {{ event.missing|length }} trường chưa nộp "{{ event.form_name }}"',
        "Kính gửi {{ recipient.name }},\n\n"
        'Đã quá hạn {{ event.due_at|local_time }} của báo cáo "{{ event.form_name }}" '
        "(công văn số {{ event.number }}). {{ event.missing|length }}/{{ event.expected_count }} trường "
        "{% if event.cluster_no %}của cụm {{ event.cluster_no }} {% endif %}chưa nộp:\n" + _MISSING,
        "{{ event.missing|length }} truong chua nop bao cao {{ event.number }}.",
    ),
    (ReturnOverdueV1.event_type, EN): (
        '[Return overdue] {{ event.missing|length }} schools have not filed "{{ event.form_name }}"',
        "Dear {{ recipient.name }},\n\n"
        'The return "{{ event.form_name }}" (notice {{ event.number }}) was due at '
        "{{ event.due_at|local_time }}. {{ event.missing|length }} of {{ event.expected_count }} schools "
        "{% if event.cluster_no %}in Cluster {{ event.cluster_no }} {% endif %}have not filed it:\n"
        + _MISSING,
        "{{ event.missing|length }} schools have not filed return {{ event.number }}.",
    ),
}


def default_templates() -> list[Template]:
    """Email, inbox and webhook text share a subject and body; SMS has its own short text."""
    templates = []
    for (event_type, language), (subject, body, sms) in _TEXTS.items():
        for channel in (EMAIL, IN_APP, WEBHOOK):
            templates.append(
                Template(
                    event_type=event_type, channel=channel, language=language, subject=subject, body=body
                )
            )
        templates.append(
            Template(event_type=event_type, channel=SMS, language=language, subject="", body=sms)
        )
    return templates
