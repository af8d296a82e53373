"""The notices service's rules without I/O: an audience's scope, a form's validation and facts, the
signed links, what an attachment is, the reporting rates; and what notifications makes of a notice."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.notices.attachments.domain import Kind, TooLarge, UnsupportedType, check_size, kind_of
from services.notices.audience.domain import check_not_empty, check_scope
from services.notices.forms.domain import FormDefinition, SchoolFact, check_values, school_facts
from services.notices.forms.seed import shipped_forms
from services.notices.links import domain as links
from services.notices.returns.domain import LATE, MISSING, ON_TIME, rates
from services.notices.returns.models import GroupBy, SchoolReturn
from services.notifications.notices.domain import email_attachments, with_notice_parts
from services.notifications.recipients.domain import (
    EventFacts,
    Recipient,
    RecipientRole,
    Target,
    TargetKind,
    targets_for,
)
from services.registry.figures.domain import school_year_of, stands
from shared.auth import Principal, Role
from shared.errors import Forbidden, Unprocessable
from shared.events.notices import (
    AddresseeKind,
    NoticeAttachmentV1,
    NoticeAudienceV1,
    NoticeLinksV1,
    NoticePublishedV1,
)

NOW = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)
LEADER_1 = Principal(subject="l1", role=Role.CLUSTER_LEADER, cluster_no=1)
SCHOOLS = {"S1": 1, "S2": 2}
COMMUNES = {"16001": 1, "16003": 2}


def audience(**parts: Any) -> NoticeAudienceV1:
    return NoticeAudienceV1.model_validate(parts)


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ({"all_principals": True}, "audience.all_principals"),
        ({"principal_groups": [{"cluster_nos": [1, 2]}]}, "audience.principal_groups[0].cluster_nos"),
        ({"principal_groups": [{"commune_codes": ["16003"]}]}, "audience.principal_groups[0].commune_codes"),
        ({"principal_groups": [{"levels": ["primary"]}]}, "audience.principal_groups[0].levels"),
        ({"school_codes": ["S1", "S2"]}, "audience.school_codes"),
        ({"people_committees": {"cluster_nos": [2]}}, "audience.people_committees.cluster_nos"),
        ({"culture_offices": {"all_communes": True}}, "audience.culture_offices.all_communes"),
    ],
)
def test_a_cluster_leader_is_refused_naming_the_audience_item_beyond_the_cluster(
    parts: dict[str, Any], field: str
) -> None:
    with pytest.raises(Forbidden) as refused:
        check_scope(LEADER_1, audience(**parts), school_clusters=SCHOOLS, commune_clusters=COMMUNES)
    assert refused.value.field == field


def test_the_leaders_own_cluster_and_anything_for_the_department_pass() -> None:
    own = audience(
        principal_groups=[{"cluster_nos": [1], "levels": ["primary"]}, {"commune_codes": ["16001"]}],
        school_codes=["S1"],
        culture_offices={"cluster_nos": [1], "commune_codes": ["16001"]},
    )
    check_scope(LEADER_1, own, school_clusters=SCHOOLS, commune_clusters=COMMUNES)
    officer = Principal(subject="o", role=Role.DEPARTMENT_OFFICER)
    check_scope(officer, audience(all_principals=True), school_clusters=SCHOOLS, commune_clusters=COMMUNES)
    principal = Principal(subject="p", role=Role.SCHOOL_PRINCIPAL, school_id="S1")
    with pytest.raises(Forbidden):
        check_scope(
            principal, audience(school_codes=["S1"]), school_clusters=SCHOOLS, commune_clusters=COMMUNES
        )


@pytest.mark.parametrize(
    "parts",
    [{}, {"principal_groups": []}, {"people_committees": {}}, {"culture_offices": {"cluster_nos": []}}],
)
def test_an_audience_naming_nobody_is_refused(parts: dict[str, Any]) -> None:
    with pytest.raises(Unprocessable) as refused:
        check_not_empty(audience(**parts))
    assert refused.value.field == "audience"


START_OF_YEAR = shipped_forms()[0].definition


def values(**changes: Any) -> dict[str, Any]:
    return {"pupils_grade_1": 40, "pupils_grade_2": 38, "classes": 4, "teachers": 6, **changes}


@pytest.mark.parametrize(
    ("answers", "field", "says"),
    [
        (values(pupils_grade_1=-1), "values.pupils_grade_1", "at least 0 học sinh"),
        (values(classes=301), "values.classes", "at most 300 lớp"),
        (values(teachers=2.5), "values.teachers", "whole number"),
        (values(teachers=True), "values.teachers", "number"),
        ({"pupils_grade_1": 1}, "values.classes", "required"),
        (values(notes=7), "values.notes", "text"),
        (values(pools=1), "values.pools", "no field"),
    ],
)
def test_answers_outside_the_form_are_refused_naming_the_field_and_the_bound(
    answers: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(Unprocessable) as refused:
        check_values(START_OF_YEAR, answers)
    assert (refused.value.field, says in refused.value.message) == (field, True)


def test_school_facts_sum_the_fields_that_count_towards_them() -> None:
    checked = check_values(START_OF_YEAR, values(pupils_grade_5=20.0))
    assert checked["pupils_grade_5"] == 20
    assert school_facts(START_OF_YEAR, checked) == {
        SchoolFact.PUPILS: 98,
        SchoolFact.CLASSES: 4,
        SchoolFact.TEACHERS: 6,
    }


def test_a_decimal_field_keeps_its_digits_and_a_malformed_form_is_refused() -> None:
    form = FormDefinition.model_validate(
        {
            "sections": [
                {
                    "code": "s",
                    "title": "S",
                    "fields": [{"code": "area", "label": "Diện tích", "type": "decimal", "min": 0}],
                }
            ]
        }
    )
    assert check_values(form, {"area": "12.50"}) == {"area": "12.50"}
    with pytest.raises(ValueError, match="min 5 is above max 1"):
        FormDefinition.model_validate(
            {
                "sections": [
                    {
                        "code": "s",
                        "title": "S",
                        "fields": [{"code": "x", "label": "X", "type": "int", "min": 5, "max": 1}],
                    }
                ]
            }
        )


def test_a_link_is_bound_to_its_notice_addressee_action_and_expiry() -> None:
    expires = NOW + timedelta(days=30)
    good = links.addressee_signature(
        "k", notice_id="n", addressee="school:S1", action="acknowledge", expires_at=expires
    )
    links.check(good, good, expires=int(expires.timestamp()), now=NOW)
    for other in (
        links.addressee_signature(
            "k", notice_id="n", addressee="school:S2", action="acknowledge", expires_at=expires
        ),
        links.addressee_signature(
            "k", notice_id="n", addressee="school:S1", action="open", expires_at=expires
        ),
        links.addressee_signature(
            "k2", notice_id="n", addressee="school:S1", action="acknowledge", expires_at=expires
        ),
    ):
        with pytest.raises(Forbidden):
            links.check(other, good, expires=int(expires.timestamp()), now=NOW)
    with pytest.raises(links.LinkGone):
        links.check(good, good, expires=int(expires.timestamp()), now=expires)


def test_attachments_are_known_by_their_bytes_and_their_name() -> None:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert kind_of("Số liệu.XLSX", docx.getvalue()) is Kind.XLSX
    assert kind_of("cv.pdf", b"%PDF-1.7 ...") is Kind.PDF
    with pytest.raises(UnsupportedType):
        kind_of("cv.docx", b"%PDF-1.7")  # a PDF named as a Word file
    with pytest.raises(UnsupportedType):
        kind_of("run.sh", b"#!/bin/sh")
    with pytest.raises(TooLarge):
        check_size(11, 10)


def school(code: str, status: str, cluster_no: int | None, level: str = "primary") -> SchoolReturn:
    return SchoolReturn(
        school_code=code, name=code, cluster_no=cluster_no, commune_code="c", level=level, status=status
    )


def test_reporting_rates_count_expected_submitted_on_time_late_and_missing_per_group() -> None:
    found = [
        school("A", ON_TIME, 1),
        school("B", LATE, 1),
        school("C", MISSING, None),
        school("D", MISSING, 1),
    ]
    by_cluster = {
        r.group: (r.expected, r.submitted, r.on_time, r.late, r.missing)
        for r in rates(found, GroupBy.CLUSTER)
    }
    assert by_cluster == {"1": (3, 2, 1, 1, 1), "none": (1, 0, 0, 0, 1)}
    [one] = rates(found[:2], GroupBy.LEVEL)
    assert (one.reporting_rate, one.on_time_rate) == (1.0, 0.5)


def test_the_school_year_turns_in_august_and_the_newest_report_stands() -> None:
    assert (school_year_of(date(2026, 7, 31)), school_year_of(date(2026, 8, 1))) == ("2025-2026", "2026-2027")
    assert stands(reported_at=NOW, version=1, newest=None)
    assert not stands(reported_at=NOW, version=1, newest=(NOW, 2))
    assert stands(reported_at=NOW + timedelta(seconds=1), version=1, newest=(NOW, 2))


def published(**changes: Any) -> NoticePublishedV1:
    expires = NOW + timedelta(days=7)
    body: dict[str, Any] = {
        "notice_id": "n1",
        "number": "1/SGDĐT",
        "notice_date": date(2026, 9, 10),
        "issuing_unit": "Sở",
        "title": "T",
        "summary": "S",
        "audience": audience(principal_groups=[{"cluster_nos": [1]}], culture_offices={"cluster_nos": [1]}),
        "cluster_nos": [1],
        "addressees": [
            links.addressee_v1(
                "k", notice_id="n1", key="school:S1", kind=AddresseeKind.SCHOOL_PRINCIPAL, expires_at=expires
            )
        ],
        "links": NoticeLinksV1(base_url="https://notices/links", expires_at=expires),
        "attachments": [
            NoticeAttachmentV1(
                attachment_id="a",
                filename="cv.pdf",
                content_type="application/pdf",
                size_bytes=4,
                sha256="0" * 64,
                url="https://notices/files/a",
                content_base64=base64.b64encode(b"%PDF").decode(),
            )
        ],
        "published_by": "o",
        "occurred_at": NOW,
    }
    return NoticePublishedV1(**{**body, **changes})


def test_notifications_turns_a_notices_audience_into_lookups() -> None:
    event = published()
    facts = EventFacts(event_id="e", event_type=event.event_type, occurred_at=NOW, audience=event.audience)
    assert targets_for(RecipientRole.NOTICE_AUDIENCE, facts) == [
        Target(TargetKind.PRINCIPALS_MATCHING, '{"cluster_nos":[1],"commune_codes":[],"levels":[]}'),
        Target(
            TargetKind.COMMUNE_OFFICES_MATCHING, '{"all_communes":false,"cluster_nos":[1],"commune_codes":[]}'
        ),
    ]
    reminder = EventFacts(
        event_id="e", event_type="t", occurred_at=NOW, addressees=("people-committee:16001",)
    )
    assert targets_for(RecipientRole.NOTICE_ADDRESSEES, reminder) == [
        Target(TargetKind.PEOPLE_COMMITTEE, "16001")
    ]


def test_a_notices_links_go_to_their_addressee_alone_and_leave_the_forwarded_event() -> None:
    event = published()
    context = {"event": event.model_dump(mode="json")}
    people = {
        "staff:P1": Recipient("staff:P1", "Hiệu trưởng", "p1@x", addressee="school:S1"),
        "staff:L1": Recipient("staff:L1", "Trưởng cụm", "l1@x"),
    }
    made = with_notice_parts(context, event, people)
    assert set(made["per_recipient"]) == {"staff:P1"}
    assert made["per_recipient"]["staff:P1"]["acknowledge_url"].startswith(
        "https://notices/links/acknowledge?notice=n1&to=school%3AS1&exp="
    )
    assert "addressees" not in made["event"]
    assert made["event"]["attachments"][0].get("content_base64") is None
    [file] = email_attachments(made)
    assert (file.filename, file.content) == ("cv.pdf", b"%PDF")


def test_a_schools_answer_in_the_rates_files_never_runs_as_a_formula() -> None:
    """A school's own text (its name, an answer) stays text: a ' before it in the CSV, a text cell in the
    XLSX."""
    import csv
    import io
    from datetime import UTC, datetime

    from openpyxl import load_workbook

    from services.notices.returns import adapters
    from services.notices.returns.models import GroupBy, Rate, RatesReport, SchoolReturn

    rate = Rate(group="1", cluster_no=1, expected=1, submitted=1, on_time=1, late=0, missing=0,
                reporting_rate=1.0, on_time_rate=1.0)  # fmt: skip
    school = SchoolReturn(
        school_code="S1", name="=HYPERLINK(\"http://x.invalid\")", cluster_no=1, commune_code="16813",
        level="primary", status="on_time", version=1, values={"note": "+Trường Mường Xén", "pupils": 30},
    )  # fmt: skip
    report = RatesReport(
        notice_id="n", number="12/TB-SGDĐT", form_code="f", school_year="2026-2027",
        due_at=datetime(2026, 10, 1, tzinfo=UTC), group_by=GroupBy.SCHOOL, totals=rate, rates=[rate],
        schools=[school],
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(adapters.to_csv(report).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x.invalid")'
    assert rows[1][-2:] == ["'+Trường Mường Xén", "30"]
    sheet = load_workbook(io.BytesIO(adapters.to_xlsx(report)))["schools"]
    name, note = sheet.cell(row=2, column=2), sheet.cell(row=2, column=9)
    assert (name.data_type, name.value) == ("s", '=HYPERLINK("http://x.invalid")')
    assert (note.data_type, note.value) == ("s", "+Trường Mường Xén")
