"""Reading results: the latest version or any earlier one, and the award list export."""

from __future__ import annotations

from sqlmodel import col, select

from services.activities.activities import queries as activities
from services.activities.replica import queries as replica
from services.activities.results.models import ResultEntry, ResultLinePublic, ResultSheet, ResultsPublic
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound


async def latest_sheet(uow: UnitOfWork, activity_id: str) -> ResultSheet | None:
    query = (
        select(ResultSheet)
        .where(ResultSheet.activity_id == activity_id)
        .order_by(col(ResultSheet.version).desc())
    )
    return (await uow.session.exec(query)).first()


async def get_results(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, version: int | None = None
) -> ResultsPublic:
    """The latest version, or the one asked for (superseded versions stay readable)."""
    await activities.load_for_reading(uow, principal, activity_id)
    if version is None:
        sheet = await latest_sheet(uow, activity_id)
    else:
        query = select(ResultSheet).where(
            ResultSheet.activity_id == activity_id, ResultSheet.version == version
        )
        sheet = (await uow.session.exec(query)).first()
    if sheet is None:
        raise NotFound(f"no published results for activity {activity_id}", field="version")
    lines = select(ResultEntry).where(ResultEntry.sheet_id == sheet.id).order_by(col(ResultEntry.position))
    return await results_public(uow, sheet, list((await uow.session.exec(lines)).all()))


async def list_versions(*, uow: UnitOfWork, principal: Principal, activity_id: str) -> list[ResultSheet]:
    await activities.load_for_reading(uow, principal, activity_id)
    query = (
        select(ResultSheet).where(ResultSheet.activity_id == activity_id).order_by(col(ResultSheet.version))
    )
    return list((await uow.session.exec(query)).all())


async def results_public(uow: UnitOfWork, sheet: ResultSheet, entries: list[ResultEntry]) -> ResultsPublic:
    names = await replica.school_names(uow, {e.school_code for e in entries})
    return ResultsPublic(
        activity_id=sheet.activity_id,
        version=sheet.version,
        supersedes_version=sheet.supersedes_version,
        correction_reason=sheet.correction_reason,
        decision_number=sheet.decision_number,
        decision_date=sheet.decision_date,
        published_by=sheet.published_by,
        published_at=sheet.published_at,
        entries=[
            ResultLinePublic.model_validate({**e.model_dump(), "school_name": names.get(e.school_code)})
            for e in entries
        ],
    )


AWARD_COLUMNS = ("rank", "award", "full_name", "staff_code", "school_code", "school_name", "score")


def award_rows(results: ResultsPublic) -> list[dict[str, object]]:
    """The award list: only those who got an award, best first, with the decision that recognises them."""
    return [
        {
            **{name: getattr(line, name) for name in AWARD_COLUMNS},
            "decision_number": results.decision_number,
            "decision_date": results.decision_date.isoformat(),
            "version": results.version,
        }
        for line in results.entries
        if line.award is not None
    ]


AWARD_FILE_COLUMNS = (*AWARD_COLUMNS, "decision_number", "decision_date", "version")
"""The award list's columns as a file (``shared.tabular`` writes it: no cell runs as a formula)."""
