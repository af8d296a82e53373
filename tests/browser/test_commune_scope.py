"""A commune officer of a commune with no school: the console takes their commune from their own registry
record (not from a school's), so their open page hears of the commune's incidents live."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Pages, axe_violations
from tests.support.keycloak import KeycloakProvider

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]


def test_an_officer_of_a_commune_without_a_school_gets_its_incidents_live(
    pages: Pages, keycloak: KeycloakProvider
) -> None:
    stack = pages.stack
    admin = {"Authorization": f"Bearer {keycloak.password_token('admin.so', 'demo')}"}
    registry = httpx.Client(base_url=stack.urls["registry"], headers=admin, timeout=10)
    communes = registry.get("/communes", params={"cluster_no": 1, "limit": 100}).json()["items"]
    schools = registry.get("/schools", params={"limit": 200}).json()["items"]
    with_schools = {school["commune_code"] for school in schools}
    commune = next(c["gso_code"] for c in communes if c["gso_code"] not in with_schools)
    assert registry.get("/schools", params={"commune": commune}).json()["items"] == []

    tag = uuid.uuid4().hex[:6]
    code, username = f"XA-{tag}", f"canbo.xa.{tag}"
    created = registry.post(
        "/staff",
        json={
            "code": code,
            "full_name": "Đặng Thị Thu",
            "roles": ["commune_officer"],
            "commune_code": commune,
            "email": f"{username}@test.edu-clusters.vn",
        },
    )
    assert created.status_code == 201, created.text
    keycloak.admin.create_user(username, roles=["commune_officer"], attributes={"staff_code": [code]})
    officer = {"Authorization": f"Bearer {keycloak.password_token(username, 'demo')}"}
    deadline = time.monotonic() + 30
    while httpx.get(f"{stack.urls['incidents']}/incidents", headers=officer, timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "the incidents service never learnt of the new officer"
        time.sleep(0.3)  # the registry's staff event on its way to the incidents replica

    page = pages.signed_in(username)
    assert page.url == f"{stack.console}/commune"
    expect(page.locator("h1")).to_have_text(f"Xã {commune}")
    page.wait_for_function("() => document.documentElement.hasAttribute('data-live-open')")
    page.evaluate("() => { window.notReloaded = true; }")
    assert axe_violations(page) == []

    reported = httpx.post(
        f"{stack.urls['incidents']}/incidents",
        headers={**admin, "Idempotency-Key": f"commune-{tag}"},
        json={
            "commune_code": commune,
            "category": "natural_disaster",
            "title": f"Sạt lở đường vào xã {tag}",
            "description": "Đường liên thôn bị sạt lở sau mưa lớn.",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        },
        timeout=10,
    )
    assert reported.status_code == 201, reported.text
    page.locator(f"tr[data-reference='{reported.json()['reference']}']").wait_for(timeout=30_000)
    assert page.evaluate("() => window.notReloaded") is True  # live, without a reload
