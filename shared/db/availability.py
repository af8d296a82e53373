"""Which database errors mean "not now" rather than "wrong": a server restarting, a connection cut, a
pool exhausted, SQLite's write lock held too long.

The web edge answers these with 503 and Retry-After (a school's client retries with the same
Idempotency-Key); every other database error is a defect and stays a 500. The drivers are named by their
exception classes' names so that this module imports neither asyncpg nor sqlite3's internals.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

TRANSIENT_DRIVER_ERRORS = frozenset(
    {
        # asyncpg: the server is starting, shutting down or went away mid-statement
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
    }
)
TRANSIENT_MESSAGES = ("database is locked", "connection was closed", "connection is closed")


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) says the database cannot serve right now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient(current):
            return True
        wrapped = current.orig if isinstance(current, DBAPIError) else None
        current = (
            wrapped if isinstance(wrapped, BaseException) else (current.__cause__ or current.__context__)
        )
    return False


def _transient(error: BaseException) -> bool:
    if isinstance(error, PoolTimeout | ConnectionError | TimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if type(error).__name__ in TRANSIENT_DRIVER_ERRORS:
        return True
    message = str(error).lower()
    return any(text in message for text in TRANSIENT_MESSAGES)
