"""The pictures on the boards, in real Chromium: each chart is an SVG drawn by the console from the
services' figures as the signed-in person may see them, in the page's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Pages

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(600)]


def loaded_charts(page: Page) -> dict[str, int]:
    """Each chart image of the page by its address, with the width the browser drew it at (0: broken)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.charts img')].every(i => i.complete)", timeout=30_000
    )
    found: dict[str, int] = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('.charts img')]"
        ".map(i => [new URL(i.src).pathname, i.naturalWidth]))"
    )
    return found


def test_the_department_board_draws_its_three_charts_from_the_services(pages: Pages) -> None:
    page = pages.signed_in("canbo.so")
    charts = loaded_charts(page)
    assert set(charts) == {
        "/charts/incidents-per-week.svg",
        "/charts/time-to-acknowledge.svg",
        "/charts/support-totals.svg",
    }
    assert all(width > 0 for width in charts.values()), charts  # every image decoded as a picture

    answer = page.request.get(pages.stack.console + "/charts/incidents-per-week.svg?lang=vi")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    svg = answer.text()
    assert svg.lstrip().startswith("<svg") and "<title" in svg
    assert "Cụm" in svg or "Chưa có dữ liệu" in svg  # Vietnamese words, not codes


def test_a_cluster_leaders_page_draws_the_incident_charts_of_the_cluster(pages: Pages) -> None:
    page = pages.signed_in("cumtruong.1")
    charts = loaded_charts(page)
    assert set(charts) == {"/charts/incidents-per-week.svg", "/charts/time-to-acknowledge.svg"}
    assert all(width > 0 for width in charts.values()), charts
    english = page.request.get(pages.stack.console + "/charts/time-to-acknowledge.svg?lang=en")
    assert english.status == 200 and 'lang="en"' in english.text()


def test_a_chart_asked_for_without_a_session_shows_no_figures(pages: Pages) -> None:
    page = pages.new("anonymous")
    answer = page.request.get(pages.stack.console + "/charts/incidents-per-week.svg", max_redirects=0)
    assert answer.status in (302, 303, 307, 401), answer.status
    assert "<svg" not in answer.text()
