"""Alembic's entry for the notices service's database: its own tables and the outbox and inbox."""

import services.notices.app  # noqa: F401 - the composition root imports every concept, completing the metadata
from services.notices.tables import NOTICES_METADATA
from shared.db.messaging_tables import MESSAGING_METADATA
from shared.db.migrations import run_migrations

run_migrations(MESSAGING_METADATA, NOTICES_METADATA)
