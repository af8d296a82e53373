"""Registry rules without I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from services.registry.admin.seed import read_clusters, read_communes, read_old_districts
from services.registry.clusters.domain import close_current_assignment, cluster_on, is_current
from services.registry.tables import apply_changes, full_state
from shared.events import ClusterStateV1

EARLIER = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 23, tzinfo=UTC)


@dataclass
class FakeCluster:
    cluster_no: int = 3
    name: str = "Cụm chuyên môn số 3"
    office_host_unit: str = "Trung tâm GDTX Quỳ Châu"
    active: bool = True
    version: int = 1
    updated_at: datetime = EARLIER


def test_a_real_change_bumps_the_version_and_time() -> None:
    cluster = FakeCluster()
    assert apply_changes(cluster, {"name": "Cụm 3", "active": True}, NOW)
    assert (cluster.name, cluster.version, cluster.updated_at) == ("Cụm 3", 2, NOW)


def test_a_change_to_the_same_values_changes_nothing() -> None:
    cluster = FakeCluster()
    assert not apply_changes(cluster, {"name": "Cụm chuyên môn số 3"}, NOW)
    assert (cluster.version, cluster.updated_at) == (1, EARLIER)


def test_the_published_state_carries_every_field_and_the_version() -> None:
    state = full_state(ClusterStateV1, FakeCluster(version=7), leader_staff_code="CB-01")
    assert state.model_dump() == {
        "cluster_no": 3,
        "name": "Cụm chuyên môn số 3",
        "office_host_unit": "Trung tâm GDTX Quỳ Châu",
        "active": True,
        "leader_staff_code": "CB-01",
        "version": 7,
        "updated_at": EARLIER,
    }


def test_the_seed_has_the_five_real_clusters_and_not_the_summary_row() -> None:
    clusters = read_clusters()
    assert [c.cluster_no for c in clusters] == [1, 2, 3, 4, 5]
    assert clusters[0].office_host_unit.startswith("Trung tâm GDTX Kỳ Sơn")
    assert clusters[4].office_host_unit == "Trung tâm GDNN-GDTX Diễn Châu"


def test_the_seed_has_the_130_communes_and_wards_and_their_old_districts() -> None:
    communes, districts = read_communes(), read_old_districts()
    assert len(communes) == 130
    assert sum(c.kind == "ward" for c in communes) == 11
    assert sum(c.cluster_no is None for c in communes) == 22  # Vinh, Nghi Loc, Nam Dan, Hung Nguyen
    assert {c.old_district_name for c in communes} <= {d.name for d in districts}
    cua_lo = next(d for d in districts if d.gso_code == "413")
    assert (cua_lo.name, cua_lo.kind, cua_lo.note) == (
        "Thị xã Cửa Lò",
        "town",
        "merged into TP Vinh 2025-01-01",
    )
    assert sorted(d.kind for d in districts).count("district") == 17


@dataclass
class Period:
    cluster_no: int | None
    valid_from: date
    valid_to: date | None = None


def test_a_move_closes_the_open_period_the_day_before_and_keeps_the_past() -> None:
    history = [Period(2, date(2025, 7, 1), date(2025, 12, 31)), Period(3, date(2026, 1, 1))]
    close_current_assignment(history, effective_from=date(2026, 9, 1))
    assert history[0].valid_to == date(2025, 12, 31)
    assert history[1].valid_to == date(2026, 8, 31)


def test_a_move_cannot_take_effect_before_the_current_period_began() -> None:
    with pytest.raises(ValueError, match="after 2026-01-01"):
        close_current_assignment([Period(3, date(2026, 1, 1))], effective_from=date(2026, 1, 1))


def test_a_period_is_current_from_its_first_to_its_last_day() -> None:
    period = Period(3, date(2026, 1, 1), date(2026, 8, 31))
    assert [
        is_current(period, on=day) for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 8, 31))
    ] == [
        False,
        True,
        True,
    ]
    assert not is_current(period, on=date(2026, 9, 1))


def test_a_schools_cluster_follows_its_communes_assignment_on_the_day() -> None:
    history = [Period(3, date(2025, 7, 1), date(2026, 8, 31)), Period(None, date(2026, 9, 1))]
    assert cluster_on(history, date(2025, 7, 1)) == 3
    assert cluster_on(history, date(2026, 8, 31)) == 3
    assert cluster_on(history, date(2026, 9, 1)) is None  # moved to the Department's direct care
    with pytest.raises(ValueError, match="2025-06-30"):
        cluster_on(history, date(2025, 6, 30))
