"""Signed action links: one person may do one action on one thing, until a time, once, without signing in.

One service mints them (notifications, when it writes an email or SMS that asks a person to act) and
another honours them (incidents), so they are signed with Ed25519: the minter holds the private key, the
honouring service only the public one, and a compromised honouring service cannot mint links.

A link is short enough for an SMS: the claims in plain text, then the signature (64 bytes, 86 characters),
joined by ``~`` (unreserved in URLs, never in a claim)::

    1~acknowledge~DEMO-C1-LEAD~6f1c…-…~1767225600~Qk3x…~email~<signature>

Ed25519 signs deterministically, so the same claims give the same link: a send retried carries the link
of its first attempt. Verifying checks only the signature; whether the link has expired or was used is the
honouring service's to say (a forged link must reveal nothing, an expired one may say so).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = "1"
SEPARATOR = "~"
MAX_TOKEN_CHARS = 400
"""Longer than any link minted (about 200 characters): a longer path is refused before it is parsed."""
_CONTEXT = b"edu-clusters action link\n"
"""Signed before the claims, so that a signature made for anything else never passes as a link's."""
_CLAIM = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
"""What every claim is made of (staff codes, UUIDs, action names): never the separator."""

# Development only, like DEV_JWT_SECRET: production refuses both (each service's settings).
DEV_ACTION_LINK_PRIVATE_KEY = "ZSg75cyr0El98BJUUjzcWQPZ8Zbwnu8DRsh98_qUGmg"  # refused in production
DEV_ACTION_LINK_PUBLIC_KEY = "3gg_AKySHUu-Sp1wCh2WDf9uvLxFfUFe0Z5mYtV_5KM"


class BadActionLink(Exception):
    """Not a link we minted (changed, truncated, or never issued); says nothing more, on purpose."""


@dataclass(frozen=True)
class ActionClaims:
    """What a link is bound to."""

    person: str
    """The staff code of the one person who may use it."""
    target: str
    """What it acts on (an incident's id)."""
    action: str
    expires_at: datetime
    jti: str
    """The link's own id: used once, it is recorded and refused after."""
    via: str = "email"
    """How it reached the person (``email``, ``sms``), for the record of its use."""

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def link_id(seed: str) -> str:
    """A link id of 22 characters (128 bits) from something unique to one message, such as its delivery
    id: the same message always carries the same link."""
    return _encode(hashlib.sha256(seed.encode()).digest()[:16])


class ActionLinkSigner:
    """Mints links with the private key (base64url of the 32-byte Ed25519 seed)."""

    def __init__(self, private_key: str) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(key_bytes(private_key, "private"))

    @property
    def public_key(self) -> str:
        return _encode(self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, claims: ActionClaims) -> str:
        parts = [claims.action, claims.person, claims.target, claims.jti, claims.via]
        bad = [part for part in parts if not _CLAIM.match(part)]
        if bad:
            raise ValueError(f"a link's claims are letters, digits, '_', '.' and '-' only: {bad[0]!r}")
        expires = str(_seconds(claims.expires_at))
        payload = SEPARATOR.join(
            [VERSION, claims.action, claims.person, claims.target, expires, claims.jti, claims.via]
        )
        signature = self._key.sign(_CONTEXT + payload.encode())
        return f"{payload}{SEPARATOR}{_encode(signature)}"


class ActionLinkVerifier:
    """Checks links with the public key (base64url of the 32-byte Ed25519 public key)."""

    def __init__(self, public_key: str) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(key_bytes(public_key, "public"))

    def verify(self, token: str) -> ActionClaims:
        """The claims of a link we minted; anything else is ``BadActionLink``. Expiry is not checked."""
        if len(token) > MAX_TOKEN_CHARS:
            raise BadActionLink("too long")
        payload, _, signature = token.rpartition(SEPARATOR)
        parts = payload.split(SEPARATOR)
        if len(parts) != 7 or parts[0] != VERSION:
            raise BadActionLink("not a link of this version")
        try:
            self._key.verify(_decode(signature), _CONTEXT + payload.encode())
        except (InvalidSignature, ValueError, binascii.Error) as exc:
            raise BadActionLink("wrong signature") from exc
        _, action, person, target, expires, jti, via = parts
        return ActionClaims(
            person=person,
            target=target,
            action=action,
            expires_at=datetime.fromtimestamp(int(expires), tz=UTC),
            jti=jti,
            via=via,
        )


def key_bytes(key: str, kind: str) -> bytes:
    """A key as settings hold it (base64url, padding optional) as its 32 bytes; a wrong one is a
    ValueError naming which key, never showing it."""
    try:
        raw = _decode(key.strip())
    except (ValueError, binascii.Error) as exc:
        raise ValueError(f"the action links' {kind} key is not base64url") from exc
    if len(raw) != 32:
        raise ValueError(f"the action links' {kind} key must be 32 bytes (Ed25519), not {len(raw)}")
    return raw


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("a link's expiry must carry its time zone")
    return int(moment.timestamp())


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key_pair() -> tuple[str, str]:
    """A fresh (private, public) pair, base64url, for ACTION_LINK_PRIVATE_KEY and ACTION_LINK_PUBLIC_KEY."""
    key = Ed25519PrivateKey.generate()
    private = _encode(key.private_bytes_raw())
    return private, ActionLinkSigner(private).public_key


if __name__ == "__main__":  # python -m shared.auth.action_links: a key pair as kubectl's literals
    private, public = new_key_pair()
    print(f"--from-literal=private-key={private} --from-literal=public-key={public}")
