"""The alert rules and the scrape config pass promtool, and every alert has a unit test of its own.

promtool comes with Debian's prometheus package, which the test command installs
(deploy/local/ensure-prometheus.sh); outside CI a machine without it skips these with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.support.operations import PROMETHEUS_DIR, REPO_ROOT, RULE_TESTS_DIR, RULES_DIR, alert_rules


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        reason = "promtool is missing: run `bash deploy/local/ensure-prometheus.sh` (Debian's prometheus)"
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def test_promtool_unit_tests_of_the_alert_rules_pass(promtool: str) -> None:
    tests = sorted(RULE_TESTS_DIR.glob("*.test.yml"))
    assert tests
    result = subprocess.run(
        [promtool, "test", "rules", *map(str, tests)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_scrape_config_and_its_rule_files_are_valid(promtool: str) -> None:
    result = subprocess.run(
        [promtool, "check", "config", str(PROMETHEUS_DIR / "prometheus.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout


def test_every_alert_is_unit_tested_firing() -> None:
    tested: set[str] = set()
    for path in RULE_TESTS_DIR.glob("*.test.yml"):
        document = yaml.safe_load(path.read_text())
        assert document["rule_files"] == [f"../rules/{p.name}" for p in sorted(RULES_DIR.glob("*.yml"))]
        for case in document["tests"]:
            tested |= {check["alertname"] for check in case.get("alert_rule_test", []) if check["exp_alerts"]}
    assert {rule["alert"] for rule in alert_rules()} <= tested


def test_every_alert_says_how_urgent_it_is_and_links_its_runbook_section() -> None:
    runbook = (REPO_ROOT / "docs" / "operations" / "runbook.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9]", "", line.lower()) for line in runbook.splitlines() if line.startswith("## ")
    }
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        link = rule["annotations"]["runbook_url"]
        assert link == f"docs/operations/runbook.md#{rule['alert'].lower()}"
        assert rule["alert"].lower() in anchors, f"the runbook has no section for {rule['alert']}"
