"""The browser tests' real parts: the whole stack as processes (started once per session, on the session's
Kafka and Keycloak) and Debian's Chromium driven by Playwright, with no browser download.

Every page a test opens is watched: a request to any host but 127.0.0.1 fails the test, and a failing
test leaves a screenshot of each of its pages under ``var/test-artifacts/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from deploy.local.kafka import REPO_ROOT
from tests.support.browser import CHROMIUM, chromium, leaves_host
from tests.support.console_stack import Stack, running_stack
from tests.support.keycloak import KeycloakProvider

ARTIFACTS = REPO_ROOT / "var" / "test-artifacts"
AXE = REPO_ROOT / "tests" / "support" / "vendor" / "axe-4.14.1.min.js"


@pytest.fixture(scope="session")
def stack(
    keycloak: KeycloakProvider, kafka_bootstrap_servers: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with running_stack(
        bootstrap=kafka_bootstrap_servers, issuer=keycloak.issuer, data_dir=tmp_path_factory.mktemp("stack")
    ) as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed after them: Playwright's sync API keeps an event loop
    running in the test thread while it is open, which the asyncio tests of other folders cannot share."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `bash deploy/local/ensure-chromium.sh`", pytrace=False)
    with chromium() as launched:
        yield launched


@dataclass
class Pages:
    """The pages a test opened, and every request they made that left 127.0.0.1."""

    browser: Browser
    stack: Stack
    contexts: list[BrowserContext] = field(default_factory=list)
    pages: list[tuple[str, Page]] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def new(self, label: str) -> Page:
        context = self.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: self._check(request.url))
        self.pages.append((label, page))
        return page

    def _check(self, url: str) -> None:
        if leaves_host(url):
            self.outside.append(url)

    def signed_in(self, username: str, *, start: str = "/") -> Page:
        """A browser of its own, signed in through the provider's real login page."""
        page = self.new(username)
        page.goto(self.stack.console + start)
        page.fill("#username", username)
        page.fill("#password", "demo")
        page.click("#kc-login")
        page.wait_for_url(f"{self.stack.console}/**")
        page.wait_for_selector("h1")
        return page


@pytest.fixture
def pages(browser: Browser, stack: Stack, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, stack)
    try:
        yield opened
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for n, (label, page) in enumerate(opened.pages):
                if not page.is_closed():
                    page.screenshot(path=ARTIFACTS / f"{request.node.name}-{n}-{label}.png", full_page=True)
            for name in stack.urls:
                log = stack.data_dir / f"{name}.log"
                if log.exists():
                    shutil.copy(log, ARTIFACTS / f"{request.node.name}-{name}.log")
        assert not opened.outside, f"requests left 127.0.0.1: {opened.outside}"
    finally:
        for context in opened.contexts:
            context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core run in the page: the serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
