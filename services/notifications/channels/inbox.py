"""The in-app inbox as a channel: nothing leaves the service, the item is written with the outcome."""

from __future__ import annotations

from services.notifications.channels.base import Message, SendResult


class InboxChannel:
    async def send(self, message: Message) -> SendResult:
        return SendResult.delivered()

    async def close(self) -> None:
        return None
