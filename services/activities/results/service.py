"""Result commands: publish a version of an activity's results, the first or a correction."""

from __future__ import annotations

from sqlmodel import select

from services.activities.activities import queries as activities
from services.activities.registrations.models import Registration
from services.activities.registrations.service import PLACES
from services.activities.results import domain, queries
from services.activities.results.models import (
    ResultEntry,
    ResultSheet,
    ResultsPublic,
    ResultsPublish,
)
from services.activities.tables import new_id
from shared.auth import Principal
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.events.activities import (
    ActivityStatus,
    Award,
    RegistrationStatus,
    ResultEntryV1,
    ResultsPublishedV1,
    activity_event,
)


async def publish(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, data: ResultsPublish
) -> ResultsPublic:
    await activities.load_for_managing(uow, principal, activity_id)
    activity = await PLACES.lock(uow, activity_id)  # one publisher at a time per activity
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
    latest = await queries.latest_sheet(uow, activity_id)
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
        activity_event(
            ResultsPublishedV1,
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
    return await queries.results_public(uow, sheet, entries)
