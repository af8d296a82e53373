"""What people type, checked at the edge (shared/validation.py); CSV cells a spreadsheet cannot run; emails
that can never be sent fail for good; import files too large for one short transaction are refused."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from email import message_from_string, policy

import pytest
from pydantic import BaseModel, ValidationError

from services.activities.activities.models import ActivityCreate
from services.incidents.filing.models import IncidentReport
from services.notifications.channels.adapters import (
    EmailChannel,
    SmtpConfig,
    UnsendableEmail,
    build_email,
)
from services.notifications.channels.domain import Message, ResultKind
from services.notifications.webhooks.domain import is_valid_secret
from services.notifications.webhooks.models import SubscriptionCreate
from services.registry.bulk.domain import (
    MAX_IMPORT_ROWS,
    MAX_LISTED_ERRORS,
    UnreadableFile,
    check_rows,
    read_csv,
    read_json,
    write_csv,
)
from services.registry.communes.models import CommuneUpdate
from services.registry.schools.models import IMPORT_COLUMNS, SchoolCreate, SchoolUpdate
from services.registry.staff.models import StaffCreate
from shared.events.notifications import DeliveryChannel
from shared.text import from_spreadsheet_cell, spreadsheet_cell
from shared.validation import email_address, free_text, one_line, single_line, vietnamese_phone

SENDER = "Sở GD&ĐT Nghệ An <thongbao@nghean.edu.vn>"


def school(**fields: object) -> dict[str, object]:
    return {
        "code": "29001",
        "name": "Trường Tiểu học Kỳ Sơn",
        "level": "primary",
        "commune_code": "16813",
    } | fields


def refused_fields(model: type[BaseModel], data: Mapping[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    return [".".join(str(part) for part in error["loc"]) for error in refused.value.errors()]


@pytest.mark.parametrize(
    "bad", ["A\r\nBcc: x@evil.vn", "A\nB", "A\tB", "A\x00B", "A\x1bB", "A\u2028B", "A\u202eB"]
)
def test_a_name_with_a_line_break_or_control_character_is_refused_naming_the_field(bad: str) -> None:
    assert refused_fields(SchoolCreate, school(name=bad)) == ["name"]
    assert refused_fields(SchoolCreate, school(principal_name=bad)) == ["principal_name"]
    assert refused_fields(SchoolUpdate, {"name": bad}) == ["name"]
    assert refused_fields(StaffCreate, {"code": "GV-1", "full_name": bad, "roles": ["teacher"]}) == [
        "full_name"
    ]
    assert refused_fields(CommuneUpdate, {"culture_office_head": bad}) == ["culture_office_head"]
    with pytest.raises(ValueError, match=r"U\+"):
        single_line(bad)


def test_free_text_keeps_its_line_breaks_but_not_other_control_characters() -> None:
    report = {
        "category": "food_poisoning",
        "title": "Nhiều trẻ đau bụng",
        "description": "60 trẻ nôn sau bữa trưa.\r\nĐã đưa đi viện.\n\tTheo dõi tiếp.",
        "occurred_at": "2026-03-02T05:00:00Z",
    }
    assert IncidentReport.model_validate(report).description.count("\n") == 2
    assert refused_fields(IncidentReport, {**report, "title": "Nhiều trẻ\r\nđau bụng"}) == ["title"]
    assert refused_fields(IncidentReport, {**report, "description": "nôn\x1b[31m"}) == ["description"]
    activity = {
        "title": "Hội thi\ngiáo viên dạy giỏi",
        "kind": "competition",
        "division_code": "GDTH",
        "starts_at": "2026-03-02T01:00:00Z",
        "ends_at": "2026-03-03T01:00:00Z",
    }
    assert "title" in refused_fields(ActivityCreate, activity)
    assert free_text("a\r\nb\tc") == "a\r\nb\tc"


def test_email_addresses_are_checked_and_stored_normalised() -> None:
    assert email_address("HieuTruong@NgheAn.Edu.VN") == "HieuTruong@nghean.edu.vn"
    assert email_address("a@ví-dụ.vn").startswith("a@xn--")  # the form SMTP carries
    for bad in ["truong", "a@b", "a@b.vn, c@d.vn", "Tên <a@b.vn>", "a@b.vn\r\nBcc: x@y.vn", "nguyễn@a.vn"]:
        with pytest.raises(ValueError, match=r"not a valid email address|one line"):
            email_address(bad)
    assert refused_fields(SchoolCreate, school(email="not-an-address")) == ["email"]
    assert SchoolCreate.model_validate(school(email="C1@NGHEAN.EDU.VN")).email == "C1@nghean.edu.vn"


def test_phone_numbers_are_vietnamese_numbers_stored_without_separators() -> None:
    assert vietnamese_phone("0238 3.844-123") == "02383844123"  # a landline: 0 and 10 digits
    assert vietnamese_phone("+84 912 345 678") == "+84912345678"  # a mobile: +84 and 9 digits
    assert vietnamese_phone("(0238) 3844123") == "02383844123"
    for bad in [
        "1",
        "0912",
        "912345678",
        "+85 912 345 678",
        "0912 345 678 999",
        "0912\n345678",
        "091234567x",
    ]:
        with pytest.raises(ValueError, match=r"Vietnamese phone number|one line"):
            vietnamese_phone(bad)
    assert refused_fields(SchoolUpdate, {"phone": "12345"}) == ["phone"]
    assert SchoolUpdate.model_validate({"phone": "0912.345.678"}).phone == "0912345678"


def test_display_text_already_stored_is_put_on_one_line() -> None:
    assert one_line("Trường A\r\nBcc: x@evil.vn\u2028 (mẫu)") == "Trường A Bcc: x@evil.vn (mẫu)"


def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_quote_and_read_back_as_written() -> None:
    for formula in ['=HYPERLINK("http://evil.vn","Bấm")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]:
        assert spreadsheet_cell(formula) == "'" + formula
        assert from_spreadsheet_cell(spreadsheet_cell(formula)) == formula
    assert [spreadsheet_cell(v) for v in (-5, 2.5, True, None, ["a", "b"], "Kỳ Sơn")] == [
        "-5", "2.5", "true", "", "a;b", "Kỳ Sơn"
    ]  # fmt: skip
    evil = school(name='=HYPERLINK("http://evil.vn","Bấm")', principal_name="@cmd", pupils=-1)
    text = write_csv([evil], columns=IMPORT_COLUMNS)
    cells = dict(zip(IMPORT_COLUMNS, list(csv.reader(io.StringIO(text)))[1], strict=True))
    assert cells["name"].startswith("'=") and cells["principal_name"] == "'@cmd" and cells["pupils"] == "-1"
    [(_, row)] = read_csv(text.encode(), columns=IMPORT_COLUMNS)
    assert (row["name"], row["principal_name"]) == (evil["name"], "@cmd")  # the export imports back


def test_a_file_too_large_for_one_short_transaction_is_refused_asking_to_split_it() -> None:
    header = "code,name\n"
    with pytest.raises(UnreadableFile, match="split the file"):
        read_csv((header + ",\n" * (MAX_IMPORT_ROWS + 1)).encode(), columns=IMPORT_COLUMNS)
    assert (
        len(read_csv((header + ",\n" * MAX_IMPORT_ROWS).encode(), columns=IMPORT_COLUMNS)) == MAX_IMPORT_ROWS
    )
    with pytest.raises(UnreadableFile, match="split the file"):
        read_json(json.dumps([{}] * (MAX_IMPORT_ROWS + 1)).encode())
    with pytest.raises(UnreadableFile, match="nested too deeply"):
        read_json(b"[" * 100_000 + b"]" * 100_000)


def test_a_file_of_garbage_lists_the_first_errors_and_counts_the_rest() -> None:
    rows = read_csv(("code,name\n" + ",\n" * MAX_IMPORT_ROWS).encode(), columns=IMPORT_COLUMNS)
    checked = check_rows(rows, SchoolCreate, key="code")
    assert len(checked.errors.listed) == MAX_LISTED_ERRORS
    assert checked.errors.count == MAX_IMPORT_ROWS * 4  # code, name, level and commune_code are missing
    assert [error.line for error in checked.errors][:2] == [2, 2]


def test_a_webhook_secret_that_is_not_base64_ascii_is_a_validation_error_not_a_crash() -> None:
    assert refused_fields(SubscriptionCreate, {"url": "https://hooks.example.vn/", "secret": "é"}) == [
        "secret"
    ]
    assert not is_valid_secret("whsec_" + "é" * 40)


def message(**fields: object) -> Message:
    values: dict[str, object] = {
        "delivery_id": "d1",
        "channel": DeliveryChannel.EMAIL,
        "address": "hieutruong@nghean.edu.vn",
        "recipient_name": "Hiệu trưởng",
        "subject": "Sự cố tại Trường Tiểu học Kỳ Sơn",
        "body": "Nội dung\nnhiều dòng",
        "source_event_id": "e1",
        "source_event_type": "vn.gov.nghean.edu.incidents.incident.reported.v1",
    }
    return Message(**(values | fields))  # type: ignore[arg-type]


def test_a_subject_or_name_with_a_line_break_still_makes_one_email_with_no_injected_header() -> None:
    email = build_email(
        message(subject="Sự cố tại Trường A\r\nBcc: spy@evil.vn", recipient_name="Lê\r\nCc: x@evil.vn"),
        sender=SENDER,
    )
    wire = email.as_string()
    assert "\nBcc:" not in wire and "\nCc:" not in wire  # no header starts a line but ours
    received = message_from_string(wire, policy=policy.default)
    assert received["Subject"] == "Sự cố tại Trường A Bcc: spy@evil.vn"
    assert [address.addr_spec for address in received["To"].addresses] == ["hieutruong@nghean.edu.vn"]
    assert received["Message-ID"] == "<d1@nghean.edu.vn>"
    with pytest.raises(UnsendableEmail, match="line break"):  # a header value that is not display text
        build_email(message(source_event_id="e1\r\nBcc: spy@evil.vn"), sender=SENDER)


@pytest.mark.parametrize(
    "address", ["truong", "a@", "@@", "a@b.vn, c@d.vn", "a@b.vn\r\nBcc: x@evil.vn", "<a@b.vn>", "a b@c.vn"]
)
async def test_an_address_that_is_not_one_is_a_permanent_failure_with_its_reason(address: str) -> None:
    with pytest.raises(UnsendableEmail):
        build_email(message(address=address), sender=SENDER)
    channel = EmailChannel(SmtpConfig(host="127.0.0.1", port=1, sender=SENDER))  # never reached
    result = await channel.send(message(address=address))
    assert result.kind is ResultKind.PERMANENT and result.error and "cannot be built" in result.error


def test_a_sender_that_is_not_one_address_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="SMTP_FROM"):
        EmailChannel(SmtpConfig(host="127.0.0.1", port=25, sender="thongbao"))
