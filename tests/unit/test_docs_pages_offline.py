"""Every service's /docs and /asyncapi name only same-origin assets, and serves each of them itself.

The pages were blank on the Department's intranet while they loaded their viewers from CDNs.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from cli.services import BuiltService, built_services

ORIGIN = "http://docs.test"
PAGES = ("/docs", "/asyncapi")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
URL_ATTRIBUTES = frozenset({"src", "href", "srcset", "action", "poster", "data"})


class AssetLinks(HTMLParser):
    """Every URL an element's attribute names (scripts, styles, icons, images, forms)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                self.urls.append((tag, value))


def links_of(page: str) -> list[tuple[str, str]]:
    parser = AssetLinks()
    parser.feed(page)
    return parser.urls


def same_origin(url: str) -> bool:
    absolute = urlsplit(urljoin(f"{ORIGIN}/docs", url))
    return f"{absolute.scheme}://{absolute.netloc}" == ORIGIN


def test_the_parser_sees_foreign_assets() -> None:
    page = '<link rel="icon" href="https://www.asyncapi.com/favicon.ico"><script src="/static/a.js"></script>'
    assert links_of(page) == [("link", "https://www.asyncapi.com/favicon.ico"), ("script", "/static/a.js")]
    assert not same_origin("https://www.asyncapi.com/favicon.ico")
    assert not same_origin("//cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css")
    assert same_origin("/api-docs/vendor/x.js") and same_origin("x.css") and same_origin(f"{ORIGIN}/y.js")


@pytest.mark.parametrize("service", built_services(), ids=lambda service: service.name)
async def test_docs_pages_name_only_assets_the_service_serves(service: BuiltService, tmp_path: Path) -> None:
    app = service.app(data_dir=str(tmp_path), kafka_topic_prefix="")
    # No lifespan: the pages and their assets need neither the database nor the broker.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as client:
        assets: set[str] = set()
        for page in PAGES:
            answer = await client.get(page)
            assert answer.status_code == 200, page
            assert answer.headers["content-type"].startswith("text/html")
            links = links_of(answer.text)
            assert [url for _, url in links if not same_origin(url)] == [], page
            assert {tag for tag, _ in links} >= {"script", "link"}, page
            assets |= {urlsplit(urljoin(f"{ORIGIN}{page}", url)).path for _, url in links}
        assert len(assets) >= 5  # Swagger's script, style and icon; the AsyncAPI viewer's script and style
        for path in sorted(assets):
            answer = await client.get(path)
            assert answer.status_code == 200, path
            expected = CONTENT_TYPES[Path(path).suffix]
            assert answer.headers["content-type"].startswith(expected), (path, answer.headers["content-type"])
            assert len(answer.content) > 0
            assert "immutable" in answer.headers["cache-control"]


async def test_the_default_cdn_pages_are_gone(tmp_path: Path) -> None:
    app = built_services()[0].app(data_dir=str(tmp_path), kafka_topic_prefix="")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN) as client:
        assert (await client.get("/redoc")).status_code == 404
        assert (await client.get("/docs/oauth2-redirect")).status_code == 200
        assert (await client.get("/api-docs/vendor/swagger-ui-5.35.0/missing.js")).status_code == 404
        assert (await client.get("/api-docs/vendor/../../app.py")).status_code == 404
