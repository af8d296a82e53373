"""The services' public HTTP APIs, called with the signed-in person's access token.

A refusal comes back as the one error body ``{detail, field, rule}``; it is raised as ``ServiceRefused``
for the page to show in words. A service that does not answer is ``ServiceUnreachable``; a 401 means the
person's sign-in is over (``SignInRequired``). Nothing here turns into a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)


@dataclass
class ServiceRefused(Exception):
    service: str
    status: int
    detail: str
    field: str | None = None
    rule: str | None = None


@dataclass
class ServiceUnreachable(Exception):
    service: str
    reason: str


class SignInRequired(Exception):
    """The person must sign in (again); ``return_to`` is where they go afterwards."""

    def __init__(self, return_to: str = "/") -> None:
        super().__init__(return_to)
        self.return_to = return_to


def segment(service: str, value: object) -> str:
    """One path segment of a call to a service, from what a person typed or a page's URL held: quoted
    whole (a ``/``, ``?`` or ``#`` stays inside it); ``.`` and ``..`` (which a URL resolves away) name
    nothing, and are refused as not found."""
    text = str(value)
    if text in ("", ".", ".."):
        raise ServiceRefused(service, 404, f"{text!r} names nothing")
    return quote(text, safe="")


class Services:
    """One pooled HTTP client per service base URL."""

    def __init__(self, base_urls: dict[str, str], *, timeout_s: float) -> None:
        self._clients = {
            name: httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout_s)
            for name, url in base_urls.items()
        }

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        query = {name: value for name, value in (params or {}).items() if value is not None}
        client = self._clients[service]
        try:
            try:
                response = await client.request(method, path, json=json, params=query, headers=sent)
            except (httpx.RemoteProtocolError, httpx.ConnectError):
                # A kept-alive connection the service closed as it was reused (its keep-alive ended):
                # a read is asked once more on a fresh connection; a write is never sent twice.
                if method.upper() != "GET":
                    raise
                response = await client.request(method, path, json=json, params=query, headers=sent)
        except httpx.HTTPError as error:
            log.warning("%s did not answer %s %s: %s", service, method, path, type(error).__name__)
            raise ServiceUnreachable(service, type(error).__name__) from error
        if response.status_code == 401 and token is not None:
            raise SignInRequired()
        if response.status_code >= 400:
            raise refusal(service, response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ServiceUnreachable(service, "an answer that is not JSON") from error

    async def get(self, service: str, path: str, *, token: str | None, **params: Any) -> Any:
        return await self.call(service, "GET", path, token=token, params=params)


def refusal(service: str, response: httpx.Response) -> ServiceRefused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail")
    return ServiceRefused(
        service,
        response.status_code,
        detail if isinstance(detail, str) else f"HTTP {response.status_code}",
        body.get("field") if isinstance(body.get("field"), str) else None,
        body.get("rule") if isinstance(body.get("rule"), str) else None,
    )
