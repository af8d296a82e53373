"""Which message carries a one-click link, and the link itself, without I/O.

An email or SMS that asks a person to acknowledge an incident carries a link that acknowledges it in one
click: bound to that person (a staff code: the registry says at use whether they may still act), that
incident and that action, expiring at the acknowledgement deadline the event names, and used once. The
link's id comes from the delivery's id, so a send retried carries the same link; the email and the SMS of
one person are two links, and whichever is used first acknowledges.

Offices and desks (a commune's contact address, the Department's duty desk) are no one person: their
messages carry no link, and whoever reads them signs in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.auth.action_links import ActionClaims, ActionLinkSigner, link_id
from shared.events.incidents import IncidentReportedV1
from shared.events.notifications import DeliveryChannel

ACKNOWLEDGE = "acknowledge"
ASKS_FOR_ACKNOWLEDGEMENT = frozenset({IncidentReportedV1.event_type})
"""Event types whose messages ask the reader to acknowledge, with the deadline as ``acknowledge_due_at``.
An escalation is not among them: its acknowledgement deadline has passed already."""
LINK_CHANNELS = frozenset({DeliveryChannel.EMAIL, DeliveryChannel.SMS})
"""The inbox is read signed in, and a webhook is read by a machine: neither needs a link."""
PERSON_PREFIX = "staff:"


class LinkedDelivery(Protocol):
    """What of a delivery row a link depends on."""

    @property
    def id(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def recipient_key(self) -> str: ...


def acknowledge_claims(
    row: LinkedDelivery, event: Mapping[str, Any], *, now: datetime
) -> ActionClaims | None:
    """The claims of the row's acknowledge link, or None when its message carries none (not an event that
    asks for acknowledgement, not a person, not email or SMS, or its deadline already past)."""
    if row.event_type not in ASKS_FOR_ACKNOWLEDGEMENT or row.channel not in LINK_CHANNELS:
        return None
    if not row.recipient_key.startswith(PERSON_PREFIX):
        return None
    incident_id, due = event.get("incident_id"), event.get("acknowledge_due_at")
    if not incident_id or not due:
        return None
    expires_at = datetime.fromisoformat(due) if isinstance(due, str) else due
    if not isinstance(expires_at, datetime) or expires_at.tzinfo is None or now >= expires_at:
        return None
    return ActionClaims(
        person=row.recipient_key.removeprefix(PERSON_PREFIX),
        target=str(incident_id),
        action=ACKNOWLEDGE,
        expires_at=expires_at,
        jti=link_id(row.id),
        via=str(row.channel),
    )


@dataclass(frozen=True)
class ActionLinks:
    """Mints the links of the messages being rendered: ``{console}/act/{token}``."""

    signer: ActionLinkSigner
    console_url: str

    def for_row(self, row: LinkedDelivery, event: Mapping[str, Any], *, now: datetime) -> dict[str, str]:
        """What the row's template reads as ``recipient.*``: ``acknowledge_url``, or nothing."""
        claims = acknowledge_claims(row, event, now=now)
        if claims is None:
            return {}
        try:
            token = self.signer.sign(claims)
        except ValueError:  # a staff code or id outside what a link carries: the message goes without
            return {}
        return {"acknowledge_url": f"{self.console_url.rstrip('/')}/act/{token}"}
