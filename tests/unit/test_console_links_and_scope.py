"""The console's alert-link page states, a commune officer's commune from their own registry record, and
a live consumer group of each process's own."""

from __future__ import annotations

import pytest
from aiohttp import web

from services.console.gateway.adapters import ServiceRefused, Services, segment
from services.console.links.domain import act_cookie_path, previewed_state, refused_state, sign_in_path
from services.console.pages import queries
from services.console.pages import service as actions
from services.console.settings import ConsoleSettings, own_live_group
from services.console.signin.domain import officer_commune


@pytest.mark.parametrize(
    ("status", "rule", "state"),
    [
        (410, "link_used", "used"),
        (410, "link_expired", "expired"),
        (404, "not_found", "unknown"),
        (422, None, "unknown"),
        (403, "link_person_out_of_scope", "refused"),
        (409, "not_awaiting_acknowledgement", "refused"),
    ],
)
def test_a_refused_link_says_which_state_it_is_in(status: int, rule: str | None, state: str) -> None:
    assert refused_state(status, rule) == state


def test_the_preview_says_valid_used_or_expired_and_nothing_else() -> None:
    assert [previewed_state({"state": s}) for s in ("valid", "used", "expired")] == [
        "valid",
        "used",
        "expired",
    ]
    assert previewed_state({"state": "acted"}) == "unknown" and previewed_state({}) == "unknown"


def test_signing_in_from_a_link_leads_to_its_incident() -> None:
    assert sign_in_path("b7e0-1") == "/sign-in?next=%2Fincidents%2Fb7e0-1"
    assert sign_in_path(None) == "/sign-in" and sign_in_path("") == "/sign-in"


def test_a_commune_officer_acts_for_the_commune_their_own_record_names_school_or_none() -> None:
    record = {"code": "XA-1", "roles": ["commune_officer"], "commune_code": "17005", "active": True}
    assert officer_commune(record) == "17005"
    assert officer_commune({**record, "active": False}) is None
    assert officer_commune({**record, "roles": ["teacher"]}) is None
    assert officer_commune({**record, "commune_code": None}) is None
    assert officer_commune(None) is None


def test_each_console_process_has_a_live_group_of_its_own() -> None:
    assert own_live_group("console-7d9f8-abcde", 12) == "console.live.console-7d9f8-abcde-12"
    assert own_live_group("host name/é", 3) == "console.live.host-name---3"
    first, second = ConsoleSettings(), ConsoleSettings()
    assert first.live_group == second.live_group  # the same process: the same group
    assert first.live_group.startswith("console.live.") and first.live_group != "console.live"
    assert ConsoleSettings(live_group="console.live.pod-a").live_group == "console.live.pod-a"


def test_each_link_has_its_own_csrf_cookie_path() -> None:
    assert act_cookie_path("abc.DEF-_1") == "/act/abc.DEF-_1"
    assert act_cookie_path("a/b?c") == "/act/a%2Fb%3Fc"  # never a wider path than the link's own


def test_a_path_segment_sent_to_a_service_stays_one_segment() -> None:
    assert segment("incidents", "INC-1") == "INC-1"
    assert segment("incidents", "a/../../admin?x=1#y") == "a%2F..%2F..%2Fadmin%3Fx%3D1%23y"
    assert segment("registry", "Mường Xén") == "M%C6%B0%E1%BB%9Dng%20X%C3%A9n"
    for nothing in ("", ".", ".."):
        with pytest.raises(ServiceRefused) as refused:
            segment("incidents", nothing)
        assert refused.value.status == 404


async def test_the_pages_send_an_id_as_one_quoted_segment_to_a_real_service() -> None:
    seen: list[str] = []

    async def anything(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    services = Services({"incidents": base, "activities": base, "registry": base}, timeout_s=5)
    try:
        await actions.take_step(services, "t", "x/../../admin", "acknowledge")
        await actions.add_note(services, "t", "a?b", "note")
        await actions.register(services, "t", "a#b", {})
        await queries.commune_name(services, "t", "16813/../x")
    finally:
        await services.close()
        await runner.cleanup()
    assert seen == [
        "/incidents/x%2F..%2F..%2Fadmin/acknowledge",
        "/incidents/a%3Fb/notes",
        "/activities/a%23b/registrations",
        "/communes/16813%2F..%2Fx",
    ]
