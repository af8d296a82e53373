"""The default templates, seeded once per (event type, channel, language); Vietnamese first."""

from __future__ import annotations

from services.notifications.templates.domain import Language
from services.notifications.templates.models import Template
from shared.events.activities import ActivityCancelledV1, RegistrationOpenedV1, ResultsPublishedV1
from shared.events.incidents import IncidentEscalatedV1, IncidentReportedV1
from shared.events.notices import NoticePublishedV1, NoticeReminderSentV1, ReturnOverdueV1
from shared.events.notifications import DeliveryChannel

VI, EN = Language.VI, Language.EN
EMAIL, SMS, IN_APP = DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.IN_APP

_WHERE_VI = "{% if school %}{{ school.name }}, {% endif %}{% if commune %}{{ commune.name }}{% endif %}"
_WHERE_EN = _WHERE_VI

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
        "[Sự cố {{ severity_label }}] {{ reference }} tại " + _WHERE_VI,
        "Kính gửi {{ recipient.name }},\n\n"
        "Một sự cố mức độ {{ severity_label }} ({{ event.category }}) vừa được báo cáo lúc "
        "{{ occurred_at_local }} tại " + _WHERE_VI + ".\n"
        "Mã sự cố: {{ reference }}. Bị thương: {{ event.injured }}, tử vong: {{ event.dead }}, "
        "mất tích: {{ event.missing }}.\n"
        "{% if restricted %}Đây là vụ việc hạn chế tiếp cận (bảo vệ trẻ em): "
        "xem chi tiết trên hệ thống.\n{% endif %}"
        "Đề nghị xác nhận trước {{ event.acknowledge_due_at|local_time }}.",
        "Su co {{ severity }} {{ reference }}: {{ event.category }}. "
        "Xac nhan truoc {{ event.acknowledge_due_at|local_time }}.",
    ),
    (IncidentReportedV1.event_type, EN): (
        "[{{ severity_label|capitalize }} incident] {{ reference }} at " + _WHERE_EN,
        "Dear {{ recipient.name }},\n\n"
        "A {{ severity_label }} incident ({{ event.category }}) was reported at {{ occurred_at_local }} at "
        + _WHERE_EN
        + ".\nReference: {{ reference }}. Injured: {{ event.injured }}, dead: {{ event.dead }}, "
        "missing: {{ event.missing }}.\n"
        "{% if restricted %}This is a restricted child-safety case: "
        "see the details in the system.\n{% endif %}"
        "Please acknowledge before {{ event.acknowledge_due_at|local_time }}.",
        "Incident {{ severity }} {{ reference }}: {{ event.category }}. "
        "Acknowledge by {{ event.acknowledge_due_at|local_time }}.",
    ),
    (IncidentEscalatedV1.event_type, VI): (
        "[Chuyển cấp] Sự cố {{ reference }} quá hạn {{ event.deadline }}",
        "Kính gửi {{ recipient.name }},\n\n"
        "Sự cố {{ reference }} (mức {{ severity_label }}) tại " + _WHERE_VI + " đã quá hạn "
        "{{ event.deadline }} ({{ event.due_at|local_time }}) và được chuyển lên cấp {{ event.level }}.",
        "Chuyen cap: su co {{ reference }} qua han {{ event.deadline }}, cap {{ event.level }}.",
    ),
    (IncidentEscalatedV1.event_type, EN): (
        "[Escalated] Incident {{ reference }} missed its {{ event.deadline }} deadline",
        "Dear {{ recipient.name }},\n\n"
        "Incident {{ reference }} ({{ severity_label }}) at "
        + _WHERE_EN
        + " passed its {{ event.deadline }} "
        "deadline ({{ event.due_at|local_time }}) and was escalated to {{ event.level }}.",
        "Escalated: incident {{ reference }} missed {{ event.deadline }}, level {{ event.level }}.",
    ),
    (RegistrationOpenedV1.event_type, VI): (
        "Mở đăng ký: {{ event.activity.title }}",
        "Kính gửi {{ recipient.name }},\n\n"
        '{{ event.activity.division_name }} mở đăng ký tham gia "{{ event.activity.title }}" '
        "đến {{ event.activity.registration_closes_at|local_time }}. "
        "Trường của thầy/cô thuộc đối tượng tham gia.",
        "Mo dang ky: {{ event.activity.title }}, han {{ event.activity.registration_closes_at|local_time }}.",
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
        "ngày {{ event.decision_date }}.",
        "Da cong bo ket qua {{ event.activity.title }} (QD {{ event.decision_number }}).",
    ),
    (ResultsPublishedV1.event_type, EN): (
        "Results: {{ event.activity.title }}",
        "Dear {{ recipient.name }},\n\n"
        'The results of "{{ event.activity.title }}" were published by decision {{ event.decision_number }} '
        "of {{ event.decision_date }}.",
        "Results of {{ event.activity.title }} published (decision {{ event.decision_number }}).",
    ),
    (ActivityCancelledV1.event_type, VI): (
        "Hủy hoạt động: {{ event.activity.title }}",
        'Kính gửi {{ recipient.name }},\n\n"{{ event.activity.title }}" đã bị hủy. '
        "Lý do: {{ event.reason }}.",
        "Huy hoat dong {{ event.activity.title }}: {{ event.reason }}.",
    ),
    (ActivityCancelledV1.event_type, EN): (
        "Cancelled: {{ event.activity.title }}",
        'Dear {{ recipient.name }},\n\n"{{ event.activity.title }}" was cancelled. '
        "Reason: {{ event.reason }}.",
        "Cancelled: {{ event.activity.title }}: {{ event.reason }}.",
    ),
    (NoticePublishedV1.event_type, VI): (
        "[Công văn {{ event.number }}] {{ event.title }}",
        "Kính gửi {{ recipient.name }},\n\n"
        "{{ event.issuing_unit }} gửi công văn số {{ event.number }} ngày {{ event.notice_date }} "
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
        "{{ event.issuing_unit }} sends notice {{ event.number }} of {{ event.notice_date }} "
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
        "[Reminder] Notice {{ event.number }} not yet acknowledged",
        "Dear {{ recipient.name }},\n\n"
        "Notice {{ event.number }} of {{ event.issuing_unit }} on {{ event.title }} has not been "
        "acknowledged yet. Please acknowledge before {{ event.reply_by|local_time }}.\n" + _NOTICE_LINKS_EN,
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
        "{% if event.cluster_no %}of cluster {{ event.cluster_no }} {% endif %}have not filed it:\n"
        + _MISSING,
        "{{ event.missing|length }} schools have not filed return {{ event.number }}.",
    ),
}


def default_templates() -> list[Template]:
    templates = []
    for (event_type, language), (subject, body, sms) in _TEXTS.items():
        templates.append(
            Template(event_type=event_type, channel=EMAIL, language=language, subject=subject, body=body)
        )
        templates.append(
            Template(event_type=event_type, channel=IN_APP, language=language, subject=subject, body=body)
        )
        templates.append(
            Template(event_type=event_type, channel=SMS, language=language, subject="", body=sms)
        )
    return templates
