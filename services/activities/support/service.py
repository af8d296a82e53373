"""Support program commands: add a period, pair units, record contributions, record awards."""

from __future__ import annotations

from services.activities.replica import queries as replica
from services.activities.support import domain, queries
from services.activities.support.models import (
    AwardCreate,
    Contribution,
    ContributionCreate,
    Pairing,
    PairingCreate,
    PeriodCreate,
    SupportAward,
    SupportPeriod,
    UnitIn,
)
from services.activities.tables import new_id
from shared.auth import Principal, Role
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.errors import Forbidden, rule_broken
from shared.events.activities import ContributionKindV2, SupportUnitKind, support_recorded_type


async def _resolve(uow: UnitOfWork, unit: UnitIn, field: str) -> tuple[str, int | None]:
    """A school's or commune's name and cluster come from the registry replica, not from the caller."""
    if unit.kind is SupportUnitKind.SCHOOL:
        school = await replica.school(uow, unit.code)
        if school is None:
            raise rule_broken(
                "unit_unknown", f"school {unit.code} is not in the registry", field=field, conflict=False
            )
        return school.name, school.cluster_no
    if unit.kind is SupportUnitKind.COMMUNE:
        commune = await replica.commune(uow, unit.code)
        if commune is None:
            raise rule_broken(
                "unit_unknown", f"commune {unit.code} is not in the registry", field=field, conflict=False
            )
        return commune.name, commune.cluster_no
    if unit.kind is SupportUnitKind.CLUSTER:
        return unit.name or f"Cụm chuyên môn số {unit.code}", int(unit.code) if unit.code.isdigit() else None
    if not unit.name:
        raise rule_broken("unit_name", "name the unit", field=f"{field}.name", conflict=False)
    return unit.name, unit.cluster_no


def _can_manage(principal: Principal, pairing: Pairing | None = None) -> bool:
    if principal.is_department_staff:
        return True
    if principal.role is Role.CLUSTER_LEADER and pairing is not None:
        return principal.cluster_no in (pairing.helper_cluster_no, pairing.helped_cluster_no)
    return False


async def create_period(*, uow: UnitOfWork, principal: Principal, data: PeriodCreate) -> SupportPeriod:
    if not principal.is_department_staff:
        raise Forbidden("the Department sets the program's periods")
    domain.check_new_period(
        domain.PeriodSpan(data.code, data.starts_on, data.ends_on), await queries.period_spans(uow)
    )
    period = SupportPeriod(**data.model_dump())
    uow.session.add(period)
    await uow.commit()
    return period


async def create_pairing(*, uow: UnitOfWork, principal: Principal, data: PairingCreate) -> Pairing:
    if not _can_manage(principal):
        raise Forbidden("the Department pairs units in the support program")
    domain.check_pairing(
        helper=(data.helper.kind, data.helper.code),
        helped=(data.helped.kind, data.helped.code),
        period_from=data.period_from,
        period_to=data.period_to,
    )
    period_code = domain.pairing_period(
        period_from=data.period_from, period_to=data.period_to, periods=await queries.period_spans(uow)
    )
    helper_name, helper_cluster = await _resolve(uow, data.helper, "helper")
    helped_name, helped_cluster = await _resolve(uow, data.helped, "helped")
    pairing = Pairing(
        id=new_id(),
        helper_kind=data.helper.kind,
        helper_code=data.helper.code,
        helper_name=helper_name,
        helper_cluster_no=helper_cluster,
        helped_kind=data.helped.kind,
        helped_code=data.helped.code,
        helped_name=helped_name,
        helped_cluster_no=helped_cluster,
        period_from=data.period_from,
        period_to=data.period_to,
        period_code=period_code,
        note=data.note,
        created_by=principal.subject,
    )
    uow.session.add(pairing)
    await uow.commit()
    return pairing


async def record_contribution(
    *, uow: UnitOfWork, principal: Principal, pairing_id: str, data: ContributionCreate
) -> Contribution:
    pairing = await queries.get_pairing(uow=uow, principal=principal, pairing_id=pairing_id)
    if not _can_manage(principal, pairing):
        raise Forbidden("the Department or the leader of a paired unit's cluster records contributions")
    domain.check_contribution(
        kind=data.kind,
        value_vnd=data.value_vnd,
        on=data.contributed_on,
        period_from=pairing.period_from,
        period_to=pairing.period_to,
    )
    period_code = domain.contribution_period(data.contributed_on, await queries.period_spans(uow))
    contribution = Contribution(
        id=new_id(),
        pairing_id=pairing_id,
        kind=data.kind,
        value_vnd=data.value_vnd,
        description=data.description,
        contributed_on=data.contributed_on,
        school_year=domain.school_year_of(data.contributed_on),
        period_code=period_code,
        recorded_by=principal.subject,
        recorded_at=utc_now(),
    )
    uow.session.add(contribution)
    uow.record(
        support_recorded_type(contribution.kind)(
            pairing_id=pairing_id,
            contribution_id=contribution.id,
            helper=pairing.helper(),
            helped=pairing.helped(),
            kind=ContributionKindV2(contribution.kind),
            value_vnd=contribution.value_vnd,
            description=contribution.description,
            contributed_on=contribution.contributed_on,
            school_year=contribution.school_year,
            period_code=period_code,
            recorded_by=principal.subject,
            occurred_at=contribution.recorded_at,
        )
    )
    await uow.commit()
    return contribution


async def record_award(*, uow: UnitOfWork, principal: Principal, data: AwardCreate) -> SupportAward:
    if not principal.is_department_staff:
        raise Forbidden("the Department awards the program's groups and individuals")
    award = SupportAward(id=new_id(), recorded_by=principal.subject, **data.model_dump())
    uow.session.add(award)
    await uow.commit()
    return award
