"""Alembic's entry for the console's database: its sessions and sign-ins, and the outbox and inbox."""

import services.console.app  # noqa: F401 - the composition root imports every concept, completing the metadata
from services.console.tables import CONSOLE_METADATA
from shared.db.messaging_tables import MESSAGING_METADATA
from shared.db.migrations import run_migrations

run_migrations(MESSAGING_METADATA, CONSOLE_METADATA)
