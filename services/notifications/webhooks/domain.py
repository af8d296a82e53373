"""Standard Webhooks signing and the rules for a subscription's URL, without I/O.

Signing (standardwebhooks.com): the signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, the
key is the base64 part of ``whsec_<base64>``, and the header reads ``v1,<base64 HMAC-SHA256>``. Receivers
verify with any Standard Webhooks library, reject stale timestamps and dedupe on ``webhook-id``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret


class UnsafeUrl(ValueError):
    """A URL a webhook may not target."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def is_valid_secret(secret: str) -> bool:
    """Whether ``whsec_<base64>`` decodes to a key of at least 24 bytes (the pattern alone lets through
    base64 that does not decode, and what is not ASCII makes ``b64decode`` raise a bare ``ValueError``)."""
    try:
        return len(base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)) >= 24
    except ValueError:  # binascii.Error is one
        return False


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(secret: str, *, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id=message_id, timestamp=timestamp, body=body),
        "content-type": "application/json",
    }


TIMESTAMP_TOLERANCE_S = 5 * 60
"""Standard Webhooks: a receiver refuses a message signed too far from its own clock (a replay)."""


def verify(secret: str, headers: dict[str, str], body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does; the tests' receivers use it, and it documents the contract."""
    timestamp = int(headers["webhook-timestamp"])
    if abs((time.time() if now is None else now) - timestamp) > TIMESTAMP_TOLERANCE_S:
        return False
    expected = sign(
        secret, message_id=headers["webhook-id"], timestamp=int(headers["webhook-timestamp"]), body=body
    ).removeprefix("v1,")
    offered = [
        part.removeprefix("v1,") for part in headers["webhook-signature"].split() if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def accepts(event_types: list[str], event_type: str) -> bool:
    """A subscription's filter: exact types or shell patterns (``*.incident.*``); empty takes everything."""
    short = event_type.removeprefix("vn.gov.nghean.edu.")
    return not event_types or any(fnmatchcase(event_type, p) or fnmatchcase(short, p) for p in event_types)


def grant_covers(grant: Sequence[int] | None, cluster_nos: Sequence[int]) -> bool:
    """An integration client hears only of the clusters its grant covered when it subscribed (None: all)."""
    if grant is None:
        return True
    return bool(set(grant) & set(cluster_nos))


class Filtered(Protocol):
    """What of a subscription says which events it hears of (the table row has more)."""

    @property
    def event_types(self) -> list[str]: ...
    @property
    def cluster_nos(self) -> list[int] | None: ...


S = TypeVar("S", bound=Filtered)


def subscriptions_for(subscriptions: Sequence[S], *, event_type: str, cluster_nos: Sequence[int]) -> list[S]:
    """The subscriptions whose filter takes the event type and whose grant covers its clusters."""
    return [
        subscription
        for subscription in subscriptions
        if accepts(subscription.event_types, event_type)
        and grant_covers(subscription.cluster_nos, cluster_nos)
    ]


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL's host if a webhook may target it; raises ``UnsafeUrl`` otherwise.

    Outside development and tests: https only, and no literal private, loopback, link-local or reserved
    address (names are checked again once resolved, by ``check_addresses``).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl("the URL must be an absolute http(s) URL")
    if not allow_private:
        if parts.scheme != "https":
            raise UnsafeUrl("webhook URLs must use https")
        host = parts.hostname.lower()
        if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
            raise UnsafeUrl("webhook URLs may not target this machine")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return parts.hostname  # a name: its addresses are checked once resolved
        check_addresses([host])
    return parts.hostname


def check_addresses(addresses: list[str]) -> None:
    """Refuse every address that is not globally routable (``ValueError`` for a name).

    ``is_global`` rather than ``is_private``: shared address space (100.64.0.0/10, where one cloud keeps
    its metadata service), site-local IPv6 and the like are neither. An IPv6 address that wraps an IPv4
    one (mapped, 6to4, Teredo) is judged by the address it wraps.
    """
    for raw in addresses:
        address = ipaddress.ip_address(raw)
        if isinstance(address, ipaddress.IPv6Address):
            teredo = address.teredo
            wrapped = address.ipv4_mapped or address.sixtofour or (teredo[1] if teredo else None)
            if wrapped is not None:
                check_addresses([str(wrapped)])
            if address.is_site_local:
                raise UnsafeUrl(f"webhook URLs may not target the site-local address {address}")
        if (
            not address.is_global
            or address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            raise UnsafeUrl(f"webhook URLs may not target the private or local address {address}")
