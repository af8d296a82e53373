"""Alembic's entry for the activities service's database: its own tables and the outbox and inbox."""

import services.activities.app  # noqa: F401 - the composition root imports every concept, completing the metadata
from services.activities.tables import ACTIVITIES_METADATA
from shared.db.messaging_tables import MESSAGING_METADATA
from shared.db.migrations import run_migrations

run_migrations(MESSAGING_METADATA, ACTIVITIES_METADATA)
