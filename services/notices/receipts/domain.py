"""Receipts, without I/O: a receipt's state, which receipts a caller answers for, and the tallies of the
report per cluster and commune."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from services.notices.receipts.models import ClusterTally, CommuneTally, Receipt, Tally
from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.events.notices import AddresseeKind, addressee_key

EXPECTED, DELIVERED, OPENED, ACKNOWLEDGED = "expected", "delivered", "opened", "acknowledged"
STATES = (EXPECTED, DELIVERED, OPENED, ACKNOWLEDGED)


def state_of(receipt: Receipt) -> str:
    if receipt.acknowledged_at is not None:
        return ACKNOWLEDGED
    if receipt.opened_at is not None:
        return OPENED
    if receipt.delivered_at is not None:
        return DELIVERED
    return EXPECTED


def own_addressee_keys(principal: Principal, office: AddresseeKind | None = None) -> list[str]:
    """The addressees a principal or commune officer answers for: their school, or their commune's
    offices (one of them, if ``office`` says which)."""
    if principal.role is Role.SCHOOL_PRINCIPAL and principal.school_id:
        return [addressee_key(AddresseeKind.SCHOOL_PRINCIPAL, principal.school_id)]
    if principal.role is Role.COMMUNE_OFFICER and principal.commune_code:
        kinds = [office] if office else [AddresseeKind.PEOPLE_COMMITTEE, AddresseeKind.CULTURE_OFFICE]
        return [
            addressee_key(kind, principal.commune_code)
            for kind in kinds
            if kind is not AddresseeKind.SCHOOL_PRINCIPAL
        ]
    return []


def tally(receipts: Iterable[Receipt]) -> Tally:
    counts = dict.fromkeys(("expected", "delivered", "opened", "acknowledged", "unacknowledged"), 0)
    for receipt in receipts:
        counts["expected"] += 1
        counts["delivered"] += receipt.delivered_at is not None
        counts["opened"] += receipt.opened_at is not None or receipt.acknowledged_at is not None
        counts["acknowledged"] += receipt.acknowledged_at is not None
        counts["unacknowledged"] += receipt.acknowledged_at is None
    return Tally(**counts)


def by_cluster(receipts: Sequence[Receipt]) -> list[ClusterTally]:
    clusters = sorted({r.cluster_no for r in receipts}, key=lambda n: (n is None, n or 0))
    return [
        ClusterTally(cluster_no=n, **tally(r for r in receipts if r.cluster_no == n).model_dump())
        for n in clusters
    ]


def by_commune(receipts: Sequence[Receipt]) -> list[CommuneTally]:
    cluster_of = {r.commune_code: r.cluster_no for r in receipts}
    return [
        CommuneTally(
            commune_code=code,
            cluster_no=cluster_of[code],
            **tally(r for r in receipts if r.commune_code == code).model_dump(),
        )
        for code in sorted(cluster_of)
    ]


def days_between(start: datetime, end: datetime) -> int:
    return max((end - start).days, 0)
