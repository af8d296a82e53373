"""Acting from the alert, in real Chromium: a principal reports two incidents; the cluster leader
acknowledges the first from the open board and the second from the one-click link in the email the
stack's mail catcher received, in a browser that is not signed in; each incident's timeline shows its
acknowledgement (the second "from the link in the email", naming the person); the same link opened again
says it was used and offers to sign in; the first incident's link, once the board acknowledged it, says
it no longer waits. No request leaves 127.0.0.1, and axe-core finds nothing serious on the link's page."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Pages, axe_violations
from tests.support.console_stack import Stack
from tests.support.keycloak import KeycloakProvider

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]

LEADER = "cumtruong.1"
LEADER_EMAIL = "cumtruong.1@demo.edu-clusters.vn"
LEADER_NAME = "Lê Văn Thành"
LEADER_CODE = "DEMO-C1-LEAD"


def report(principal: Page, console: str, title: str) -> str:
    """The principal's report through the page's form; its reference once the server has it."""
    principal.goto(console + "/school")
    principal.fill("#r-title", title)
    principal.fill("#r-description", "Báo từ trình duyệt, để thử liên kết trong thư.")
    principal.click("#report button[type=submit]")
    principal.wait_for_selector("#report-status[data-reference]", timeout=20_000)
    reference = principal.get_attribute("#report-status", "data-reference")
    assert reference
    return reference


def link_in_the_leaders_mail(stack: Stack, token: str, reference: str, *, within: float = 60) -> str:
    """The one-click link of the email the mail catcher received for the leader about ``reference``."""
    pattern = re.compile(re.escape(stack.console) + r"/act/[A-Za-z0-9_.~-]+")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        caught = httpx.get(
            f"{stack.urls['notifications']}/dev/mail",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert caught.status_code == 200, caught.text
        for mail in caught.json():
            found = pattern.search(mail["body"])
            if LEADER_EMAIL in mail["recipients"] and reference in mail["subject"] and found:
                return found.group(0)
        time.sleep(0.2)  # polling the sink's listing, bounded by the deadline above
    raise AssertionError(f"no email to {LEADER_EMAIL} about {reference} with a link within {within}s")


def timeline_of(leader: Page, console: str, reference: str) -> str:
    leader.goto(console + "/cluster")
    row = leader.locator(f"tr[data-reference='{reference}']")
    incident_id = (row.get_attribute("id") or "").removeprefix("incident-")
    assert incident_id, reference
    leader.goto(f"{console}/incidents/{incident_id}")
    expect(leader.locator("#status")).to_have_text("Đã tiếp nhận")
    return leader.locator(".timeline").inner_text()


def test_the_leader_acknowledges_one_incident_from_the_board_and_another_from_the_email_link(
    pages: Pages, keycloak: KeycloakProvider
) -> None:
    console = pages.stack.console
    leader = pages.signed_in(LEADER)
    leader.wait_for_function("() => document.documentElement.hasAttribute('data-live-open')")
    principal = pages.signed_in("hieutruong.mau")
    tag = uuid.uuid4().hex[:6]
    first = report(principal, console, f"Cây đổ trong sân trường {tag}")
    reported_second = time.monotonic()
    second = report(principal, console, f"Vỡ ống nước nhà vệ sinh {tag}")

    # The first, from the open board (live: both rows arrive without a reload).
    row = leader.locator(f"tr[data-reference='{first}']")
    row.wait_for(timeout=30_000)
    leader.locator(f"tr[data-reference='{second}']").wait_for(timeout=30_000)
    row.locator("button[data-step=acknowledge]").click()
    expect(leader.locator(f"tr[data-reference='{first}'] .status")).to_have_text("Đã tiếp nhận")

    # The second, from the link in the leader's real email, in a browser that is not signed in.
    department = keycloak.password_token("admin.so", "demo")
    link = link_in_the_leaders_mail(pages.stack, department, second)
    mailed = time.monotonic() - reported_second
    outsider = pages.new("email-link")
    opened_at = time.monotonic()
    outsider.goto(link)
    expect(outsider.locator("#act-reference")).to_have_text(second)
    opened = time.monotonic() - opened_at
    expect(outsider.locator("#act-person")).to_contain_text(LEADER_NAME)
    assert outsider.locator("html").get_attribute("lang") == "vi"
    assert outsider.locator("form button").count() == 1
    assert axe_violations(outsider) == []
    clicked_at = time.monotonic()
    outsider.click("form button[type=submit]")
    expect(outsider.locator("#act-result")).to_have_text("Đã xác nhận tiếp nhận sự cố.")
    acted = time.monotonic() - clicked_at
    expect(outsider.locator("#act-status")).to_have_text("Đã tiếp nhận")
    assert axe_violations(outsider) == []
    print(
        f"\nemail link: in the mail sink {mailed:.2f} s after the report was sent; "
        f"link page usable {opened:.2f} s after it was opened; acknowledged {acted:.2f} s after the click; "
        f"report to acknowledged {time.monotonic() - reported_second:.2f} s"
    )
    # The leader's open board hears of it too, without a reload.
    expect(leader.locator(f"tr[data-reference='{second}'] .status")).to_have_text(
        "Đã tiếp nhận", timeout=30_000
    )

    # Each timeline, in the leader's signed-in console.
    assert "Đã tiếp nhận" in timeline_of(leader, console, first)
    by_link = timeline_of(leader, console, second)
    assert "từ liên kết trong email" in by_link, by_link
    assert LEADER_NAME in by_link and LEADER_CODE in by_link, by_link

    # The same link again: used, and an offer to sign in (to the incident's page).
    outsider.goto(link)
    expect(outsider.locator("#act-result")).to_have_attribute("data-state", "used")
    expect(outsider.locator("#act-result")).to_contain_text("đã được dùng")
    expect(outsider.locator("a[href^='/sign-in?next=']")).to_be_visible()
    assert outsider.locator("form button").count() == 0
    assert axe_violations(outsider) == []
    outsider.click("text=English")
    expect(outsider.locator("#act-result")).to_contain_text("This link has been used")
    expect(outsider.locator("a[href^='/sign-in']")).to_have_text("Sign in to see and handle the incident")

    # The first incident's own link, after the board acknowledged it: it no longer waits, in words.
    first_link = link_in_the_leaders_mail(pages.stack, department, first)
    outsider.click("text=Tiếng Việt")
    outsider.goto(first_link)
    outsider.click("form button[type=submit]")
    expect(outsider.locator("#act-result")).to_have_attribute("data-state", "refused")
    expect(outsider.locator("#act-result")).to_contain_text("không còn chờ tiếp nhận")
