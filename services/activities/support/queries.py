"""Reading the support program: periods, pairings, contributions, totals and awards, within the caller's
scope."""

from __future__ import annotations

from sqlmodel import col, or_, select

from services.activities.support import domain
from services.activities.support.models import Contribution, Pairing, SupportAward, SupportPeriod, TotalLine
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound, Unprocessable
from shared.events.activities import ContributionKindV2


async def list_periods(uow: UnitOfWork) -> list[SupportPeriod]:
    """Every period, oldest first: public facts of the program, the same for every caller."""
    return list((await uow.session.exec(select(SupportPeriod).order_by(col(SupportPeriod.starts_on)))).all())


async def period_spans(uow: UnitOfWork) -> list[domain.PeriodSpan]:
    return [domain.PeriodSpan(p.code, p.starts_on, p.ends_on) for p in await list_periods(uow)]


def can_read(principal: Principal, pairing: Pairing) -> bool:
    if principal.sees_everything:
        return True
    if {pairing.helper_cluster_no, pairing.helped_cluster_no} & principal.scoped_clusters:
        return True
    return bool({pairing.helper_code, pairing.helped_code} & principal.scoped_schools)


async def get_pairing(*, uow: UnitOfWork, principal: Principal, pairing_id: str) -> Pairing:
    pairing = await uow.session.get(Pairing, pairing_id)
    if pairing is None or not can_read(principal, pairing):
        raise NotFound(f"pairing {pairing_id} does not exist", field="pairing_id")
    return pairing


async def list_pairings(*, uow: UnitOfWork, principal: Principal) -> list[Pairing]:
    rows = (await uow.session.exec(select(Pairing).order_by(col(Pairing.created_at)))).all()
    return [pairing for pairing in rows if can_read(principal, pairing)]


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
    period: str | None = None,
    cluster_no: int | None = None,
    kind: ContributionKindV2 | None = None,
) -> list[TotalLine]:
    query = select(Contribution, Pairing).join(Pairing, col(Pairing.id) == col(Contribution.pairing_id))
    if school_year is not None:
        query = query.where(Contribution.school_year == school_year)
    if period is not None:
        if await uow.session.get(SupportPeriod, period) is None:
            raise Unprocessable(f"period {period} is not a period of the program", field="period")
        query = query.where(Contribution.period_code == period)
    if kind is not None:
        query = query.where(Contribution.kind == kind)
    if cluster_no is not None:
        query = query.where(
            or_(Pairing.helper_cluster_no == cluster_no, Pairing.helped_cluster_no == cluster_no)
        )
    facts = [
        domain.ContributionFacts(
            school_year=c.school_year,
            period_code=c.period_code,
            kind=c.kind,
            value_vnd=c.value_vnd,
            helper_code=p.helper_code,
            helped_code=p.helped_code,
            helper_cluster_no=p.helper_cluster_no,
            helped_cluster_no=p.helped_cluster_no,
        )
        for c, p in (await uow.session.exec(query)).all()
        if can_read(principal, p)
    ]
    return [TotalLine(group=g, contributions=n, value_vnd=v) for g, n, v in domain.totals(facts, by)]


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
