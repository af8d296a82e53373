"""HTTP routes of attachments: upload to a draft, and the signed download links emails carry."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response

from services.notices.attachments import service
from services.notices.attachments.adapters import FileStore
from services.notices.attachments.domain import TooLarge
from services.notices.links import domain as links
from services.notices.notices import queries
from services.notices.notices.api import NoticesSettingsDep
from services.notices.notices.models import AttachmentPublic
from services.notices.settings import NoticesSettings
from shared.auth import CurrentPrincipal
from shared.clock import utc_now
from shared.web import KIB, UnitOfWorkDep, body_limit

router = APIRouter(tags=["attachments"])
CHUNK = 64 * 1024
MULTIPART_ROOM = 64 * KIB
"""The multipart envelope around the file (boundaries, part headers, a long file name) above its own limit:
the web edge refuses a body past both before it is read, ``read_limited`` the file past its own."""


def upload_limit(settings: NoticesSettings) -> int:
    return settings.attachment_max_bytes + MULTIPART_ROOM


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refused with 413 as soon as they pass the limit (never all read into memory)."""
    parts, size = [], 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(
                f"the file is larger than {limit} bytes, the most a notice may carry", field="file"
            )
        parts.append(chunk)
    return b"".join(parts)


@router.post("/notices/{notice_id}/attachments", response_model=AttachmentPublic, status_code=201)
@body_limit(upload_limit)
async def upload_attachment(
    notice_id: str,
    file: UploadFile,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: NoticesSettingsDep,
) -> object:
    """Attach a PDF, DOCX or XLSX file to a draft (multipart ``file``); too large: 413, another type: 415."""
    content = await read_limited(file, settings.attachment_max_bytes)
    return await service.attach(
        uow=uow,
        principal=principal,
        notice_id=notice_id,
        filename=file.filename or "",
        content=content,
        store=FileStore(settings.files_dir),
        max_bytes=settings.attachment_max_bytes,
    )


@router.get("/files/{attachment_id}", response_class=Response, responses=links.LINK_REFUSALS)
async def download_signed(
    attachment_id: str,
    uow: UnitOfWorkDep,
    settings: NoticesSettingsDep,
    notice: str = Query(max_length=36),
    exp: int = Query(ge=0, le=253_402_300_799),
    sig: str = Query(max_length=64),
) -> Response:
    """An attachment through the signed link of a published notice's email (no token needed)."""
    expires_at = links.expiry(exp)
    expected = links.download_signature(
        settings.link_secret.get_secret_value(),
        notice_id=notice,
        attachment_id=attachment_id,
        expires_at=expires_at,
    )
    links.check(sig, expected, expires=exp, now=utc_now())
    attachment = await queries.attachment(uow, notice, attachment_id)
    return await file_response(attachment.sha256, attachment.filename, attachment.content_type, settings)


async def file_response(sha256: str, filename: str, content_type: str, settings: NoticesSettings) -> Response:
    """The stored file, named as it was uploaded (RFC 6266, with the UTF-8 name for Vietnamese names)."""
    content = await FileStore(settings.files_dir).read(sha256)
    plain = filename.encode("ascii", "replace").decode().replace('"', "")
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=content_type, headers={"Content-Disposition": disposition})
