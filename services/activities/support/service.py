"""Support program use cases: pair units, record contributions, sum them up, record awards."""

from __future__ import annotations

from sqlmodel import col, or_, select

from services.activities.replica.models import CommuneReplica, SchoolReplica
from services.activities.rules import unprocessable
from services.activities.support import domain
from services.activities.support.models import (
    AwardCreate,
    Contribution,
    ContributionCreate,
    Pairing,
    PairingCreate,
    PairingPublic,
    SupportAward,
    TotalLine,
    UnitIn,
)
from services.activities.tables import new_id, utc_now
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.activities import ContributionKind, SupportRecordedV1, SupportUnitKind


def pairing_public(pairing: Pairing) -> PairingPublic:
    return PairingPublic.model_validate(
        {**pairing.model_dump(), "helper": pairing.helper(), "helped": pairing.helped()}
    )


async def _resolve(uow: UnitOfWork, unit: UnitIn, field: str) -> tuple[str, int | None]:
    """A school's or commune's name and cluster come from the registry replica, not from the caller."""
    if unit.kind is SupportUnitKind.SCHOOL:
        school = await uow.session.get(SchoolReplica, unit.code)
        if school is None:
            raise unprocessable("unit_unknown", f"school {unit.code} is not in the registry", field=field)
        return school.name, school.cluster_no
    if unit.kind is SupportUnitKind.COMMUNE:
        commune = await uow.session.get(CommuneReplica, unit.code)
        if commune is None:
            raise unprocessable("unit_unknown", f"commune {unit.code} is not in the registry", field=field)
        return commune.name, commune.cluster_no
    if unit.kind is SupportUnitKind.CLUSTER:
        return unit.name or f"Cụm chuyên môn số {unit.code}", int(unit.code) if unit.code.isdigit() else None
    if not unit.name:
        raise unprocessable("unit_name", "name the unit", field=f"{field}.name")
    return unit.name, unit.cluster_no


def _can_manage(principal: Principal, pairing: Pairing | None = None) -> bool:
    if principal.is_department_staff:
        return True
    if principal.role is Role.CLUSTER_LEADER and pairing is not None:
        return principal.cluster_no in (pairing.helper_cluster_no, pairing.helped_cluster_no)
    return False


def _can_read(principal: Principal, pairing: Pairing) -> bool:
    if principal.sees_everything:
        return True
    if {pairing.helper_cluster_no, pairing.helped_cluster_no} & principal.scoped_clusters:
        return True
    return bool({pairing.helper_code, pairing.helped_code} & principal.scoped_schools)


async def create_pairing(*, uow: UnitOfWork, principal: Principal, data: PairingCreate) -> Pairing:
    if not _can_manage(principal):
        raise Forbidden("the Department pairs units in the support program")
    domain.check_pairing(
        helper=(data.helper.kind, data.helper.code),
        helped=(data.helped.kind, data.helped.code),
        period_from=data.period_from,
        period_to=data.period_to,
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
        note=data.note,
        created_by=principal.subject,
    )
    uow.session.add(pairing)
    await uow.commit()
    return pairing


async def get_pairing(*, uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    pairing = await uow.session.get(Pairing, pairing_id)
    if pairing is None or not _can_read(principal, pairing):
        raise NotFound(f"pairing {pairing_id} does not exist", field="pairing_id")
    return pairing


async def list_pairings(*, uow: UnitOfWork, principal: Principal) -> list[Pairing]:
    rows = (await uow.session.exec(select(Pairing).order_by(col(Pairing.created_at)))).all()
    return [pairing for pairing in rows if _can_read(principal, pairing)]


async def record_contribution(
    *, uow: UnitOfWork, principal: Principal, pairing_id: str, data: ContributionCreate
) -> Contribution:
    pairing = await get_pairing(uow=uow, principal=principal, pairing_id=pairing_id)
    if not _can_manage(principal, pairing):
        raise Forbidden("the Department or the leader of a paired unit's cluster records contributions")
    domain.check_contribution(
        kind=data.kind,
        value_vnd=data.value_vnd,
        on=data.contributed_on,
        period_from=pairing.period_from,
        period_to=pairing.period_to,
    )
    contribution = Contribution(
        id=new_id(),
        pairing_id=pairing_id,
        kind=data.kind,
        value_vnd=data.value_vnd,
        description=data.description,
        contributed_on=data.contributed_on,
        school_year=domain.school_year_of(data.contributed_on),
        recorded_by=principal.subject,
        recorded_at=utc_now(),
    )
    uow.session.add(contribution)
    uow.record(
        SupportRecordedV1(
            pairing_id=pairing_id,
            contribution_id=contribution.id,
            helper=pairing.helper(),
            helped=pairing.helped(),
            kind=ContributionKind(contribution.kind),
            value_vnd=contribution.value_vnd,
            description=contribution.description,
            contributed_on=contribution.contributed_on,
            school_year=contribution.school_year,
            recorded_by=principal.subject,
            occurred_at=contribution.recorded_at,
        )
    )
    await uow.commit()
    return contribution


async def list_contributions(*, uow: UnitOfWork, principal: Principal, pairing_id: str) -> list[Contribution]:
    await get_pairing(uow=uow, principal=principal, pairing_id=pairing_id)
    query = (
        select(Contribution)
        .where(Contribution.pairing_id == pairing_id)
        .order_by(col(Contribution.contributed_on))
    )
    return list((await uow.session.exec(query)).all())


async def totals(
    *,
    uow: UnitOfWork,
    principal: Principal,
    by: domain.TotalsBy,
    school_year: str | None = None,
    cluster_no: int | None = None,
    kind: ContributionKind | None = None,
) -> list[TotalLine]:
    query = select(Contribution, Pairing).join(Pairing, col(Pairing.id) == col(Contribution.pairing_id))
    if school_year is not None:
        query = query.where(Contribution.school_year == school_year)
    if kind is not None:
        query = query.where(Contribution.kind == kind)
    if cluster_no is not None:
        query = query.where(
            or_(Pairing.helper_cluster_no == cluster_no, Pairing.helped_cluster_no == cluster_no)
        )
    facts = [
        domain.ContributionFacts(
            school_year=c.school_year,
            kind=c.kind,
            value_vnd=c.value_vnd,
            helper_code=p.helper_code,
            helped_code=p.helped_code,
            helper_cluster_no=p.helper_cluster_no,
            helped_cluster_no=p.helped_cluster_no,
        )
        for c, p in (await uow.session.exec(query)).all()
        if _can_read(principal, p)
    ]
    return [TotalLine(group=g, contributions=n, value_vnd=v) for g, n, v in domain.totals(facts, by)]


async def record_award(*, uow: UnitOfWork, principal: Principal, data: AwardCreate) -> SupportAward:
    if not principal.is_department_staff:
        raise Forbidden("the Department awards the program's groups and individuals")
    award = SupportAward(id=new_id(), recorded_by=principal.subject, **data.model_dump())
    uow.session.add(award)
    await uow.commit()
    return award


async def list_awards(
    *, uow: UnitOfWork, principal: Principal, school_year: str | None
) -> list[SupportAward]:
    query = select(SupportAward).order_by(col(SupportAward.decision_date))
    if school_year is not None:
        query = query.where(SupportAward.school_year == school_year)
    rows = (await uow.session.exec(query)).all()
    return [
        a
        for a in rows
        if principal.sees_everything
        or a.cluster_no in principal.scoped_clusters
        or (a.unit_code is not None and a.unit_code in principal.scoped_schools)
    ]
