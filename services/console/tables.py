"""The base of the console's tables: the server-side sessions (tokens do not fit a 4 KB cookie) and the
sign-ins under way.

Each concept's ``models.py`` subclasses ``ConsoleTable``; ``app.py`` (and the migrations) import the
concepts, which completes ``CONSOLE_METADATA``.
"""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class ConsoleTable(SQLModel, registry=registry()):
    """Base of the console's own tables; its metadata is the service's schema."""


CONSOLE_METADATA = ConsoleTable.metadata

__all__ = ["CONSOLE_METADATA", "ConsoleTable"]
