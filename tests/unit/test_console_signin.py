"""The console's sign-in rules without a browser: a callback belongs to the browser that started it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from services.console.signin.adapters import IdentityProvider, ProviderRefused, ProviderUnavailable
from services.console.signin.domain import csrf_matches, state_digest, state_is_this_browsers


def test_a_callback_is_accepted_only_with_the_cookie_of_its_own_sign_in() -> None:
    mine, theirs = "state-of-this-browser", "state-of-another-browser"
    assert state_is_this_browsers(state_digest(mine), mine)
    assert not state_is_this_browsers(None, mine)  # no sign-in started here
    assert not state_is_this_browsers("", mine)
    assert not state_is_this_browsers(state_digest(theirs), mine)  # another sign-in's cookie
    assert not state_is_this_browsers(mine, mine)  # the cookie holds the hash, not the state
    assert not state_is_this_browsers(state_digest(""), "")


def test_a_csrf_token_must_be_sent_and_equal() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches(None, "abc")
    assert not csrf_matches("", "abc")
    assert not csrf_matches("abd", "abc")


@asynccontextmanager
async def provider_answering(
    discovery: Any, token: tuple[int, str] = (200, "{}")
) -> AsyncIterator[IdentityProvider]:
    """A real HTTP server in the provider's place, answering what it is told to."""

    async def well_known(request: web.Request) -> web.Response:
        text = discovery if isinstance(discovery, str) else json.dumps(discovery)
        return web.Response(text=text.replace("BASE", f"http://{request.host}/realm"))

    async def token_endpoint(_request: web.Request) -> web.Response:
        return web.Response(status=token[0], text=token[1], content_type="application/json")

    app = web.Application()
    app.router.add_get("/realm/.well-known/openid-configuration", well_known)
    app.router.add_post("/realm/token", token_endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    provider = IdentityProvider(f"http://127.0.0.1:{port}/realm", client_id="console", client_secret="s")
    try:
        yield provider
    finally:
        await provider.close()
        await runner.cleanup()


DISCOVERY = {
    "authorization_endpoint": "BASE/auth",
    "token_endpoint": "BASE/token",
    "end_session_endpoint": "BASE/logout",
}


async def test_a_provider_that_does_not_answer_is_unavailable_not_a_crash() -> None:
    provider = IdentityProvider("http://127.0.0.1:1/realm", client_id="console", client_secret="s")
    try:
        with pytest.raises(ProviderUnavailable):
            await provider.logout_url(id_token=None, after="http://console/signed-out")
        with pytest.raises(ProviderUnavailable):
            await provider.refresh("r")
    finally:
        await provider.close()


@pytest.mark.parametrize("discovery", ["<html>proxy error</html>", "[1]", {"issuer": "x"}])
async def test_a_malformed_discovery_document_is_unavailable(discovery: Any) -> None:
    async with provider_answering(discovery) as provider:
        with pytest.raises(ProviderUnavailable):
            await provider.authorization_url(
                redirect_uri="http://c/cb", state="s", verifier="v" * 43, nonce="n"
            )


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ((502, "bad gateway"), ProviderUnavailable),
        ((200, "not json"), ProviderUnavailable),
        ((200, '{"expires_in": 300}'), ProviderUnavailable),  # no access token
        ((200, '{"access_token": "a", "expires_in": "soon"}'), ProviderUnavailable),
        ((400, '{"error": "invalid_grant"}'), ProviderRefused),  # a refusal: the session ends
    ],
)
async def test_a_token_answer_that_cannot_be_used_is_refused_or_unavailable(
    token: tuple[int, str], kind: type[Exception]
) -> None:
    async with provider_answering(DISCOVERY, token) as provider:
        with pytest.raises(kind) as raised:
            await provider.refresh("r")
        assert type(raised.value) is kind


async def test_an_unreadable_id_token_is_a_refusal() -> None:
    answer = json.dumps({"access_token": "a", "expires_in": 300, "id_token": "not.a.jwt"})
    async with provider_answering(DISCOVERY, (200, answer)) as provider:
        with pytest.raises(ProviderRefused) as raised:
            await provider.exchange(code="c", verifier="v", redirect_uri="http://c/cb", nonce="n")
        assert type(raised.value) is ProviderRefused


async def test_a_good_token_answer_is_read() -> None:
    answer = json.dumps(
        {"access_token": "a", "expires_in": 60, "refresh_token": "r", "refresh_expires_in": 90}
    )
    async with provider_answering(DISCOVERY, (200, answer)) as provider:
        tokens = await provider.refresh("r")
        assert (tokens.access_token, tokens.expires_in, tokens.refresh_expires_in) == ("a", 60.0, 90.0)
        logout = await provider.logout_url(id_token=None, after="http://c/signed-out")
        assert "id_token_hint" not in logout and logout.startswith(provider.issuer + "/logout?")
