"""Reads for those a notice reaches and those who sent it: what a caller may read, their receipts, the
report of a notice per cluster and commune, and who has not acknowledged across notices.

A published notice is read by its addressees (their school's or commune's receipt), by the cluster's
people where it reached the cluster, and by its senders; a draft only by its senders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from services.notices.notices import queries as notices
from services.notices.notices.models import Notice, NoticeStatus
from services.notices.receipts import domain
from services.notices.receipts.models import Receipt, ReceiptPublic, ReceiptReport, Unacknowledged
from shared.auth import CLUSTER_ROLES, Principal, Role
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import Forbidden, NotFound


def public(receipt: Receipt) -> ReceiptPublic:
    return ReceiptPublic.model_validate({**receipt.model_dump(), "state": domain.state_of(receipt)})


async def own_receipts(uow: UnitOfWork, principal: Principal, notice_id: str) -> list[Receipt]:
    keys = domain.own_addressee_keys(principal)
    if not keys:
        return []
    query = select(Receipt).where(col(Receipt.notice_id) == notice_id, col(Receipt.addressee_key).in_(keys))
    return list((await uow.session.exec(query.order_by(col(Receipt.addressee_key)))).all())


async def reaches_cluster(uow: UnitOfWork, notice_id: str, cluster_no: int | None) -> bool:
    if cluster_no is None:
        return False
    query = select(Receipt.id).where(
        col(Receipt.notice_id) == notice_id, col(Receipt.cluster_no) == cluster_no
    )
    return (await uow.session.exec(query.limit(1))).first() is not None


async def load_for_reading(uow: UnitOfWork, principal: Principal, notice_id: str) -> Notice:
    """The notice, if the caller may read it; otherwise it does not exist for them (404)."""
    notice = await notices.get(uow, notice_id)
    if notices.manages(principal, notice):
        return notice
    if notice.status == NoticeStatus.PUBLISHED:
        if await own_receipts(uow, principal, notice_id):
            return notice
        if principal.role in CLUSTER_ROLES and await reaches_cluster(uow, notice_id, principal.cluster_no):
            return notice
    raise NotFound(f"notice {notice_id} does not exist", field="notice_id")


async def list_notices(
    *, uow: UnitOfWork, principal: Principal, status: NoticeStatus | None, limit: int, offset: int
) -> tuple[Sequence[Notice], int]:
    query = select(Notice)
    if not principal.is_department_staff:
        keys = domain.own_addressee_keys(principal)
        addressed = select(Receipt.notice_id).where(col(Receipt.addressee_key).in_(keys))
        visible = col(Notice.id).in_(addressed) & (col(Notice.status) == NoticeStatus.PUBLISHED)
        if principal.role in CLUSTER_ROLES:
            in_cluster = select(Receipt.notice_id).where(col(Receipt.cluster_no) == principal.cluster_no)
            visible = visible | (
                col(Notice.id).in_(in_cluster) & (col(Notice.status) == NoticeStatus.PUBLISHED)
            )
        if principal.role is Role.CLUSTER_LEADER:  # the cluster's own notices, drafts included
            visible = visible | (col(Notice.sender_cluster_no) == principal.cluster_no)
        query = query.where(visible)
    if status is not None:
        query = query.where(col(Notice.status) == status)
    newest = func.coalesce(col(Notice.published_at), col(Notice.created_at))
    query = query.order_by(newest.desc(), col(Notice.id))
    return await fetch_page(uow.session, query, limit=limit, offset=offset)


async def report_scope(
    uow: UnitOfWork, principal: Principal, notice: Notice, cluster_no: int | None
) -> int | None:
    """The cluster the caller's report is limited to (None: every cluster), or a 403."""
    if notices.manages(principal, notice):
        return cluster_no
    if principal.role not in CLUSTER_ROLES:
        raise Forbidden(
            "receipts are reported to the notice's senders and the clusters' people", field="role"
        )
    if cluster_no is not None and cluster_no != principal.cluster_no:
        raise Forbidden(
            f"cluster {principal.cluster_no}'s people see their own cluster's receipts", field="cluster_no"
        )
    if not await reaches_cluster(uow, notice.id, principal.cluster_no):
        raise NotFound(f"notice {notice.id} does not exist", field="notice_id")
    return principal.cluster_no


