"""Use cases of the preferences: read and save a person's, and load many for a fan-out."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from services.notifications.preferences.domain import Preferences
from services.notifications.preferences.models import PersonPreferences, PreferencesBody
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events.notifications import DeliveryChannel


async def get(*, uow: UnitOfWork, recipient_key: str) -> PersonPreferences:
    stored = await uow.session.get(PersonPreferences, recipient_key)
    return stored or PersonPreferences(recipient_key=recipient_key)


async def save(*, uow: UnitOfWork, recipient_key: str, body: PreferencesBody) -> PersonPreferences:
    if (body.quiet_start is None) != (body.quiet_end is None):
        raise Unprocessable("quiet hours need both a start and an end", field="quiet_end")
    stored = await uow.session.get(PersonPreferences, recipient_key)
    if stored is None:
        stored = PersonPreferences(recipient_key=recipient_key)
    stored.sqlmodel_update(body.model_dump())
    uow.session.add(stored)
    await uow.commit()
    await uow.session.refresh(stored)
    return stored


async def load_many(*, uow: UnitOfWork, recipient_keys: Iterable[str]) -> dict[str, Preferences]:
    keys = list(recipient_keys)
    if not keys:
        return {}
    query = select(PersonPreferences).where(col(PersonPreferences.recipient_key).in_(keys))
    return {row.recipient_key: as_domain(row) for row in (await uow.session.exec(query)).all()}


def as_domain(row: PersonPreferences) -> Preferences:
    return Preferences(
        channels=frozenset(DeliveryChannel(channel) for channel in row.channels),
        language=row.language,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        daily_digest=row.daily_digest,
        digest_at=row.digest_at,
    )
