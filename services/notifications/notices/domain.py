"""What the notices service's events add to a message, without I/O.

A published notice carries each addressee's signed open and acknowledge links (only the notices service
can sign them) and, when small, its attachments' bytes. At fan-out the links are handed to the person the
addressee resolved to (``per_recipient``, merged into ``recipient`` when rendering), the bytes are kept
apart for the email (``inline_attachments``), and neither stays in the event that templates show and
webhooks forward: a subscriber gets the notice, not the addressees' credentials or the files.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from services.notifications.channels.domain import MailAttachment
from services.notifications.recipients.domain import Recipient
from shared.events import EventPayload
from shared.events.notices import AddresseeV1, LinkAction, NoticePublishedV1, NoticeReminderSentV1


def with_notice_parts(
    context: dict[str, Any], event: EventPayload, recipients: Mapping[str, Recipient]
) -> dict[str, Any]:
    """The context of a notice's event, with each recipient's links and the attachments set apart."""
    if not isinstance(event, NoticePublishedV1 | NoticeReminderSentV1):
        return context
    addressees = (
        {a.key: a for a in event.addressees}
        if isinstance(event, NoticePublishedV1)
        else {event.addressee.key: event.addressee}
    )
    per_recipient = {}
    for key, recipient in recipients.items():
        found = addressees.get(recipient.addressee or "")
        if found is not None:
            per_recipient[key] = _links(event, found)
    shown = dict(context["event"])
    shown.pop("addressees", None)
    shown.pop("addressee", None)
    inline = []
    if isinstance(event, NoticePublishedV1):
        shown["attachments"] = [
            {name: value for name, value in attachment.items() if name != "content_base64"}
            for attachment in shown.get("attachments", [])
        ]
        inline = [
            {"filename": a.filename, "content_type": a.content_type, "content_base64": a.content_base64}
            for a in event.attachments
            if a.content_base64
        ]
    return {**context, "event": shown, "per_recipient": per_recipient, "inline_attachments": inline}


def _links(event: NoticePublishedV1 | NoticeReminderSentV1, addressee: AddresseeV1) -> dict[str, str]:
    links = event.links
    return {
        "addressee": addressee.key,
        "open_url": links.url(
            LinkAction.OPEN, notice_id=event.notice_id, addressee=addressee.key, signature=addressee.open_sig
        ),
        "acknowledge_url": links.url(
            LinkAction.ACKNOWLEDGE,
            notice_id=event.notice_id,
            addressee=addressee.key,
            signature=addressee.acknowledge_sig,
        ),
    }


def email_attachments(context: Mapping[str, Any]) -> tuple[MailAttachment, ...]:
    """The files an email of this event carries (a notice's small attachments); a damaged one is left out."""
    found = []
    for item in context.get("inline_attachments") or []:
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            continue
        found.append(MailAttachment(str(item["filename"]), str(item["content_type"]), content))
    return tuple(found)
