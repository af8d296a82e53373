"""What a notice may carry, without I/O: PDF, DOCX and XLSX files, recognised by their first bytes and
their name together (a renamed file is refused), within the size the settings allow."""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum
from pathlib import PurePath

from shared.errors import ServiceError, Unprocessable


class TooLarge(ServiceError):
    status_code = 413


class UnsupportedType(ServiceError):
    status_code = 415


class Kind(StrEnum):
    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


EXTENSIONS = {".pdf": Kind.PDF, ".docx": Kind.DOCX, ".xlsx": Kind.XLSX}
MAX_FILENAME = 200


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge(f"the file is larger than {limit} bytes, the most a notice may carry", field="file")
    if size == 0:
        raise Unprocessable("the file is empty", field="file")


def kind_of(filename: str, content: bytes) -> Kind:
    """The file's type, if its name and its content agree on PDF, DOCX or XLSX; else a 415."""
    name = PurePath(filename).name
    if not name or len(name) > MAX_FILENAME:
        raise Unprocessable(f"the file needs a name of at most {MAX_FILENAME} characters", field="file")
    claimed = EXTENSIONS.get(PurePath(name).suffix.lower())
    if claimed is None:
        raise UnsupportedType(
            f"{name}: only PDF, DOCX and XLSX files can be attached (.pdf, .docx, .xlsx)", field="file"
        )
    found = _sniff(content)
    if found is not claimed:
        what = found.name if found else "not a PDF, DOCX or XLSX file"
        raise UnsupportedType(f"{name} is named {claimed.name} but its content is {what}", field="file")
    return claimed


def _sniff(content: bytes) -> Kind | None:
    if content.startswith(b"%PDF-"):
        return Kind.PDF
    if not content.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return Kind.DOCX
    if "xl/workbook.xml" in names:
        return Kind.XLSX
    return None


def safe_filename(filename: str) -> str:
    """The name as shown and sent: no path, no control characters."""
    name = PurePath(filename.replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable()) or "attachment"
