"""What the notices tests share: a small province (two clusters, their communes, schools and people) as
the registry publishes it, real PDF and DOCX files, and the bodies of a notice and a return.

Cluster 1: communes 16001 (schools S11A primary, S11B lower secondary) and 16002 (S12 preschool, no
principal known: the school's own address); cluster 2: commune 16003 (S21 primary). Each commune has the
emails of its People's Committee and its Office of Culture and Social Affairs.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.base import EventPayload
from shared.events.registry import ClusterMembershipV1

CLUSTER_1_COMMUNES = ("16001", "16002")
CLUSTER_1_SCHOOLS = ("S11A", "S11B", "S12")
PRINCIPALS = {"S11A": "P11A", "S11B": "P11B", "S21": "P21"}
"""Schools with a principal in the registry; S12 has none (its own email is used)."""


def email_of(code: str) -> str:
    return f"{code.lower()}@example.vn"


def office_email(commune: str) -> str:
    return f"vhxh.{commune}@example.vn"


def committee_email(commune: str) -> str:
    return f"ubnd.{commune}@example.vn"


def registry_states() -> list[EventPayload]:
    now = datetime.now(UTC)
    since = date(2025, 7, 1)
    states: list[EventPayload] = [
        ClusterStateV1(
            cluster_no=n,
            name=f"Cụm {n}",
            office_host_unit="x",
            leader_staff_code=f"L{n}",
            version=1,
            updated_at=now,
        )
        for n in (1, 2)
    ]
    for code, cluster_no in (("16001", 1), ("16002", 1), ("16003", 2)):
        states.append(
            CommuneStateV1(
                gso_code=code,
                name=f"Xã {code}",
                kind="commune",
                old_district_code="400",
                old_district_name="Huyện cũ",
                cluster_no=cluster_no,
                people_committee_email=committee_email(code),
                culture_office_head=f"Trưởng phòng {code}",
                culture_office_email=office_email(code),
                version=1,
                updated_at=now,
            )
        )
    for code, level, commune, cluster_no in (
        ("S11A", "primary", "16001", 1),
        ("S11B", "lower_secondary", "16001", 1),
        ("S12", "preschool", "16002", 1),
        ("S21", "primary", "16003", 2),
    ):
        states.append(
            SchoolStateV1(
                code=code,
                name=f"Trường {code}",
                level=level,  # type: ignore[arg-type]
                commune_code=commune,
                cluster_no=cluster_no,
                principal_staff_code=PRINCIPALS.get(code),
                email=email_of(code),
                pupils=100,
                classes=5,
                teachers=8,
                version=1,
                updated_at=now,
            )
        )
    for school, person in PRINCIPALS.items():
        states.append(
            StaffStateV1(
                code=person,
                full_name=f"Hiệu trưởng {person}",
                roles=["principal"],
                school_code=school,
                email=email_of(person),
                version=1,
                updated_at=now,
            )
        )
    for n in (1, 2):
        states.append(
            StaffStateV1(
                code=f"L{n}",
                full_name=f"Trưởng cụm {n}",
                roles=["department_official"],
                email=email_of(f"L{n}"),
                memberships=[ClusterMembershipV1(cluster_no=n, role="leader", valid_from=since)],
                version=1,
                updated_at=now,
            )
        )
    return states


def pdf_bytes(text: str = "Công văn") -> bytes:
    """A small, real PDF (one page)."""
    body = f"BT /F1 12 Tf 72 720 Td ({text.encode('ascii', 'replace').decode()}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx_bytes() -> bytes:
    """The parts that make a ZIP a Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def notice_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": "123/SGDĐT-VP",
        "notice_date": date.today().isoformat(),
        "issuing_unit": "Sở GD&ĐT Nghệ An",
        "subject": "Về việc chuẩn bị năm học mới",
        "body": "Sở GD&ĐT đề nghị các trường và UBND các xã chuẩn bị cơ sở vật chất cho năm học mới.",
        "audience": {
            "principal_groups": [{"cluster_nos": [1]}],
            "culture_offices": {"cluster_nos": [1]},
        },
        "reply_by": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
    }
    return {**body, **changes}


def start_of_year_values(pupils: int = 30, **changes: Any) -> dict[str, Any]:
    """A primary school's start-of-year answers: ``pupils`` in each of grades 1 to 5."""
    values: dict[str, Any] = {f"pupils_grade_{n}": pupils for n in range(1, 6)}
    values.update({"classes": 10, "teachers": 15, "boarding_pupils": 40, "classrooms_unusable": 1})
    return {**values, **changes}
