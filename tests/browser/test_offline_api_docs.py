"""In real Chromium, a service's /docs and /asyncapi render their lists with no request leaving 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from services.incidents.app import create_app
from services.incidents.settings import IncidentsSettings
from tests.support.apps import served
from tests.support.browser import off_host_requests

RENDER_TIMEOUT_MS = 30_000  # the AsyncAPI viewer parses the document in the page: seconds on a busy machine


@pytest.fixture
def incidents_docs_url(tmp_path: Path) -> Iterator[str]:
    """The incidents service under uvicorn on 127.0.0.1; no lifespan: its pages need no database or broker."""
    with served(create_app(IncidentsSettings(data_dir=str(tmp_path))), lifespan=False) as base_url:
        yield base_url


def test_swagger_and_asyncapi_render_offline(browser: Browser, incidents_docs_url: str) -> None:
    context = browser.new_context()
    try:
        foreign = off_host_requests(context)
        page = context.new_page()

        page.goto(f"{incidents_docs_url}/docs")
        page.locator(".opblock").first.wait_for(timeout=RENDER_TIMEOUT_MS)
        assert page.locator(".opblock-summary-path[data-path='/incidents']").count() >= 1
        assert page.locator(".opblock").count() >= 10

        page.goto(f"{incidents_docs_url}/asyncapi")
        operations = "#operations [id^='operation-send-'], #operations [id^='operation-receive-']"
        page.locator(operations).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        assert page.locator("[id='operation-send-incidents.events:publish']").count() == 1
        assert page.locator("#operations").get_by_text("registry.schools").count() >= 1

        assert foreign == []
    finally:
        context.close()


def test_a_request_leaving_the_host_is_recorded(browser: Browser, incidents_docs_url: str) -> None:
    """The recorder itself: a page naming a CDN asset is caught (and the asset refused)."""
    context = browser.new_context()
    try:
        foreign = off_host_requests(context)
        page = context.new_page()
        page.goto(f"{incidents_docs_url}/health/live")
        page.set_content('<img src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/favicon-32x32.png">')
        page.wait_for_load_state("load")
        assert foreign == ["https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/favicon-32x32.png"]
    finally:
        context.close()
