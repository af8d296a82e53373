"""The pages of each role: the Department's board and registry, a cluster's incidents and work, a
principal's report, incidents, inbox and registrations, a commune's incidents and notices.

Each page reads the services' APIs with the person's token; the live parts are fragments that the page
fetches again when the live stream says something changed where the person looks.
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Awaitable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from services.console.gateway.adapters import ServiceRefused, Services, ServiceUnreachable, segment
from services.console.layout.api import language, refusal_text, render
from services.console.pages import queries
from services.console.pages import service as actions
from services.console.signin.api import CheckedPerson, Person, parts_of
from services.console.signin.models import ConsoleSession
from services.console.wording import domain as wording
from shared.auth import Role
from shared.errors import Unprocessable

router = APIRouter(include_in_schema=False)

DEPARTMENT = {Role.DEPARTMENT_ADMIN.value, Role.DEPARTMENT_OFFICER.value}
CLUSTER = {Role.CLUSTER_LEADER.value, Role.CLUSTER_MEMBER.value}
HOME = {
    **dict.fromkeys(DEPARTMENT, "/board"),
    **dict.fromkeys(CLUSTER, "/cluster"),
    Role.SCHOOL_PRINCIPAL.value: "/school",
    Role.COMMUNE_OFFICER.value: "/commune",
}


def _services(request: Request) -> Services:
    return parts_of(request).services


async def _or_words(request: Request, call: Awaitable[Any], default: Any, missing: list[str]) -> Any:
    """A page's secondary part: a service that refuses or does not answer leaves the rest of the page
    whole, and the person is told in words which part is missing."""
    try:
        return await call
    except (ServiceRefused, ServiceUnreachable) as error:
        missing.append(refusal_text(request, error))
        return default


def _not_for_role(request: Request, person: ConsoleSession) -> HTMLResponse:
    return render(request, "error.html", person, status_code=403, message=None, forbidden=True)


async def _labels(request: Request, person: ConsoleSession) -> dict[str, Any]:
    found = await queries.catalog(_services(request), person.access_token)
    lang = language(request)
    return {
        "category_label": lambda code: found.category(lang, code),
        "severity_label": lambda code: found.severity(lang, code),
        "catalog": found,
    }


async def _live_page(
    request: Request,
    person: ConsoleSession,
    template: str,
    parts: Awaitable[dict[str, Any]],
    **secondary: tuple[Awaitable[Any], Any],
) -> HTMLResponse:
    """A role's page: its live parts, and its secondary ones (name: the call and what stands for its answer
    when its service fails; the page says which part is missing)."""
    missing: list[str] = []
    found, *answers = await asyncio.gather(
        parts, *(_or_words(request, call, default, missing) for call, default in secondary.values())
    )
    return render(
        request,
        template,
        person,
        live=True,
        missing=missing,
        **dict(zip(secondary, answers, strict=True)),
        **found,
    )


def _live_incidents(
    request: Request, person: ConsoleSession, live_url: str, parts: dict[str, Any]
) -> HTMLResponse:
    """The incidents fragment a live page fetches again, from the same parts."""
    return render(request, "incidents_live.html", person, live_url=live_url, **parts)


@router.get("/")
async def home(person: Person) -> Response:
    return RedirectResponse(HOME.get(person.role, "/signed-out"), status_code=303)


# The Department


async def _board_parts(request: Request, person: ConsoleSession) -> dict[str, Any]:
    services, token = _services(request), person.access_token
    rows, incidents = await asyncio.gather(
        queries.workload(services, token), queries.open_incidents(services, token)
    )
    labels = await _labels(request, person)
    severities = sorted(
        labels["catalog"].severity_rank, key=lambda code: labels["catalog"].severity_rank[code]
    )
    escalated = [incident for incident in incidents if incident.get("escalation_rank")]
    return {
        "workload": rows,
        "severities": severities,
        "incidents": incidents,
        "escalated": escalated,
        **labels,
    }


@router.get("/board")
async def board(request: Request, person: Person) -> HTMLResponse:
    if person.role not in DEPARTMENT:
        return _not_for_role(request, person)
    coverage = queries.coverage(_services(request), person.access_token)
    return await _live_page(
        request, person, "board.html", _board_parts(request, person), coverage=(coverage, {"items": []})
    )


@router.get("/board/live")
async def board_live(request: Request, person: Person) -> HTMLResponse:
    if person.role not in DEPARTMENT:
        return _not_for_role(request, person)
    return render(request, "board_live.html", person, **await _board_parts(request, person))


@router.get("/registry/{kind}")
async def registry(
    request: Request, person: Person, kind: str, q: Annotated[str | None, Query(max_length=100)] = None
) -> HTMLResponse:
    if kind not in ("clusters", "communes", "schools"):
        return render(request, "error.html", person, status_code=404, message=kind)
    params: dict[str, object] = {"q": q} if q and kind != "clusters" else {}
    if kind != "clusters" and person.role in CLUSTER and person.cluster_no is not None:
        params["cluster_no"] = person.cluster_no
    found = await queries.registry_list(_services(request), person.access_token, kind, **params)
    return render(request, "registry.html", person, kind=kind, items=found.get("items", []), q=q or "")


# A cluster


async def _cluster_parts(request: Request, person: ConsoleSession) -> dict[str, Any]:
    incidents = await queries.open_incidents(
        _services(request), person.access_token, cluster_no=person.cluster_no
    )
    return {"incidents": incidents, **await _labels(request, person)}


@router.get("/cluster")
async def cluster(request: Request, person: Person) -> HTMLResponse:
    if person.role not in CLUSTER:
        return _not_for_role(request, person)
    services, token = _services(request), person.access_token
    return await _live_page(
        request,
        person,
        "cluster.html",
        _cluster_parts(request, person),
        activities=(queries.activities(services, token, cluster_no=person.cluster_no), []),
        follow_ups=(queries.follow_ups(services, token), []),
    )


@router.get("/cluster/live")
async def cluster_live(request: Request, person: Person) -> HTMLResponse:
    if person.role not in CLUSTER:
        return _not_for_role(request, person)
    return _live_incidents(request, person, "/cluster/live", await _cluster_parts(request, person))


@router.get("/activities/{activity_id}")
async def activity(request: Request, person: Person, activity_id: str) -> HTMLResponse:
    services, token = _services(request), person.access_token
    found = await services.get("activities", f"/activities/{segment('activities', activity_id)}", token=token)
    registrations: list[Any] = []
    results: Any = None
    if person.role not in (Role.COMMUNE_OFFICER.value,):
        registrations = await queries.registrations(services, token, activity_id)
        try:
            results = await services.get(
                "activities", f"/activities/{segment('activities', activity_id)}/results", token=token
            )
        except ServiceRefused as refused:
            if refused.status != 404:
                raise
    return render(
        request, "activity.html", person, activity=found, registrations=registrations, results=results
    )


# An incident


@router.get("/incidents/{incident_id}")
async def incident(request: Request, person: Person, incident_id: str) -> HTMLResponse:
    found, timeline, notes = await queries.incident(_services(request), person.access_token, incident_id)
    return render(
        request,
        "incident.html",
        person,
        incident=found,
        timeline=timeline,
        notes=notes,
        **await _labels(request, person),
    )


@router.post("/incidents/{incident_id}/steps/{step}")
async def take_step(
    request: Request,
    person: CheckedPerson,
    incident_id: str,
    step: str,
    hx_request: Annotated[str | None, Header()] = None,
) -> Response:
    try:
        updated = await actions.take_step(_services(request), person.access_token, incident_id, step)
    except Unprocessable as unknown:  # a step no button offers: said in words, not a JSON body
        words = wording.refusal_words(language(request), 422, unknown.message, unknown.field)
        if hx_request:
            return HTMLResponse(
                f'<p class="error" role="alert">{html.escape(words)}</p>',
                headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
            )
        return render(request, "error.html", person, status_code=422, message=words)
    if hx_request:
        return render(
            request, "incident_row.html", person, incident=updated, **await _labels(request, person)
        )
    return RedirectResponse(f"/incidents/{quote(incident_id, safe='')}", status_code=303)


@router.post("/incidents/{incident_id}/notes")
async def add_note(
    request: Request, person: CheckedPerson, incident_id: str, text: Annotated[str, Form(max_length=4000)]
) -> Response:
    await actions.add_note(_services(request), person.access_token, incident_id, text)
    return RedirectResponse(f"/incidents/{quote(incident_id, safe='')}", status_code=303)


@router.post("/delegations/{activity_id}/recommendations/{recommendation_id}/done")
async def recommendation_done(
    request: Request,
    person: CheckedPerson,
    activity_id: Annotated[str, Path(max_length=64)],
    recommendation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    """A delegation's recommendation followed up: marked done (the activities API decides who may)."""
    await actions.mark_recommendation_done(
        _services(request), person.access_token, activity_id, recommendation_id
    )
    return RedirectResponse("/cluster", status_code=303)


