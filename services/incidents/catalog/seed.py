"""The starting catalogs (DESIGN §2): categories, severities with targets and chains, and raising rules.

Seeded once into tables; from then on the Department edits them as data. Legal floors are noted as text.
"""

from __future__ import annotations

from typing import Any

from services.incidents.catalog.domain import Measure
from shared.events.incidents import EscalationLevel

CLUSTER_LEADER = {"level": EscalationLevel.CLUSTER_LEADER, "notify_role": "cluster_leader"}
OFFICE = {"level": EscalationLevel.DEPARTMENT_OFFICE, "notify_role": "department_officer"}
LEADERSHIP = {"level": EscalationLevel.DEPARTMENT_LEADERSHIP, "notify_role": "department_admin"}
PROVINCE = {"level": EscalationLevel.PROVINCE, "notify_role": "province_duty_officer"}

SEVERITIES: list[dict[str, Any]] = [
    {
        "code": "critical",
        "name_vi": "Đặc biệt nghiêm trọng",
        "name_en": "Critical",
        "rank": 1,
        "acknowledge_minutes": 15,
        "resolve_minutes": 24 * 60,
        "escalation_chain": [
            {**CLUSTER_LEADER, "after_minutes": 0},
            {**OFFICE, "after_minutes": 15},
            {**LEADERSHIP, "after_minutes": 30},
            {**PROVINCE, "after_minutes": 60},
        ],
    },
    {
        "code": "high",
        "name_vi": "Nghiêm trọng",
        "name_en": "High",
        "rank": 2,
        "acknowledge_minutes": 60,
        "resolve_minutes": 3 * 24 * 60,
        "escalation_chain": [
            {**CLUSTER_LEADER, "after_minutes": 0},
            {**OFFICE, "after_minutes": 60},
            {**LEADERSHIP, "after_minutes": 240},
        ],
    },
    {
        "code": "medium",
        "name_vi": "Trung bình",
        "name_en": "Medium",
        "rank": 3,
        "acknowledge_minutes": 4 * 60,
        "resolve_minutes": 7 * 24 * 60,
        "escalation_chain": [{**CLUSTER_LEADER, "after_minutes": 0}, {**OFFICE, "after_minutes": 8 * 60}],
    },
    {
        "code": "low",
        "name_vi": "Thấp",
        "name_en": "Low",
        "rank": 4,
        "acknowledge_minutes": 8 * 60,
        "resolve_minutes": 14 * 24 * 60,
        "escalation_chain": [
            {**CLUSTER_LEADER, "after_minutes": 0, "repeat": 2, "every_minutes": 24 * 60},
            {**OFFICE, "after_minutes": 24 * 60},
        ],
    },
]

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "natural_disaster",
        "name_vi": "Thiệt hại do bão, lũ, sạt lở",
        "name_en": "Storm, flood or landslide damage",
        "default_severity": "high",
        "report_within": "quick report within 24 h, then daily",
    },
    {
        "code": "food_poisoning",
        "name_vi": "Ngộ độc thực phẩm",
        "name_en": "Food poisoning",
        "default_severity": "high",
        "report_within": "immediately",
    },
    {
        "code": "violence_abuse",
        "name_vi": "Bạo lực, xâm hại học đường",
        "name_en": "School violence or abuse",
        "default_severity": "high",
        "restricted_by_default": True,
    },
    {
        "code": "accident_drowning_death",
        "name_vi": "Tai nạn, đuối nước, tử vong",
        "name_en": "Accident, drowning or death",
        "default_severity": "high",
    },
    {
        "code": "missing_pupil",
        "name_vi": "Học sinh mất tích",
        "name_en": "Missing pupil",
        "default_severity": "critical",
        "restricted_by_default": True,
    },
    {
        "code": "epidemic_cluster",
        "name_vi": "Ổ dịch bệnh",
        "name_en": "Epidemic cluster",
        "default_severity": "medium",
        "report_within": "within 24 h to the commune health station",
    },
    {
        "code": "dangerous_building",
        "name_vi": "Công trình mất an toàn",
        "name_en": "Dangerous building",
        "default_severity": "medium",
    },
    {
        "code": "intrusion_drugs_scams",
        "name_vi": "Xâm nhập, ma túy, lừa đảo",
        "name_en": "Intrusion, drugs or scams",
        "default_severity": "medium",
    },
    {
        "code": "self_harm",
        "name_vi": "Tự gây thương tích",
        "name_en": "Self-harm",
        "default_severity": "high",
        "restricted_by_default": True,
    },
    {
        "code": "social_media",
        "name_vi": "Sự việc gây xôn xao mạng xã hội",
        "name_en": "Social-media flare-up",
        "default_severity": "medium",
    },
    {"code": "other", "name_vi": "Khác", "name_en": "Other", "default_severity": "low"},
]

RULES: list[dict[str, Any]] = [
    {
        "category_code": "food_poisoning",
        "measure": Measure.INJURED,
        "at_least": 50,
        "raises_to": "critical",
        "description": "Food poisoning with 50 or more cases is critical",
    },
    {
        "category_code": None,
        "measure": Measure.DEAD,
        "at_least": 1,
        "raises_to": "critical",
        "description": "Any death is critical",
    },
    {
        "category_code": None,
        "measure": Measure.MISSING,
        "at_least": 1,
        "raises_to": "critical",
        "description": "Any missing pupil is critical",
    },
    {
        "category_code": None,
        "measure": Measure.INJURED,
        "at_least": 10,
        "raises_to": "high",
        "description": "Ten or more injured is at least high",
    },
]
