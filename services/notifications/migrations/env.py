"""Alembic's entry for the notifications service's database: its own tables and the outbox and inbox."""

import services.notifications.app  # noqa: F401 - the composition root imports every concept, completing the metadata
from services.notifications.tables import NOTIFICATIONS_METADATA
from shared.db.messaging_tables import MESSAGING_METADATA
from shared.db.migrations import run_migrations

run_migrations(MESSAGING_METADATA, NOTIFICATIONS_METADATA)
