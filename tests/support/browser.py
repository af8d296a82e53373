"""Debian's Chromium driven by Playwright's sync API (no browser download), and a record of requests
leaving the host.

Shared by the browser tests (``tests/browser/``): every page must render with no request leaving
127.0.0.1, so a test opens its context through ``off_host_requests`` and asserts the list is empty.
The sync API runs its own event loop in the test thread while it is open: the browser is opened once per
package of browser tests and closed after them, never while an asyncio test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Request, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOCAL_HOSTS = frozenset({"127.0.0.1"})
# Schemes that never reach the network.
_NO_NETWORK = frozenset({"data", "blob", "about", "chrome-error"})


@contextmanager
def chromium(*, headless: bool = True) -> Iterator[Browser]:
    """The system Chromium, headless, with its own background traffic (updates, sync, QUIC) switched off."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=headless, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def leaves_host(url: str) -> bool:
    """Whether fetching ``url`` would leave 127.0.0.1."""
    parts = urlsplit(url)
    return parts.scheme not in _NO_NETWORK and parts.hostname not in LOCAL_HOSTS


def off_host_requests(context: BrowserContext) -> list[str]:
    """Record (and refuse) every request of ``context``'s pages that would leave 127.0.0.1.

    The returned list fills as pages load; refusing keeps a test from depending on the internet either way.
    """
    seen: list[str] = []

    def record(request: Request) -> None:
        if leaves_host(request.url):
            seen.append(request.url)

    def refuse_foreign(route: Route) -> None:
        if leaves_host(route.request.url):
            route.abort("blockedbyclient")
        else:
            route.continue_()

    context.on("request", record)
    context.route("**/*", refuse_foreign)
    return seen
