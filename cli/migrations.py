"""``edu-clusters db``: the operator upgrades a service's database before a production deploy.

Start-up upgrades by itself in development; in production it refuses a database behind head and names
``edu-clusters db upgrade <service>``, so a schema change is always a deliberate step.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command

import services
from shared.db.migrations import alembic_config
from shared.settings import ServiceSettings

SERVICES_DIR = Path(services.__file__).parent


def migrations_of(service: str) -> Path:
    location = SERVICES_DIR / service / "migrations"
    if not (location / "env.py").is_file():
        known = sorted(path.parent.name for path in SERVICES_DIR.glob("*/migrations/env.py"))
        raise ValueError(f"no service {service!r} keeps migrations; known: {', '.join(known)}")
    return location


def database_url(service: str, url: str | None) -> str:
    """``--url``, else DATABASE_URL, else the service's local SQLite file (as the service resolves it)."""
    return url or ServiceSettings(service_name=service).resolved_database_url


def upgrade(service: str, *, url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_of(service), database_url(service, url)), revision)


def downgrade(service: str, revision: str, *, url: str | None = None) -> None:
    command.downgrade(alembic_config(migrations_of(service), database_url(service, url)), revision)


def current(service: str, *, url: str | None = None) -> None:
    command.current(alembic_config(migrations_of(service), database_url(service, url)), verbose=True)
