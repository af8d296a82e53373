"""The fault suite at a small size (``make faults`` runs it at 10,000 incidents): services, the broker and
the database killed and restarted while incidents are reported; nothing lost, nothing doubled, every
expected email and webhook delivered once, and no backlog left after the drain."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.suite import execute, passed

pytestmark = pytest.mark.kafka

SMALL = int(os.environ.get("FAULTS_SMALL_INCIDENTS", "200"))


@pytest.mark.timeout(900)
async def test_no_report_is_lost_or_doubled_and_every_message_goes_once_through_kills(tmp_path: Path) -> None:
    report, figures = await execute(SMALL, rate=15.0, postgres=False, work=tmp_path)
    print(report)
    assert passed(figures), report


@pytest.mark.postgres
@pytest.mark.timeout(900)
async def test_the_same_on_postgresql_with_a_database_restart(tmp_path: Path) -> None:
    report, figures = await execute(max(SMALL // 3, 60), rate=10.0, postgres=True, work=tmp_path)
    print(report)
    assert "restart PostgreSQL (immediate)" in report
    assert passed(figures), report