async def report(
    *,
    uow: UnitOfWork,
    principal: Principal,
    notice_id: str,
    cluster_no: int | None,
    commune_code: str | None,
    state: str | None,
) -> ReceiptReport:
    notice = await notices.get(uow, notice_id)
    scope = await report_scope(uow, principal, notice, cluster_no)
    query = select(Receipt).where(col(Receipt.notice_id) == notice_id)
    if scope is not None:
        query = query.where(col(Receipt.cluster_no) == scope)
    if commune_code:
        query = query.where(col(Receipt.commune_code) == commune_code)
    rows = list((await uow.session.exec(query.order_by(col(Receipt.addressee_key)))).all())
    shown = [row for row in rows if state is None or _in_state(row, state)]
    return ReceiptReport(
        notice_id=notice.id,
        number=notice.number,
        published_at=notice.published_at,
        reply_by=notice.reply_by,
        totals=domain.tally(rows),
        by_cluster=domain.by_cluster(rows),
        by_commune=domain.by_commune(rows),
        receipts=[public(row) for row in shown],
    )


def _in_state(receipt: Receipt, state: str) -> bool:
    if state == "unacknowledged":
        return receipt.acknowledged_at is None
    return domain.state_of(receipt) == state


async def unacknowledged(
    *,
    uow: UnitOfWork,
    principal: Principal,
    older_than_days: int,
    cluster_no: int | None,
    commune_code: str | None,
    now: datetime,
) -> list[Unacknowledged]:
    """Addressees who have not acknowledged a notice published at least ``older_than_days`` ago."""
    if not principal.is_department_staff:
        if principal.role not in CLUSTER_ROLES:
            raise Forbidden("this report is for the Department and the clusters' people", field="role")
        if cluster_no is not None and cluster_no != principal.cluster_no:
            raise Forbidden(
                f"cluster {principal.cluster_no}'s people see their own cluster's receipts",
                field="cluster_no",
            )
        cluster_no = principal.cluster_no
    query = (
        select(Receipt, Notice)
        .join(Notice, col(Notice.id) == col(Receipt.notice_id))
        .where(
            col(Notice.status) == NoticeStatus.PUBLISHED,
            col(Notice.published_at) <= now - timedelta(days=older_than_days),
            col(Receipt.acknowledged_at).is_(None),
        )
    )
    if cluster_no is not None:
        query = query.where(col(Receipt.cluster_no) == cluster_no)
    if commune_code:
        query = query.where(col(Receipt.commune_code) == commune_code)
    query = query.order_by(col(Notice.published_at), col(Receipt.addressee_key))
    found = []
    for receipt, notice in (await uow.session.exec(query)).all():
        assert notice.published_at is not None
        found.append(
            Unacknowledged(
                notice_id=notice.id,
                number=notice.number,
                subject=notice.subject,
                published_at=notice.published_at,
                reply_by=notice.reply_by,
                addressee_key=receipt.addressee_key,
                name=receipt.name,
                kind=receipt.kind,
                cluster_no=receipt.cluster_no,
                commune_code=receipt.commune_code,
                delivered_at=receipt.delivered_at,
                opened_at=receipt.opened_at,
                days_since_published=domain.days_between(notice.published_at, now),
            )
        )
    return found


async def unacknowledged_past_reply_by(*, uow: UnitOfWork, now: datetime) -> dict[int | None, int]:
    """Receipts not acknowledged though their notice's reply date passed, by cluster (for the metrics)."""
    query = (
        select(Receipt.cluster_no, func.count())
        .join(Notice, col(Notice.id) == col(Receipt.notice_id))
        .where(
            col(Notice.status) == NoticeStatus.PUBLISHED,
            col(Notice.reply_by).is_not(None),
            col(Notice.reply_by) < now,
            col(Receipt.acknowledged_at).is_(None),
        )
        .group_by(col(Receipt.cluster_no))
    )
    return {cluster_no: count for cluster_no, count in (await uow.session.exec(query)).all()}
