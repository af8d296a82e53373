"""Database access shared by the services: engines, sessions, column types and the unit of work."""

from shared.db.engine import create_engine, create_schema, ping, session_factory
from shared.db.types import UTCDateTime
from shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "UTCDateTime",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "create_engine",
    "create_schema",
    "ping",
    "session_factory",
]
