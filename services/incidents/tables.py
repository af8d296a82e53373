"""The base of the incidents service's tables: one metadata, the service's whole schema.

It imports no concept: each concept's models subclass ``IncidentsTable``, and importing the concepts
(app.py and migrations/env.py do) completes ``INCIDENTS_METADATA``.
"""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class IncidentsTable(SQLModel, registry=registry()):
    """Base of the incidents service's own tables."""


INCIDENTS_METADATA = IncidentsTable.metadata
