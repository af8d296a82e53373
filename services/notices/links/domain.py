"""Signed links, without I/O: HMAC-SHA256 with the service's secret over what a link is bound to.

An addressee's link is bound to the notice, the addressee and the action (open, acknowledge) and to its
expiry (the notice's reply date, or 30 days after publishing); a download link to the notice, the
attachment and its expiry. The signature is cut to 128 bits: a notice to every school carries two per
school in its event, and 128 bits are beyond guessing. Single use is the receipt's business: a link
already used answers 410 there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from shared.errors import Forbidden, ServiceError
from shared.events.notices import AddresseeKind, AddresseeV1, LinkAction

SIGNATURE_BYTES = 16
DOWNLOAD = "download"


class LinkGone(ServiceError):
    """The link can no longer be used: expired, or already used (HTTP 410 Gone)."""

    status_code = 410


def sign(secret: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def addressee_signature(
    secret: str, *, notice_id: str, addressee: str, action: str, expires_at: datetime
) -> str:
    return sign(secret, notice_id, addressee, action, str(int(expires_at.timestamp())))


def download_signature(secret: str, *, notice_id: str, attachment_id: str, expires_at: datetime) -> str:
    return sign(secret, notice_id, attachment_id, DOWNLOAD, str(int(expires_at.timestamp())))


LINK_REFUSALS: dict[int | str, dict[str, str]] = {
    403: {"description": "The link's signature is wrong: it was changed or never issued"},
    404: {"description": "The notice, addressee or attachment the link names does not exist"},
    410: {"description": "The link has expired, or was used already"},
}
"""What a signed link (no token) can answer besides its page; declared by each route that takes one."""


def check(signature: str, expected: str, *, expires: int, now: datetime) -> None:
    """A wrong signature is a 403; a right one past its expiry a 410."""
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise Forbidden("this link is not valid: it was changed or was never issued", field="sig")
    if now >= datetime.fromtimestamp(expires, tz=UTC):
        raise LinkGone("this link has expired; sign in to read the notice", field="exp", rule="link_expired")


def expiry(exp: int) -> datetime:
    return datetime.fromtimestamp(exp, tz=UTC)


def addressee_v1(
    secret: str, *, notice_id: str, key: str, kind: AddresseeKind, expires_at: datetime
) -> AddresseeV1:
    """An addressee as events carry it: its key, and the signatures of its open and acknowledge links."""
    return AddresseeV1(
        key=key,
        kind=kind,
        open_sig=addressee_signature(
            secret, notice_id=notice_id, addressee=key, action=LinkAction.OPEN, expires_at=expires_at
        ),
        acknowledge_sig=addressee_signature(
            secret, notice_id=notice_id, addressee=key, action=LinkAction.ACKNOWLEDGE, expires_at=expires_at
        ),
    )
