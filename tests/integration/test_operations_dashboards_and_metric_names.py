"""Every metric that a dashboard or an alert rule reads is one the services really export.

The names come from each built service's own ``/metrics`` (the app built in-process, as it runs).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cli.services import built_services
from tests.support.operations import (
    PROMETHEUS_SYNTHETIC,
    dashboards,
    metric_names,
    panels_of,
    queries,
    sample_names,
)


@pytest.fixture(scope="module")
async def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Series names each service's /metrics can show (families are listed before their first sample)."""
    data_dir: Path = tmp_path_factory.mktemp("metrics")
    found: dict[str, set[str]] = {}
    for service in built_services():
        # Without its lifespan: the families exist from the app's construction, no broker is needed.
        transport = httpx.ASGITransport(app=service.app(data_dir=data_dir))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get("/metrics")
        assert page.status_code == 200
        families = {family.name: family.type for family in text_string_to_metric_families(page.text)}
        found[service.name] = sample_names(families)
    return found


def test_every_metric_in_the_rules_and_dashboards_is_exported(exported: dict[str, set[str]]) -> None:
    known = set().union(*exported.values()) | PROMETHEUS_SYNTHETIC
    unknown = {
        f"{query.where}: {name}"
        for query in queries()
        for name in metric_names(query.expr)
        if name not in known
    }
    assert not unknown, "metrics no service exports:\n" + "\n".join(sorted(unknown))


def test_the_scanner_finds_the_names_of_an_expression() -> None:
    expr = (
        'sum by (service) (rate(http_request_duration_seconds_count{status=~"5.."}[5m])) / '
        "max without (instance) (outbox_backlog_messages offset 1h) or histogram_quantile(0.9, x_bucket)"
    )
    assert metric_names(expr) == {
        "http_request_duration_seconds_count",
        "outbox_backlog_messages",
        "x_bucket",
    }


def test_every_service_exports_the_common_operational_metrics(exported: dict[str, set[str]]) -> None:
    common = {
        "http_request_duration_seconds_bucket",
        "outbox_backlog_messages",
        "outbox_oldest_unpublished_age_seconds",
        "dead_letters_total",
        "faststream_received_processed_messages_duration_seconds_bucket",
    }
    for service, names in exported.items():
        assert common <= names, f"{service} lacks {sorted(common - names)}"


def test_the_dashboards_are_well_formed_for_provisioning() -> None:
    boards = dashboards()
    assert {board["title"] for board in boards.values()} == {
        "edu-clusters / System overview",
        "edu-clusters / Incidents by cluster",
        "edu-clusters / Notification delivery",
        "edu-clusters / Kafka and FastStream",
    }
    assert len({board["uid"] for board in boards.values()}) == len(boards)
    for name, board in boards.items():
        assert name == f"{board['uid']}.json"
        assert "id" not in board, "a provisioned dashboard must not carry a database id"
        panels = panels_of(board)
        assert len({panel["id"] for panel in panels}) == len(panels), f"{name}: duplicate panel ids"
        for panel in panels:
            position = panel["gridPos"]
            assert position["x"] >= 0 and position["x"] + position["w"] <= 24, f"{name}: {panel['title']}"
            if panel["type"] == "row":
                continue
            assert panel["datasource"]["uid"] == "${datasource}", f"{name}: {panel['title']}"
            assert panel["targets"] and all(target["expr"].strip() for target in panel["targets"])
