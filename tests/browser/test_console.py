"""The console in real Chromium: each role signs in at the real provider and works in its pages; a report
reaches the leader's open board live and is acknowledged from it; a report made while the console is
unreachable is sent once when it returns; no page asks anything of a host but 127.0.0.1; axe-core finds
nothing serious."""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import ARTIFACTS, Pages, axe_violations
from tests.support.console_stack import Stack
from tests.support.keycloak import KeycloakProvider

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]

HOMES = {
    "admin.so": ("/board", "Bảng điều hành"),
    "canbo.so": ("/board", "Bảng điều hành"),
    "cumtruong.1": ("/cluster", "Cụm 1"),
    "thanhvien.1": ("/cluster", "Cụm 1"),
    "hieutruong.mau": ("/school", "Trường Tiểu học Mường Xén"),
    "canbo.xa": ("/commune", "Xã Mường Xén"),
}
SCREENS = ARTIFACTS / "screens"
NOT_THEIRS = {"/board", "/cluster", "/school", "/commune"}


def page_weight(page: Page, path: str) -> int:
    """Bytes of the page's HTML, CSS and scripts as served (before any data the page fetches later)."""
    total = 0
    with page.expect_response(lambda r: r.url.endswith(path)) as first:
        page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
    total += len(first.value.body())
    for url in page.evaluate(
        "() => [...document.querySelectorAll('script[src], link[rel=stylesheet]')].map(e => e.src || e.href)"
    ):
        asset = httpx.get(url, timeout=10)
        assert asset.status_code == 200, f"{path}: {url} answered {asset.status_code}"  # a missing script
        total += len(asset.content)
    return total


def test_each_role_signs_in_and_sees_only_its_own_pages(pages: Pages) -> None:
    weights: dict[str, int] = {}
    for username, (home, heading) in HOMES.items():
        page = pages.signed_in(username)
        assert page.url == f"{pages.stack.console}{home}", username
        shown = page.request.get(page.url)
        assert shown.headers["referrer-policy"] == "same-origin", username
        expect(page.locator("h1")).to_contain_text(heading)
        assert page.locator("html").get_attribute("lang") == "vi"
        assert axe_violations(page) == [], username
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENS / f"{username}.png", full_page=True)  # what each role sees, kept
        weights[home] = page_weight(page, home)
        for other in sorted(NOT_THEIRS - {home}):
            response = page.goto(pages.stack.console + other)
            assert response is not None and response.status == 403, (username, other)
            expect(page.locator(".error")).to_contain_text("không dành cho vai trò")
    print(f"\npage weights (HTML+CSS+JS, bytes): {weights}")
    assert all(weight < 100_000 for weight in weights.values()), weights


def test_english_by_the_switch_and_the_registry_for_the_department(pages: Pages) -> None:
    page = pages.signed_in("canbo.so", start="/registry/clusters")
    assert page.url.endswith("/registry/clusters")  # sent to sign in, then back where they were going
    assert page.locator("tbody tr").count() == 5
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Clusters")
    assert page.locator("html").get_attribute("lang") == "en"
    assert axe_violations(page) == []
    page.goto(pages.stack.console + "/registry/communes")
    assert page.locator("tbody tr").count() >= 100  # the province's 130 communes, a page of 100


def test_an_ended_session_signs_in_again_and_returns_to_the_page(pages: Pages) -> None:
    page = pages.signed_in("cumtruong.1")
    page.context.clear_cookies(name="console_session")
    page.goto(pages.stack.console + "/registry/schools")
    # The provider still knows the browser (its own session): back at once, on the page asked for.
    page.wait_for_url(f"{pages.stack.console}/registry/schools")
    expect(page.locator("h1")).to_have_text("Trường học")


def test_a_report_appears_live_on_the_leaders_board_and_is_acknowledged_from_it(
    pages: Pages, keycloak: KeycloakProvider
) -> None:
    leader = pages.signed_in("cumtruong.1")
    leader.wait_for_function("() => document.documentElement.hasAttribute('data-live-open')")
    leader.evaluate("() => { window.notReloaded = true; }")
    principal = pages.signed_in("hieutruong.mau")
    title = f"Trẻ bị ngã cầu thang {uuid.uuid4().hex[:6]}"
    principal.select_option("#r-category", index=0)
    principal.fill("#r-title", title)
    principal.fill("#r-description", "Một học sinh lớp 3 bị ngã, đã sơ cứu.")
    clicked = time.monotonic()
    principal.click("#report button[type=submit]")
    principal.wait_for_selector("#report-status[data-reference]", timeout=20_000)
    answered = time.monotonic() - clicked
    reference = principal.get_attribute("#report-status", "data-reference")
    row = leader.locator(f"tr[data-reference='{reference}']")
    row.wait_for(timeout=30_000)
    seen_after = time.monotonic() - clicked
    print(
        f"\nreport sent {answered:.2f} s after the click; "
        f"on the leader's open board {seen_after:.2f} s after it"
    )
    assert leader.evaluate("() => window.notReloaded") is True  # live, without a reload
    expect(row.locator(".status")).to_have_text("Mới báo")

    row.locator("button[data-step=acknowledge]").click()
    expect(leader.locator(f"tr[data-reference='{reference}'] .status")).to_have_text("Đã tiếp nhận")
    leader.locator(f"tr[data-reference='{reference}'] a").click()
    expect(leader.locator("#status")).to_have_text("Đã tiếp nhận")
    expect(leader.locator(".timeline")).to_contain_text("Đã tiếp nhận")
    assert axe_violations(leader) == []


