"""Recording the figures a school's return reported: kept per school year with their history, and when
they are the newest of the year under way, they become the school's own figures and its state is
published again (the registry stays the only writer of its tables)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import col, select

from services.registry.communes.models import Commune
from services.registry.figures import domain
from services.registry.figures.models import SchoolYearFigures
from services.registry.schools.models import School
from services.registry.schools.service import record_school
from services.registry.tables import apply_changes
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork
from shared.events.notices import SchoolFiguresReportedV1

log = logging.getLogger(__name__)


async def record_figures(*, uow: UnitOfWork, event: SchoolFiguresReportedV1, now: datetime) -> bool:
    """Keep the report; returns whether it changed the school's current figures."""
    school = await uow.session.get(School, event.school_code)
    if school is None:
        log.warning("figures for unknown school %s ignored", event.school_code)
        return False
    same = await uow.session.exec(
        select(SchoolYearFigures.id).where(
            col(SchoolYearFigures.school_code) == event.school_code,
            col(SchoolYearFigures.notice_id) == event.notice_id,
            col(SchoolYearFigures.version) == event.version,
        )
    )
    if same.first() is not None:
        return False
    newest = (
        await uow.session.exec(
            select(SchoolYearFigures.reported_at, SchoolYearFigures.version)
            .where(
                col(SchoolYearFigures.school_code) == event.school_code,
                col(SchoolYearFigures.school_year) == event.school_year,
            )
            .order_by(col(SchoolYearFigures.reported_at).desc(), col(SchoolYearFigures.version).desc())
            .limit(1)
        )
    ).first()
    uow.session.add(
        SchoolYearFigures(
            school_code=event.school_code,
            school_year=event.school_year,
            pupils=event.pupils,
            classes=event.classes,
            teachers=event.teachers,
            notice_id=event.notice_id,
            form_code=event.form_code,
            version=event.version,
            reported_at=event.reported_at,
            recorded_at=now,
        )
    )
    current_year = domain.school_year_of(today_in_vietnam(now))
    latest = (newest[0], newest[1]) if newest is not None else None
    if event.school_year != current_year or not domain.stands(
        reported_at=event.reported_at, version=event.version, newest=latest
    ):
        return False
    changes = {
        name: value
        for name, value in (
            ("pupils", event.pupils),
            ("classes", event.classes),
            ("teachers", event.teachers),
        )
        if value is not None
    }
    if not apply_changes(school, changes, now):
        return False
    commune = await uow.session.get(Commune, school.commune_code)
    record_school(uow, school, commune.cluster_no if commune else None)
    return True