# A school


async def _recent_parts(request: Request, person: ConsoleSession) -> dict[str, Any]:
    """A school's or a commune's live parts: the recent incidents the person's token may see."""
    incidents = await queries.recent_incidents(_services(request), person.access_token)
    return {"incidents": incidents, **await _labels(request, person)}


@router.get("/school")
async def school(request: Request, person: Person) -> HTMLResponse:
    if person.role != Role.SCHOOL_PRINCIPAL.value:
        return _not_for_role(request, person)
    services, token = _services(request), person.access_token
    return await _live_page(
        request,
        person,
        "school.html",
        _recent_parts(request, person),
        inbox=(queries.inbox(services, token), {"items": []}),
        activities=(queries.activities(services, token, status="registration_open"), []),
    )


@router.get("/school/live")
async def school_live(request: Request, person: Person) -> HTMLResponse:
    if person.role != Role.SCHOOL_PRINCIPAL.value:
        return _not_for_role(request, person)
    return _live_incidents(request, person, "/school/live", await _recent_parts(request, person))


@router.post("/school/report")
async def report(
    request: Request,
    person: CheckedPerson,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=200)],
) -> Response:
    """The page's report, sent (again) with the key the page made: JSON in, JSON out."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse(
            {"detail": "the report is not JSON", "field": None, "rule": None}, status_code=422
        )
    if not isinstance(body, dict):
        return JSONResponse({"detail": "the report is not an object", "field": None, "rule": None}, 422)
    body["school_code"] = person.school_code
    try:
        created = await actions.report(_services(request), person.access_token, body, idempotency_key)
    except ServiceRefused as refused:
        return JSONResponse(
            {"detail": refusal_text(request, refused), "field": refused.field, "rule": refused.rule},
            status_code=refused.status if refused.status < 500 else 503,
        )
    return JSONResponse({"reference": created["reference"], "id": created["id"]}, status_code=201)


@router.post("/activities/{activity_id}/register")
async def register(
    request: Request,
    person: CheckedPerson,
    activity_id: str,
    full_name: Annotated[str, Form(min_length=1, max_length=200)],
    participant_kind: Annotated[str, Form(pattern="^(teacher|pupil)$")] = "teacher",
) -> Response:
    registration = {
        "school_code": person.school_code,
        "participant_kind": participant_kind,
        "full_name": full_name,
    }
    await actions.register(_services(request), person.access_token, activity_id, registration)
    return RedirectResponse(f"/activities/{segment('activities', activity_id)}", status_code=303)


# A commune


@router.get("/commune")
async def commune(request: Request, person: Person) -> HTMLResponse:
    if person.role != Role.COMMUNE_OFFICER.value:
        return _not_for_role(request, person)
    services, token, code = _services(request), person.access_token, person.commune_code or ""
    return await _live_page(
        request,
        person,
        "commune.html",
        _recent_parts(request, person),
        notices=(queries.notices(services, token), {"items": []}),
        commune_name=(queries.commune_name(services, token, code), code),
    )


@router.get("/commune/live")
async def commune_live(request: Request, person: Person) -> HTMLResponse:
    if person.role != Role.COMMUNE_OFFICER.value:
        return _not_for_role(request, person)
    return _live_incidents(request, person, "/commune/live", await _recent_parts(request, person))
