"""Registry rules without I/O: search folding, edit rights, import rows and the sample generator."""

from __future__ import annotations

from collections import Counter

import pytest

from services.registry.access.domain import EditRight, fields_beyond_right, manages_cluster, school_edit_right
from services.registry.admin.domain import CommuneForSamples, sample_rows
from services.registry.bulk.domain import UnreadableFile, check_rows, read_csv, read_json, write_csv
from services.registry.schools.models import IMPORT_COLUMNS, SchoolCreate
from services.registry.staff.models import StaffCreate
from shared.auth import Principal, Role
from shared.text import fold

ADMIN = Principal(subject="a", role=Role.DEPARTMENT_ADMIN)
OFFICER = Principal(subject="o", role=Role.DEPARTMENT_OFFICER)
LEADER_3 = Principal(subject="l", role=Role.CLUSTER_LEADER, cluster_no=3)
MEMBER_3 = Principal(subject="m", role=Role.CLUSTER_MEMBER, cluster_no=3)
PRINCIPAL = Principal(subject="p", role=Role.SCHOOL_PRINCIPAL, school_id="29001")


@pytest.mark.parametrize(
    ("name", "query"),
    [("Kỳ Sơn", "Ky Son"), ("Đô Lương", "do luong"), ("Quỳnh  Lưu", "quynh luu"), ("Nghĩa Đàn", "NGHĨA ĐÀN")],
)
def test_a_name_is_found_with_or_without_diacritics(name: str, query: str) -> None:
    assert fold(query) in fold(name)


def test_folding_keeps_names_apart_that_differ_in_letters() -> None:
    assert fold("Tân Kỳ") != fold("Tân Kỳ Sơn")
    assert fold("Trường Mầm non Hoa Sen") == "truong mam non hoa sen"


def test_the_admin_manages_every_cluster_and_a_leader_only_their_own() -> None:
    assert manages_cluster(ADMIN, 4) and manages_cluster(ADMIN, None)
    assert manages_cluster(LEADER_3, 3)
    assert not manages_cluster(LEADER_3, 4)
    assert not manages_cluster(LEADER_3, None)  # a commune in no cluster is the Department's
    assert not manages_cluster(MEMBER_3, 3)  # members read, the leader edits
    assert not manages_cluster(OFFICER, 3)


def test_a_principal_may_change_only_the_contacts_of_their_own_school() -> None:
    right = school_edit_right(PRINCIPAL, school_code="29001", cluster_no=3)
    assert right is EditRight.CONTACTS
    assert fields_beyond_right(right, {"phone", "email"}) == set()
    assert fields_beyond_right(right, {"phone", "level"}) == {"level"}
    assert school_edit_right(PRINCIPAL, school_code="29002", cluster_no=3) is EditRight.NONE
    assert school_edit_right(LEADER_3, school_code="29002", cluster_no=3) is EditRight.ALL
    assert school_edit_right(LEADER_3, school_code="29002", cluster_no=5) is EditRight.NONE


def test_every_bad_csv_row_is_reported_by_line_and_field() -> None:
    data = (
        "code,name,level,commune_code,pupils\n"
        "29001,Trường Tiểu học Kỳ Sơn,primary,16813,420\n"
        "29002,Trường THCS Mỹ Lý,university,16816,300\n"
        "29003,,preschool,16819,-5\n"
        "29001,Trường Tiểu học trùng mã,primary,16813,100\n"
        "29004,Trường Mầm non Bắc Lý,preschool,16819,120,extra\n"
    ).encode()
    checked = check_rows(read_csv(data, columns=IMPORT_COLUMNS), SchoolCreate, key="code")
    assert [line for line, _ in checked.valid] == [2]
    assert sorted((error.line, error.field) for error in checked.errors) == [
        (3, "level"),
        (4, "name"),
        (4, "pupils"),
        (5, "code"),
        (6, None),
    ]
    assert "line 2" in next(error.message for error in checked.errors if error.line == 5)


def test_unknown_columns_and_broken_files_are_refused_as_a_whole() -> None:
    with pytest.raises(UnreadableFile, match="unknown columns: colour"):
        read_csv(b"code,colour\n1,red\n", columns=IMPORT_COLUMNS)
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        read_csv("code,name\n1,Trường\n".encode("utf-16"), columns=IMPORT_COLUMNS)
    with pytest.raises(UnreadableFile, match="list of objects"):
        read_json(b'{"code": "1"}')


def test_json_rows_are_numbered_by_position_and_roles_read_from_either_form() -> None:
    rows = read_json(b'[{"code": "A1", "full_name": "Lo Van An", "roles": "principal;core_teacher"}, 7]')
    checked = check_rows(rows, StaffCreate, key="code")
    assert checked.valid[0][1].roles == ["principal", "core_teacher"]
    assert [(error.line, error.message) for error in checked.errors] == [
        (2, "each item must be a JSON object")
    ]


def test_an_export_reads_back_as_the_same_rows() -> None:
    record = {"code": "29001", "name": "Trường Tiểu học Kỳ Sơn", "level": "primary", "commune_code": "16813"}
    text = write_csv([{**record, "locomotive": True, "pupils": None}], columns=IMPORT_COLUMNS)
    [(line, row)] = read_csv(text.encode(), columns=IMPORT_COLUMNS)
    parsed = SchoolCreate.model_validate(row)
    assert (line, parsed.name, parsed.locomotive, parsed.pupils) == (2, record["name"], True, None)


COMMUNES = [
    CommuneForSamples("16813", "Xã Mường Xén", 10_396, 1),
    CommuneForSamples("16681", "Phường Thành Vinh", 123_507, None),
    CommuneForSamples("17011", "Xã Đô Lương", 60_000, 4),
]


def test_sample_schools_are_labelled_spread_by_population_and_reproducible() -> None:
    schools, staff = sample_rows(COMMUNES, schools=1500, seed=7)
    assert len(schools) == 1500
    assert all(s["code"].startswith("MAU") and s["name"].endswith("(mẫu)") and s["sample"] for s in schools)
    per_commune = Counter(s["commune_code"] for s in schools)
    assert per_commune["16681"] > per_commune["17011"] > per_commune["16813"]
    levels = Counter(s["level"] for s in schools)
    assert levels["preschool"] > levels["primary"] > levels["lower_secondary"] > levels["inter_level"] > 0
    assert {p["school_code"] for p in staff if "principal" in p["roles"]} == {s["code"] for s in schools}
    assert sample_rows(COMMUNES, schools=1500, seed=7) == (schools, staff)
    for row in schools:
        SchoolCreate.model_validate(row)
    boarding = {s["commune_code"] for s in schools if s["boarding"] != "none"}
    assert boarding <= {"16813"}  # only in the mountain clusters
