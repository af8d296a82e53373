"""Reads what operators ship (alert rules, dashboards) and the metric names their PromQL uses."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
import yaml

from tests.support.waiting import wait_for

REPO_ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO_ROOT / "deploy" / "prometheus"
RULES_DIR = PROMETHEUS_DIR / "rules"
RULE_TESTS_DIR = PROMETHEUS_DIR / "tests"
DASHBOARDS_DIR = REPO_ROOT / "deploy" / "grafana" / "dashboards"

PROMETHEUS_SYNTHETIC = {"up"}
"""Series Prometheus makes itself for every target."""

_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
    "and", "or", "unless", "inf", "nan", "atan2",
}  # fmt: skip
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.$])([A-Za-z_:][A-Za-z0-9_:]*+)(?!\s*\()")


@dataclass(frozen=True)
class Query:
    where: str
    expr: str


def alert_rules() -> list[dict[str, Any]]:
    rules = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules.extend(group["rules"])
    return rules


def dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS_DIR.glob("*.json"))}


def panels_of(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # the panels of a collapsed row
    return found


def queries() -> list[Query]:
    """Every PromQL expression shipped: alert rules, dashboard panels and dashboard variables."""
    found = [Query(f"rule {rule['alert']}", rule["expr"]) for rule in alert_rules()]
    for name, dashboard in dashboards().items():
        for panel in panels_of(dashboard):
            found.extend(
                Query(f"{name}: {panel['title']}", target["expr"]) for target in panel.get("targets", [])
            )
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query":
                found.append(Query(f"{name}: variable {variable['name']}", variable["definition"]))
    return found


def without_grafana_variables(expr: str) -> str:
    """The expression as Grafana would send it, with its variables given harmless values."""
    expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
    expr = re.sub(r"label_values\(([^,]+),\s*\w+\)", r"\1", expr)  # a variable's query: the series it reads
    return re.sub(r"\$\{?\w+\}?", ".*", expr)


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (a small PromQL scanner, enough for what we write)."""
    expr = without_grafana_variables(expr)
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = _GROUPING.sub("", expr)
    expr = re.sub(r"\boffset\s+\w+", "", expr)
    names = {match for match in _IDENTIFIER.findall(expr) if match not in _KEYWORDS}
    return {name for name in names if not re.fullmatch(r"\d+[smhdwy]?", name)}


def sample_names(families: dict[str, str]) -> set[str]:
    """The series names a /metrics page can show, from its metric families (name → type)."""
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("", "_sum", "_count", "_created"),
        "gauge": ("",),
    }
    return {name + suffix for name, kind in families.items() for suffix in suffixes.get(kind, ("",))}


@asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[str]:
    """Serve an app over real HTTP on a loopback port, inside the test's event loop; yields its URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def started_or_stopped() -> bool:
        return server.started or task.done()

    try:
        await wait_for(started_or_stopped, within=60, message=f"uvicorn on port {port}")
        assert not task.done(), f"the server on port {port} stopped at start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
