"""What the console says, in Vietnamese first and in English by the switch; the statuses' names (the
incidents service's catalog names categories and severities, its API gives their labels)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.clock import VIETNAM

LANGUAGES = ("vi", "en")
LANGUAGE_COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    "app": ("Cụm chuyên môn — Sở GD&ĐT Nghệ An", "Professional clusters — Nghe An DoET"),
    "skip": ("Bỏ qua, tới nội dung chính", "Skip to the main content"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "signed_out": ("Bạn đã đăng xuất.", "You are signed out."),
    "language": ("English", "Tiếng Việt"),
    "nav": ("Điều hướng", "Navigation"),
    "board": ("Bảng điều hành", "Board"),
    "cluster": ("Cụm", "Cluster"),
    "school": ("Trường", "School"),
    "commune": ("Xã", "Commune"),
    "registry": ("Danh mục", "Registry"),
    "clusters": ("Các cụm", "Clusters"),
    "communes": ("Xã, phường", "Communes"),
    "schools": ("Trường học", "Schools"),
    "open_incidents": ("Sự cố đang mở", "Open incidents"),
    "incidents": ("Sự cố", "Incidents"),
    "overdue": ("Quá hạn", "Overdue"),
    "ack_overdue": ("Quá hạn tiếp nhận", "Acknowledgement overdue"),
    "open": ("Đang mở", "Open"),
    "by_cluster": ("Theo cụm và mức độ", "By cluster and severity"),
    "department": ("Sở (ngoài cụm)", "Department (no cluster)"),
    "escalations": ("Sự cố đã chuyển cấp", "Escalated incidents"),
    "coverage": ("Phạm vi nhận tin", "Routing coverage"),
    "coverage_gaps": ("Xã mà sự cố sẽ không tới được ai", "Communes whose incidents would reach nobody"),
    "coverage_ok": ("Mọi xã đều có người nhận tin.", "Every commune's incidents reach someone."),
    "charts": ("Biểu đồ", "Charts"),
    "chart_week": ("Số sự cố mỗi tuần theo cụm", "Incidents per week by cluster"),
    "chart_ack": ("Thời gian tiếp nhận (trung vị, p90) theo cụm", "Time to acknowledge (median, p90)"),
    "chart_support": ("Tổng hỗ trợ theo năm học", "Support totals by school year"),
    "reference": ("Số", "Number"),
    "title": ("Tiêu đề", "Title"),
    "category": ("Loại", "Category"),
    "severity": ("Mức độ", "Severity"),
    "status": ("Trạng thái", "Status"),
    "reported_at": ("Báo lúc", "Reported"),
    "ack_due": ("Hạn tiếp nhận", "Acknowledge by"),
    "actions": ("Thao tác", "Actions"),
    "acknowledge": ("Tiếp nhận", "Acknowledge"),
    "start": ("Bắt đầu xử lý", "Start"),
    "resolve": ("Đã giải quyết", "Resolve"),
    "close": ("Đóng", "Close"),
    "note": ("Ghi chú", "Note"),
    "add_note": ("Thêm ghi chú", "Add note"),
    "timeline": ("Diễn biến", "Timeline"),
    "details": ("Chi tiết", "Details"),
    "none": ("Không có.", "None."),
    "activities": ("Hoạt động chuyên môn", "Activities"),
    "registrations": ("Đăng ký", "Registrations"),
    "results": ("Kết quả", "Results"),
    "delegations": ("Đoàn kiểm tra, khuyến nghị", "Delegations and recommendations"),
    "register": ("Đăng ký", "Register"),
    "full_name": ("Họ và tên", "Full name"),
    "participant": ("Người tham gia", "Participant"),
    "teacher": ("Giáo viên", "Teacher"),
    "pupil": ("Học sinh", "Pupil"),
    "report": ("Báo cáo sự cố", "Report an incident"),
    "description": ("Mô tả", "Description"),
    "place": ("Địa điểm", "Place"),
    "occurred_at": ("Xảy ra lúc", "Occurred at"),
    "injured": ("Số người bị thương", "Injured"),
    "send": ("Gửi báo cáo", "Send report"),
    "pending": ("Báo cáo chờ gửi (đang giữ trên máy này)", "Reports waiting to be sent (kept here)"),
    "offline_kept": (
        "Chưa gửi được: báo cáo được giữ trên máy và sẽ tự gửi khi có kết nối.",
        "Not sent yet: the report is kept on this device and is sent when the connection returns.",
    ),
    "sent": ("Đã gửi, số sự cố:", "Sent; incident number:"),
    "inbox": ("Hộp thư", "Inbox"),
    "notices": ("Công văn gửi xã", "Notices to the commune"),
    "unread": ("chưa đọc", "unread"),
    "when": ("Thời gian", "When"),
    "error": ("Không thực hiện được", "Could not be done"),
    "unreachable": (
        "Dịch vụ {service} hiện không trả lời; thử lại sau ít phút.",
        "The {service} service does not answer right now; try again in a few minutes.",
    ),
    "forbidden_page": ("Trang này không dành cho vai trò của bạn.", "This page is not for your role."),
    "act_title": ("Xác nhận từ thư báo", "Confirm from the alert"),
    "act_button": ("Xác nhận đã nhận sự cố", "Confirm the incident is acknowledged"),
    "act_valid": (
        "Bấm nút để tiếp nhận sự cố; liên kết chỉ dùng được một lần.",
        "Press the button to acknowledge the incident; the link works once.",
    ),
    "act_done": ("Đã xác nhận tiếp nhận sự cố.", "The incident is acknowledged."),
    "act_used": (
        "Liên kết này đã được dùng (mỗi liên kết chỉ dùng được một lần).",
        "This link has been used (each link works once).",
    ),
    "act_expired": (
        "Liên kết này đã hết hạn: hạn tiếp nhận đã qua.",
        "This link has expired: the acknowledgement deadline has passed.",
    ),
    "act_unknown": (
        "Liên kết không hợp lệ (bị sửa, cắt mất hoặc không do hệ thống gửi).",
        "This link is not valid (changed, cut short or not sent by the system).",
    ),
    "act_stale": (
        "Trang đã quá hạn; mở lại liên kết trong thư rồi bấm nút.",
        "The page has timed out; open the link in the message again and press the button.",
    ),
    "act_sign_in": ("Đăng nhập để xem và xử lý sự cố", "Sign in to see and handle the incident"),
    "act_for": ("Gửi tới", "Sent to"),
    "act_acknowledge": ("Tiếp nhận sự cố", "Acknowledge the incident"),
    "act_action": ("Việc cần làm", "What it does"),
    "act_expires": ("Hạn dùng liên kết", "The link works until"),
    "act_acknowledged_at": ("Tiếp nhận lúc", "Acknowledged at"),
    "live_on": ("Cập nhật trực tiếp", "Live"),
    "welcome": ("Xin chào", "Hello"),
    "members": ("Thành viên", "Members"),
    "name": ("Tên", "Name"),
    "code": ("Mã", "Code"),
    "level": ("Cấp học", "Level"),
    "starts_at": ("Bắt đầu", "Starts"),
    "kind": ("Loại", "Kind"),
    "follow_up_due": ("Hạn thực hiện", "Follow-up due"),
    "done": ("Đã thực hiện", "Done"),
    "mark_done": ("Đánh dấu đã thực hiện", "Mark done"),
    "subject": ("Trích yếu", "Subject"),
    "number": ("Số", "Number"),
    "notice_date": ("Ngày", "Date"),
    "home": ("Trang chính", "Home"),
    "people": ("Người", "People"),
    "field": ("Trường thông tin", "Field"),
    "no_scope": (
        "Danh mục chưa ghi bạn thuộc đơn vị nào; liên hệ quản trị Sở.",
        "The registry does not say what you act for; ask the Department's administrator.",
    ),
}

STATUS: dict[str, tuple[str, str]] = {
    "reported": ("Mới báo", "Reported"),
    "acknowledged": ("Đã tiếp nhận", "Acknowledged"),
    "in_progress": ("Đang xử lý", "In progress"),
    "resolved": ("Đã giải quyết", "Resolved"),
    "closed": ("Đã đóng", "Closed"),
}

TIMELINE: dict[str, tuple[str, str]] = {
    "reported": ("Báo cáo", "Reported"),
    "routed": ("Chuyển tới", "Routed"),
    "rerouted": ("Chuyển lại", "Rerouted"),
    "status_changed": ("Đổi trạng thái", "Status changed"),
    "escalated": ("Chuyển cấp", "Escalated"),
    "note_added": ("Ghi chú", "Note"),
}

ROLE: dict[str, tuple[str, str]] = {
    "department_admin": ("Quản trị Sở", "Department administrator"),
    "department_officer": ("Cán bộ Sở", "Department officer"),
    "cluster_leader": ("Cụm trưởng", "Cluster leader"),
    "cluster_member": ("Thành viên cụm", "Cluster member"),
    "school_principal": ("Hiệu trưởng", "Principal"),
    "commune_officer": ("Cán bộ xã", "Commune officer"),
}

NEXT_ACTIONS: dict[str, tuple[str, ...]] = {
    "reported": ("acknowledge",),
    "acknowledged": ("start", "resolve"),
    "in_progress": ("resolve",),
    "resolved": ("close",),
    "closed": (),
}
"""The one-click steps an incident in each status offers (the incidents service decides who may)."""

SERVICE_NAMES: dict[str, tuple[str, str]] = {
    "registry": ("danh mục", "registry"),
    "incidents": ("sự cố", "incidents"),
    "activities": ("hoạt động", "activities"),
    "notifications": ("thông báo", "notifications"),
    "notices": ("công văn", "notices"),
}


def language_of(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else "vi"


def text(language: str, key: str) -> str:
    vi, en = TEXT.get(key, (key, key))
    return en if language == "en" else vi


def label(table: dict[str, tuple[str, str]], language: str, key: str | None) -> str:
    if key is None:
        return ""
    vi, en = table.get(key, (key, key))
    return en if language == "en" else vi


def vietnam_time(value: str | datetime | None) -> str:
    """A time as people in Vietnam read it: dd/mm/yyyy HH:MM, Vietnam's time."""
    if value is None or value == "":
        return ""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)  # not a time: shown as it came, never a 500
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the services keep UTC; a time without a zone is UTC
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def refusal_words(language: str, status: int, detail: str, field: str | None) -> str:
    """A service's refusal in words: its detail (the services write it for people) and the field."""
    lead = {
        403: ("Bạn không có quyền làm việc này", "You may not do this"),
        404: ("Không tìm thấy (hoặc ngoài phạm vi của bạn)", "Not found (or outside your scope)"),
        409: ("Không thực hiện được vì trạng thái đã thay đổi", "Not done: the state has changed"),
        410: ("Không còn hiệu lực", "No longer valid"),
        422: ("Thông tin chưa hợp lệ", "Some information is not valid"),
    }.get(status, ("Không thực hiện được", "Could not be done"))
    words = lead[1] if language == "en" else lead[0]
    where = f" ({field})" if field else ""
    return f"{words}{where}: {detail}"
