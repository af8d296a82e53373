"""Events whose enums widened get a v2 beside their v1: the activities' and notices' school levels (upper-
secondary schools, GDTX centres) and the support program's kinds. An event stays v1 while v1 can name what
it carries, so a v1 consumer never meets a value it cannot name; a v2 is its v1 with the wider enum, and
``first_type`` names the v1 so the rules and templates written for it serve the v2 too."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.events.activities import (
    ActivityKind,
    ActivityStatus,
    ActivitySummaryV1,
    ActivitySummaryV2,
    EligibilityV2,
    RegistrationOpenedV1,
    RegistrationOpenedV2,
    SupportRecordedV1,
    SupportRecordedV2,
    SupportUnitKind,
    SupportUnitV1,
    activity_event,
    support_recorded_type,
)
from shared.events.notices import (
    NoticeAudienceV2,
    NoticeLinksV1,
    NoticePublishedV1,
    NoticePublishedV2,
    notice_published,
)

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def summary(levels: list[str], eligible_levels: list[str] | None = None) -> ActivitySummaryV2:
    return ActivitySummaryV2.model_validate(
        {
            "activity_id": "A1",
            "title": "Hội thi giáo viên dạy giỏi",
            "kind": ActivityKind.TEACHER_CONTEST,
            "status": ActivityStatus.REGISTRATION_OPEN,
            "division_code": "GDPT",
            "division_name": "Phòng Giáo dục Phổ thông",
            "whole_province": False,
            "cluster_nos": [3],
            "levels": levels,
            "starts_at": NOW,
            "ends_at": NOW,
            "eligibility": EligibilityV2.model_validate({"levels": eligible_levels or []}),
        }
    )


def opened(activity: ActivitySummaryV2) -> object:
    return activity_event(
        RegistrationOpenedV1,
        activity_id="A1",
        activity=activity,
        eligible_school_codes=["S1"],
        occurred_at=NOW,
    )


def test_an_activity_of_v1_levels_stays_v1() -> None:
    event = opened(summary(["primary", "lower_secondary"]))
    assert type(event) is RegistrationOpenedV1
    assert type(event.activity) is ActivitySummaryV1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("levels", "eligible"), [(["upper_secondary"], None), (["primary"], ["continuing_education"])]
)
def test_an_activity_naming_thpt_or_gdtx_is_v2_read_as_its_v1(
    levels: list[str], eligible: list[str] | None
) -> None:
    event = opened(summary(levels, eligible))
    assert type(event) is RegistrationOpenedV2
    assert isinstance(event, RegistrationOpenedV1)  # a consumer of v1's fields reads it as such
    assert event.event_type.endswith("registration_opened.v2")
    assert event.first_type == RegistrationOpenedV1.event_type
    with pytest.raises(ValidationError):  # v1's enum cannot name the level: why it is a new type
        RegistrationOpenedV1.model_validate(event.model_dump())


def test_support_of_a_new_kind_is_v2_and_every_other_stays_v1() -> None:
    assert support_recorded_type("money") is SupportRecordedV1
    unit = SupportUnitV1(kind=SupportUnitKind.SCHOOL, code="S1", name="Trường S1")
    fields = {
        "pairing_id": "P1",
        "contribution_id": "C1",
        "helper": unit,
        "helped": unit,
        "value_vnd": 0,
        "description": "Giao lưu bóng đá",
        "contributed_on": date(2026, 3, 26),
        "school_year": "2025-2026",
        "period_code": "2023-2028",
        "recorded_by": "u",
        "occurred_at": NOW,
    }
    for kind in ("cultural_exchange", "sports_exchange", "trade_union"):
        event_class = support_recorded_type(kind)
        assert event_class is SupportRecordedV2
        assert event_class.model_validate({**fields, "kind": kind}).first_type == SupportRecordedV1.event_type
        with pytest.raises(ValidationError):
            SupportRecordedV1.model_validate({**fields, "kind": kind})


def test_a_notice_to_thpt_principals_is_v2_and_one_of_v1_levels_stays_v1() -> None:
    fields = {
        "notice_id": "N1",
        "number": "1/SGDĐT-VP",
        "notice_date": date(2026, 12, 2),
        "issuing_unit": "Văn phòng Sở",
        "title": "Kế hoạch",
        "summary": "Tóm tắt",
        "cluster_nos": [3],
        "addressees": [],
        "links": NoticeLinksV1(base_url="http://x", expires_at=NOW),
        "published_by": "u",
        "occurred_at": NOW,
    }
    primary = NoticeAudienceV2.model_validate(
        {"principal_groups": [{"levels": ["primary"], "cluster_nos": [3]}]}
    )
    assert type(notice_published(audience=primary, **fields)) is NoticePublishedV1
    thpt = NoticeAudienceV2.model_validate({"principal_groups": [{"levels": ["upper_secondary"]}]})
    event = notice_published(audience=thpt, **fields)
    assert type(event) is NoticePublishedV2
    assert event.first_type == NoticePublishedV1.event_type
    assert [str(level) for level in event.audience.principal_groups[0].levels] == ["upper_secondary"]