def _incidents_titled(stack: Stack, keycloak: KeycloakProvider, title: str) -> list[dict[str, object]]:
    token = keycloak.password_token("cumtruong.1", "demo")
    found = httpx.get(
        f"{stack.urls['incidents']}/incidents",
        params={"limit": 200},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    return [incident for incident in found if incident["title"] == title]


def test_a_report_made_while_the_console_is_unreachable_is_sent_once_when_it_returns(
    pages: Pages, keycloak: KeycloakProvider
) -> None:
    principal = pages.signed_in("hieutruong.mau")
    attempts: list[str] = []

    def flaky(route: Route) -> None:
        attempts.append(route.request.headers.get("idempotency-key", ""))
        if len(attempts) == 1:
            route.abort("internetdisconnected")  # never reached the console
        elif len(attempts) == 2:
            route.fetch()  # reached it, and the incident was recorded, but the answer was lost
            route.abort("connectionreset")
        else:
            route.continue_()

    principal.route("**/school/report", flaky)
    title = f"Mất điện cả trường {uuid.uuid4().hex[:6]}"
    principal.fill("#r-title", title)
    principal.fill("#r-description", "Mất điện từ 7 giờ sáng.")
    principal.click("#report button[type=submit]")
    expect(principal.locator("#report-status")).to_contain_text("Chưa gửi được")
    expect(principal.locator("#pending-reports li")).to_have_count(1)
    principal.wait_for_selector("#report-status[data-reference]", timeout=30_000)  # the retries of the page
    expect(principal.locator("#pending-reports li")).to_have_count(0)
    assert len(attempts) == 3 and len(set(attempts)) == 1  # one key, every time
    found = _incidents_titled(pages.stack, keycloak, title)
    assert len(found) == 1, found
    assert found[0]["reference"] == principal.get_attribute("#report-status", "data-reference")


def test_the_alert_link_page_never_acts_on_get_and_says_when_a_link_is_not_valid(pages: Pages) -> None:
    page = pages.new("act")
    response = page.goto(pages.stack.console + "/act/not-a-real-link")
    assert response is not None and response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"  # the address is the link's secret
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    expect(page.locator("#act-result")).to_contain_text("Liên kết")
    expect(page.locator("a[href='/sign-in']")).to_be_visible()
    assert page.locator("form button").count() == 0
    assert axe_violations(page) == []


def test_an_ending_access_token_is_refreshed_and_sign_out_ends_the_session_at_the_provider(
    pages: Pages,
) -> None:
    page = pages.signed_in("thanhvien.1")
    database = pages.stack.data_dir / "console.db"
    newest = (
        "SELECT id_hash, access_token FROM console_sessions WHERE username LIKE 'thanhvien.1%' "
        "ORDER BY created_at DESC LIMIT 1"
    )
    with sqlite3.connect(database) as connection:  # this browser's access token is made to end now
        key, before = connection.execute(newest).fetchone()
        connection.execute(
            "UPDATE console_sessions SET access_expires_at = '2000-01-01 00:00:00.000000' WHERE id_hash = ?",
            (key,),
        )
    page.goto(pages.stack.console + "/cluster")
    expect(page.locator("h1")).to_contain_text("Cụm 1")  # refreshed, not sent to sign in
    with sqlite3.connect(database) as connection:
        after = connection.execute(
            "SELECT access_token FROM console_sessions WHERE id_hash = ?", (key,)
        ).fetchone()[0]
    assert after != before

    page.click("text=Đăng xuất")
    page.wait_for_url(f"{pages.stack.console}/signed-out")
    expect(page.locator("h1")).to_have_text("Bạn đã đăng xuất.")
    page.goto(pages.stack.console + "/cluster")
    page.wait_for_selector("#kc-login")  # the provider's session ended too: its login page again


def _callback_of_a_sign_in(page: Page, console: str, username: str) -> str:
    """Signs in at the provider's real page and keeps the callback URL (code and state) it would send the
    browser to, without following it: what an attacker would hand a victim (login CSRF)."""
    caught: list[str] = []

    def keep_location(route: Route) -> None:
        answer = route.fetch(max_redirects=0)
        caught.append(answer.headers.get("location", ""))
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>kept</title>")

    page.route("**/login-actions/authenticate**", keep_location)
    page.goto(console + "/")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.click("#kc-login")
    page.wait_for_function("() => document.title === 'kept'")
    page.unroute("**/login-actions/authenticate**")
    assert caught and caught[0].startswith(console + "/auth/callback?"), caught
    return caught[0]


def test_a_callback_from_another_browsers_sign_in_signs_no_one_in(pages: Pages) -> None:
    console = pages.stack.console
    attacker = pages.new("attacker")
    callback = _callback_of_a_sign_in(attacker, console, "canbo.so")

    without = pages.new("victim-without-cookie")  # never started a sign-in here
    without.goto(callback)
    without.wait_for_selector("#kc-login")  # sent to sign in afresh, as no one
    assert not [c for c in without.context.cookies() if c["name"] == "console_session"]

    other = pages.new("victim-with-own-sign-in")  # a sign-in of its own under way: another state's cookie
    other.goto(console + "/")
    other.wait_for_selector("#kc-login")
    assert [c for c in other.context.cookies() if c["name"] == "console_sign_in"]
    other.goto(callback)
    other.wait_for_selector("#kc-login")
    assert not [c for c in other.context.cookies() if c["name"] == "console_session"]

    attacker.goto(callback)  # the browser that started it finishes it: the refusals were the cookie's
    attacker.wait_for_url(f"{console}/board")
    assert [c for c in attacker.context.cookies() if c["name"] == "console_session"]
    assert not [c for c in attacker.context.cookies() if c["name"] == "console_sign_in"]


def test_sign_out_after_the_session_ended_still_ends_the_providers_session(pages: Pages) -> None:
    page = pages.signed_in("thanhvien.1")
    with sqlite3.connect(pages.stack.data_dir / "console.db") as connection:  # the session ends (idle)
        connection.execute("DELETE FROM console_sessions WHERE username LIKE 'thanhvien.1%'")
    page.click("text=Đăng xuất")
    # No ID token to hint with: the provider asks to confirm, then sends the browser to the signed-out page.
    page.wait_for_selector("#kc-logout")
    page.click("#kc-logout")
    page.wait_for_url(f"{pages.stack.console}/signed-out")
    assert not [c for c in page.context.cookies() if c["name"] == "console_session"]
    page.goto(pages.stack.console + "/cluster")
    page.wait_for_selector("#kc-login")  # not signed straight back in


def test_reports_kept_in_the_browser_are_the_persons_own_and_go_at_sign_out(pages: Pages) -> None:
    principal = pages.signed_in("hieutruong.mau")
    person = principal.get_attribute("body", "data-person")
    assert person
    others = {"key": "k-other", "who": "someone-else", "report": {"title": "not theirs", "category": "x"}}
    principal.evaluate(
        """([person, item]) => {
            localStorage.setItem("edu-clusters.pending-reports.someone-else", JSON.stringify([item]));
            localStorage.setItem("edu-clusters.pending-reports." + person, JSON.stringify([item]));
        }""",
        [person, others],
    )
    principal.reload()
    principal.wait_for_selector("#report")
    # Another person's item is not this person's queue (shown and sent from the same load()).
    expect(principal.locator("#pending-reports li")).to_have_count(0)
    principal.click("text=Đăng xuất")
    principal.wait_for_url(f"{pages.stack.console}/signed-out")
    left = principal.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('edu-clusters.pending-reports'))"
    )
    assert left == []


def test_an_unknown_step_is_refused_in_words_and_a_new_sign_in_ends_the_old_session(pages: Pages) -> None:
    leader = pages.signed_in("cumtruong.1")
    csrf = leader.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    refused = leader.request.post(
        pages.stack.console + "/incidents/INC-NONE/steps/teleport", headers={"X-CSRF-Token": csrf}
    )
    assert refused.status == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert "Thông tin chưa hợp lệ" in refused.text()

    database = pages.stack.data_dir / "console.db"
    old = next(c["value"] for c in leader.context.cookies() if c["name"] == "console_session")
    leader.goto(pages.stack.console + "/sign-in")  # signs in again (the provider knows the browser)
    leader.wait_for_url(f"{pages.stack.console}/cluster")
    new = next(c["value"] for c in leader.context.cookies() if c["name"] == "console_session")
    assert new != old
    with sqlite3.connect(database) as connection:
        left = connection.execute(
            "SELECT count(*) FROM console_sessions WHERE id_hash = ?",
            (hashlib.sha256(old.encode()).hexdigest(),),
        ).fetchone()[0]
    assert left == 0
