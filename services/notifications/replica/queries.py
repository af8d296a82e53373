"""Reads of the registry replica that are not about people (``recipients`` resolves those)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.notifications.replica.models import ClusterReplica, CommuneReplica, SchoolReplica
from shared.db import UnitOfWork


async def list_clusters(*, uow: UnitOfWork) -> Sequence[ClusterReplica]:
    return (await uow.session.exec(select(ClusterReplica).order_by(col(ClusterReplica.cluster_no)))).all()


async def place_names(
    *, uow: UnitOfWork, school_code: str | None, commune_code: str | None
) -> dict[str, str | None]:
    """The school's and the commune's names, for templates (the events carry only their codes)."""
    school = await uow.session.get(SchoolReplica, school_code) if school_code else None
    commune = await uow.session.get(CommuneReplica, commune_code) if commune_code else None
    return {"school_name": school.name if school else None, "commune_name": commune.name if commune else None}
