"""Result use cases: publish a version (the first, or a correction), read versions, export the awards."""

from __future__ import annotations

import csv
import io

from sqlmodel import col, select

from services.activities.activities import service as activities
from services.activities.registrations.models import Registration
from services.activities.replica import queries as replica
from services.activities.results import domain
from services.activities.results.models import (
    ResultEntry,
    ResultLinePublic,
    ResultSheet,
    ResultsPublic,
    ResultsPublish,
)
from services.activities.tables import new_id, utc_now
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.events.activities import (
    ActivityStatus,
    Award,
    RegistrationStatus,
    ResultEntryV1,
    ResultsPublishedV1,
)


async def publish(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, data: ResultsPublish
) -> ResultsPublic:
    await activities.load_for_managing(uow, principal, activity_id)
    activity = await activities.lock(uow, activity_id)  # one publisher at a time per activity
    loaded = await activities.load(uow, activity_id)
    domain.check_can_publish(ActivityStatus(activity.status))
    query = select(Registration).where(
        Registration.activity_id == activity_id, Registration.status == RegistrationStatus.REGISTERED
    )
    participants = {r.id: r for r in (await uow.session.exec(query)).all()}
    lines = [domain.ScoreLine(e.registration_id, e.score, e.award) for e in data.entries]
    domain.check_entries(lines, participants=participants)
    ranked = domain.rank_with_ties(lines)
    domain.check_award_order(ranked)
    latest = await _latest_sheet(uow, activity_id)
    version, supersedes = domain.next_version(
        latest.version if latest else None, correction_reason=data.correction_reason
    )
    sheet = ResultSheet(
        id=new_id(),
        activity_id=activity_id,
        version=version,
        supersedes_version=supersedes,
        correction_reason=data.correction_reason,
        decision_number=data.decision_number,
        decision_date=data.decision_date,
        published_by=principal.subject,
        published_at=utc_now(),
    )
    uow.session.add(sheet)
    await uow.session.flush()
    entries = []
    for position, line in enumerate(ranked):
        registration = participants[line.registration_id]
        entries.append(
            ResultEntry(
                sheet_id=sheet.id,
                registration_id=line.registration_id,
                school_code=registration.school_code,
                staff_code=registration.staff_code,
                full_name=registration.full_name,
                score=line.score,
                rank=line.rank,
                award=line.award,
                position=position,
            )
        )
    uow.session.add_all(entries)
    uow.record(
        ResultsPublishedV1(
            activity_id=activity_id,
            activity=await activities.summary_of(uow, loaded),
            version=version,
            supersedes_version=supersedes,
            correction_reason=data.correction_reason,
            decision_number=data.decision_number,
            decision_date=data.decision_date,
            entries=[
                ResultEntryV1(
                    registration_id=e.registration_id,
                    school_code=e.school_code,
                    staff_code=e.staff_code,
                    full_name=e.full_name,
                    score=e.score,
                    rank=e.rank,
                    award=Award(e.award) if e.award else None,
                )
                for e in entries
            ],
            participant_school_codes=sorted({e.school_code for e in entries}),
            published_by=principal.subject,
            occurred_at=sheet.published_at,
        )
    )
    await uow.commit()
    return await _public(uow, sheet, entries)


async def _latest_sheet(uow: UnitOfWork, activity_id: str) -> ResultSheet | None:
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
        sheet = await _latest_sheet(uow, activity_id)
    else:
        query = select(ResultSheet).where(
            ResultSheet.activity_id == activity_id, ResultSheet.version == version
        )
        sheet = (await uow.session.exec(query)).first()
    if sheet is None:
        raise NotFound(f"no published results for activity {activity_id}", field="version")
    lines = select(ResultEntry).where(ResultEntry.sheet_id == sheet.id).order_by(col(ResultEntry.position))
    return await _public(uow, sheet, list((await uow.session.exec(lines)).all()))


async def list_versions(*, uow: UnitOfWork, principal: Principal, activity_id: str) -> list[ResultSheet]:
    await activities.load_for_reading(uow, principal, activity_id)
    query = (
        select(ResultSheet).where(ResultSheet.activity_id == activity_id).order_by(col(ResultSheet.version))
    )
    return list((await uow.session.exec(query)).all())


async def _public(uow: UnitOfWork, sheet: ResultSheet, entries: list[ResultEntry]) -> ResultsPublic:
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


def awards_csv(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=[*AWARD_COLUMNS, "decision_number", "decision_date", "version"],
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
