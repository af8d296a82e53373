"""Every route of every service, every role, data in and out of the role's scope: from the route table.

The four services run together on one broker, so the registry's schools and staff reach the others'
replicas as in production. A world of two clusters is seeded through the APIs: in cluster 1, school A
(commune C1A) and school B (commune C1B); in cluster 2, schools Z and Y. Each school has a principal
and a teacher; each cluster a leader; incidents at A, B and Z; an activity per cluster with pupils
registered by A, B and Z; a delegation, a support pairing and a proposal per cluster.

Then each role sends each route (``app.routes``, read at run time: a new route is in the matrix at once)
twice: once aimed at data in its scope, once at data outside it (for a cluster's people and an
integration client with grant ``cluster:1``: cluster 2's; for A's principal and C1A's commune officer:
school B's, and cluster 2's for what is scoped by cluster). It fails on

- a 2xx for a request aimed outside the role's scope (the target in the path, or the entity a write
  names in its body): a cross-scope read or write;
- any answer that contains an identifier of data outside the role's scope (a school's code, a person's
  staff code, an incident, a registration or a pupil's name): a cross-scope read inside a list;
- any 5xx.

Writes go out in this order: every read first, then writes aimed outside (nothing should change), then
writes aimed inside (they may change the world, so they come last and are checked only for leaks).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlmodel import col, select

from services.activities.app import create_app as create_activities
from services.activities.replica.models import SchoolReplica as ActivitiesSchool
from services.activities.settings import ActivitiesSettings
from services.incidents.app import create_app as create_incidents
from services.incidents.replica.models import ReplicaSchool as IncidentsSchool
from services.incidents.settings import IncidentsSettings
from services.notices.app import create_app as create_notices
from services.notices.replica.models import SchoolReplica as NoticesSchool
from services.notices.settings import NoticesSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.deliveries.models import Delivery
from services.notifications.inbox.models import InboxItem
from services.notifications.replica.models import StaffReplica as NotificationsStaff
from services.notifications.settings import NotificationsSettings
from services.registry.app import create_app as create_registry
from services.registry.settings import RegistrySettings
from shared.auth import Principal, Role
from shared.settings import Environment
from tests.support.apps import running, runtime_of
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.kafka]  # async tests run on the session loop (asyncio_mode = auto)

NOW = datetime.now(UTC)
TODAY = NOW.date()
C1A, C1B, C2 = "16813", "16816", "17230"  # Mường Xén, Mỹ Lý (cluster 1); Bình Chuẩn (cluster 2)
MEMORY = "sqlite+aiosqlite:///:memory:"
SKIPPED_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/asyncapi"}


@dataclass
class Place:
    """One school and what hangs off it; the identifiers a role outside its scope must never read."""

    key: str
    school: str
    commune: str
    cluster: int
    principal: str
    teacher: str
    pupil: str
    school_name: str = ""
    incident: str = ""
    incident_title: str = ""
    incident_reference: str = ""
    registration: str = ""
    activity: str = ""
    notice: str = ""
    notice_number: str = ""
    notice_subject: str = ""
    attachment: str = ""
    attachment_name: str = ""

    @property
    def secrets(self) -> set[str]:
        found = {self.school, self.school_name, self.principal, self.teacher, self.pupil, self.incident}
        found |= {self.incident_title, self.incident_reference, self.notice, self.notice_subject}
        found |= {self.notice_number}
        found |= {self.attachment, self.attachment_name}
        return {text for text in found | {self.registration} if text}


@dataclass
class ClusterData:
    """What is scoped by cluster rather than by school."""

    cluster: int
    leader: str
    activity: str = ""
    activity_title: str = ""
    delegation: str = ""
    recommendation: str = ""
    pairing: str = ""
    proposal: str = ""
    region: str = ""
    membership: str = ""

    @property
    def secrets(self) -> set[str]:
        return {
            text
            for text in (self.activity, self.activity_title, self.delegation, self.pairing, self.proposal)
            if text
        }


@dataclass
class Person:
    """A recipient's own notifications: their inbox item and a delivery."""

    key: str
    inbox_item: str = "999999"
    delivery: str = "no-such-delivery"
    event: str = "no-such-event"


@dataclass
class Side:
    """The targets of one role's requests, in its scope or out of it."""

    place: Place
    cluster: ClusterData
    person: Person
    other_school: str
    """A second school of the same cluster, for pairings."""

    def value(self, kind: str) -> Any:
        return {
            "school": self.place.school,
            "school2": self.other_school,
            "commune": self.place.commune,
            "cluster": self.cluster.cluster,
            "staff": self.place.principal,
            "teacher": self.place.teacher,
            "incident": self.place.incident,
            "registration": self.place.registration,
            "registration_activity": self.place.activity,
            "notice": self.place.notice,
            "attachment": self.place.attachment,
            "activity": self.cluster.activity,
            "delegation": self.cluster.delegation,
            "recommendation": self.cluster.recommendation,
            "pairing": self.cluster.pairing,
            "proposal": self.cluster.proposal,
            "region": self.cluster.region,
            "membership": self.cluster.membership,
            "person": self.person.key,
            "inbox_item": self.person.inbox_item,
            "delivery": self.person.delivery,
            "event": self.person.event,
        }[kind]


@dataclass
class Caller:
    name: str
    principal: Principal
    inside: Side
    outside: Side
    secrets: set[str] = field(default_factory=set)
    """Identifiers outside the caller's scope; empty for the Department, which sees everything."""
    partners: set[str] = field(default_factory=set)
    """Schools paired with the caller's for support: a pairing names both, by design."""


# --- the route table: which part of the world each path parameter, query filter and body names --------

SCOPED_READ = frozenset(
    {
        "school",
        "staff",
        "teacher",
        "incident",
        "registration",
        "activity",
        "delegation",
        "recommendation",
        "pairing",
        "proposal",
        "region",
        "person",
        "inbox_item",
        "delivery",
        "event",
        "notice",
        "attachment",
    }
)
"""Kinds whose every read is scoped; clusters, communes and catalogs are reference data everyone reads."""


def path_kind(path: str, name: str) -> str | None:
    """The kind of entity a path parameter names, or None for reference data (same value in and out)."""
    if name == "code":
        if path.startswith("/schools/"):
            return "school"
        if path.startswith("/staff/"):
            return "staff"
        return None  # catalog codes, divisions
    if name == "activity_id":
        if path.startswith("/delegations/"):
            return "delegation"
        return "registration_activity" if "{registration_id}" in path else "activity"
    return {
        "cluster_no": "cluster",
        "membership_id": "membership",
        "gso_code": "commune",
        "region_id": "region",
        "incident_id": "incident",
        "registration_id": "registration",
        "recommendation_id": "recommendation",
        "pairing_id": "pairing",
        "proposal_id": "proposal",
        "recipient_key": "person",
        "item_id": "inbox_item",
        "delivery_id": "delivery",
        "event_id": "event",
        "notice_id": "notice",
        "attachment_id": "attachment",
        "school_code": "school",
    }.get(name)


REFERENCE_PATH_VALUES = {
    ("/catalog/categories/{code}", "code"): "food_poisoning",
    ("/catalog/severities/{code}", "code"): "high",
    ("/catalog/rules/{rule_id}", "rule_id"): "999999",
    ("/divisions/{code}", "code"): "GDPT",
    ("/return-forms/{code}", "code"): "start_of_year",
    ("/rules/{rule_id}", "rule_id"): "1",
    ("/webhooks/subscriptions/{subscription_id}", "subscription_id"): "no-such-subscription",
    ("/templates/{event_type}/{channel}/{language}", "event_type"): "incidents.incident.reported.v1",
    ("/templates/{event_type}/{channel}/{language}", "channel"): "email",
    ("/templates/{event_type}/{channel}/{language}", "language"): "vi",
    # A one-click link is its own credential: a forged one is what a stranger can send (404 for all).
    ("/action-links/{token}", "token"): "1~acknowledge~X~Y~4102444800~Z~email~" + "A" * 86,
}
QUERY_FILTERS = {
    "school_code": "school",
    "commune_code": "commune",
    "staff_code": "staff",
    "recipient_key": "person",
}
"""List filters that name an entity: an out-of-scope request filters on the outside one."""


NEW = "<a new code>"


class Ref:
    """A placeholder in a body template, filled from the side the request aims at."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


def fill(template: Any, side: Side) -> Any:
    if isinstance(template, Ref):
        return side.value(template.kind)
    if isinstance(template, dict):
        return {key: fill(value, side) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, side) for value in template]
    return template


def uses_refs(template: Any) -> bool:
    if isinstance(template, Ref):
        return True
    if isinstance(template, dict):
        return any(uses_refs(value) for value in template.values())
    if isinstance(template, list):
        return any(uses_refs(value) for value in template)
    return False


LATER = NOW + timedelta(days=20)
SOON = (NOW - timedelta(minutes=5)).isoformat()
VISIT = LATER + timedelta(days=30)
PDF = b"%PDF-1.4\n%matrix\n"
# One request body per write route; Ref(kind) is filled from the side the request aims at.
# fmt: off
BODIES: dict[tuple[str, str], Any] = {
    # registry
    ("POST", "/clusters"): {"cluster_no": 50, "name": "Cụm thử", "office_host_unit": "Trung tâm"},
    ("PATCH", "/clusters/{cluster_no}"): {"office_host_unit": "Trung tâm GDTX"},
    ("POST", "/clusters/{cluster_no}/members"): {"staff_code": Ref("teacher"), "role": "member",
                                                  "valid_from": str(TODAY)},
    ("POST", "/clusters/{cluster_no}/members/{membership_id}/end"): {"valid_to": str(TODAY)},
    ("POST", "/communes"): {"gso_code": "99990", "name": "Xã thử", "kind": "Xã", "old_district_code": "417",
                            "assigned_from": str(TODAY), "cluster_no": Ref("cluster")},
    ("PATCH", "/communes/{gso_code}"): {"culture_office_phone": "0238 3844 000"},
    ("POST", "/communes/{gso_code}/move"): {"cluster_no": Ref("cluster"), "effective_from": "2099-01-01"},
    ("POST", "/schools/import"): [{"code": Ref("school"), "name": "Trường nhập", "level": "primary",
                                   "commune_code": Ref("commune")}],
    ("POST", "/staff/import"): [{"code": Ref("teacher"), "full_name": "Giáo viên nhập", "roles": ["teacher"],
                                 "school_code": Ref("school")}],
    ("POST", "/memberships/import"): [{"cluster_no": Ref("cluster"), "staff_code": Ref("teacher"),
                                       "role": "member", "valid_from": str(TODAY)}],
    ("POST", "/communes/contacts/import"): [{"commune_code": Ref("commune"),
                                             "culture_office_email": "vhxh.matran@nghean.gov.vn"}],
    ("POST", "/offices/import"): [{"code": "ubnd-tinh", "name": "Văn phòng UBND tỉnh", "kind": "province",
                                   "email": "vpubnd@nghean.gov.vn"}],
    ("POST", "/schools"): {"code": NEW, "name": "Trường mới", "level": "primary",
                           "commune_code": Ref("commune")},
    ("PATCH", "/schools/{code}"): {"phone": "0238 3844 111"},
    ("POST", "/core-regions"): {"cluster_no": Ref("cluster"), "name": "Vùng lõi mới"},
    ("PATCH", "/core-regions/{region_id}"): {"note": "ghi chú"},
    ("POST", "/staff"): {"code": NEW, "full_name": "Người mới", "roles": ["teacher"],
                         "school_code": Ref("school")},
    ("PATCH", "/staff/{code}"): {"phone": "0912 345 678"},
    # incidents
    ("POST", "/incidents"): {"school_code": Ref("school"), "category": "food_poisoning", "title": "Báo cáo",
                             "description": "Kiểm tra phân quyền", "occurred_at": SOON},
    ("POST", "/incidents/{incident_id}/acknowledge"): {"reason": "ma trận"},
    ("POST", "/incidents/{incident_id}/start"): {"reason": "ma trận"},
    ("POST", "/incidents/{incident_id}/resolve"): {"reason": "ma trận"},
    ("POST", "/incidents/{incident_id}/close"): {"reason": "ma trận"},
    ("POST", "/incidents/{incident_id}/reopen"): {"reason": "ma trận"},
    ("POST", "/incidents/{incident_id}/notes"): {"text": "Ghi chú ma trận"},
    ("POST", "/catalog/categories"): {"code": "matrix_test", "name_vi": "Thử", "name_en": "Test",
                                      "default_severity": "low"},
    ("PATCH", "/catalog/categories/{code}"): {"name_en": "Food poisoning"},
    ("PATCH", "/catalog/severities/{code}"): {"name_en": "High"},
    ("POST", "/catalog/rules"): {"measure": "injured", "at_least": 50, "raises_to": "critical"},
    # activities
    ("POST", "/divisions"): {"code": "MATRIX", "name": "Phòng thử"},
    ("PATCH", "/divisions/{code}"): {"name": "Phòng Giáo dục phổ thông"},
    ("POST", "/activities"): {"title": "Hội thi", "kind": "pupil_contest", "division_code": "GDPT",
                              "cluster_nos": [Ref("cluster")], "levels": ["primary"],
                              "starts_at": LATER.isoformat(),
                              "ends_at": (LATER + timedelta(days=1)).isoformat(),
                              "venue_school_code": Ref("school")},
    ("PATCH", "/activities/{activity_id}"): {"description": "Cập nhật"},
    ("POST", "/activities/{activity_id}/status"): {"status": "registration_closed"},
    ("POST", "/activities/{activity_id}/registrations"): {"school_code": Ref("school"), "grade": 4,
                                                          "participant_kind": "pupil", "full_name": "Em",
                                                          "birth_date": "2015-03-03"},
    ("POST", "/activities/{activity_id}/results"): {"entries": [{"registration_id": Ref("registration"),
                                                                 "score": 9.5}],
                                                    "decision_number": "1/QĐ-SGDĐT",
                                                    "decision_date": str(TODAY)},
    ("POST", "/delegations"): {"title": "Đoàn", "purpose": "Kiểm tra", "division_code": "GDPT",
                               "cluster_nos": [Ref("cluster")], "starts_at": VISIT.isoformat(),
                               "ends_at": (VISIT + timedelta(days=1)).isoformat(),
                               "members": [{"full_name": "Trưởng đoàn", "role": "head"}],
                               "visits": [{"commune_code": Ref("commune"), "school_code": Ref("school"),
                                           "visit_date": str(VISIT.date())}]},
    ("POST", "/delegations/{activity_id}/report"): {"findings": "Tốt"},
    ("POST", "/support/periods"): {"code": "2033-2038", "name": "Giai đoạn 2033-2038",
                                   "starts_on": "2033-09-01", "ends_on": "2038-08-31"},
    ("POST", "/support/pairings"): {"helper": {"kind": "school", "code": Ref("school")},
                                    "helped": {"kind": "school", "code": Ref("school2")},
                                    "period_from": str(TODAY)},
    ("POST", "/support/pairings/{pairing_id}/contributions"): {"kind": "money", "value_vnd": 1_000_000,
                                                               "description": "Hỗ trợ",
                                                               "contributed_on": str(TODAY)},
    ("POST", "/support/awards"): {"school_year": "2025-2026", "recipient_kind": "group",
                                  "recipient_name": "Tập thể", "title": "Bằng khen",
                                  "decision_number": "2/QĐ",
                                  "decision_date": str(TODAY), "unit_code": Ref("school"),
                                  "cluster_no": Ref("cluster")},
    ("POST", "/proposals"): {"cluster_no": Ref("cluster"), "full_name": "Người đề xuất",
                             "proposed_role": "core_principal", "justification": "Giỏi",
                             "school_code": Ref("school"), "staff_code": Ref("teacher")},
    ("POST", "/proposals/{proposal_id}/status"): {"status": "under_review"},
    # notifications
    ("POST", "/rules"): {"name": "Quy tắc", "event_type": "vn.gov.nghean.edu.incidents.incident.reported.v1",
                         "roles": ["cluster_leader"], "channels": ["in_app"],
                         "cluster_nos": [Ref("cluster")]},
    ("PATCH", "/rules/{rule_id}"): {"name": "Quy tắc"},
    ("PUT", "/templates/{event_type}/{channel}/{language}"): {"subject": "Tiêu đề", "body": "Nội dung"},
    ("POST", "/templates/preview"): {"body": "{{ incident.title }}",
                                     "event_type": "incidents.incident.reported.v1"},
    ("PUT", "/me/preferences"): {"language": "vi"},
    ("PUT", "/preferences/{recipient_key}"): {"language": "vi"},
    ("POST", "/webhooks/subscriptions"): {"url": "http://127.0.0.1:9/hook"},
    # notices
    ("POST", "/return-forms"): {"code": "matrix_form", "name": "Biểu mẫu", "definition": {"sections": []}},
    ("POST", "/notices"): {"number": "99/SGDĐT", "notice_date": str(TODAY), "issuing_unit": "Sở GD&ĐT",
                           "subject": "Công văn", "body": "Nội dung",
                           "audience": {"school_codes": [Ref("school")]}},
    ("PATCH", "/notices/{notice_id}"): {"subject": "Công văn sửa"},
    ("POST", "/notices/{notice_id}/attachments"): {"file": ("matrix.pdf", PDF, "application/pdf")},
    ("POST", "/notices/{notice_id}/acknowledge"): {},
    ("POST", "/notices/{notice_id}/return"): {"values": {"pupils_grade_1": 10}},
}
# fmt: on
NO_BODY = {
    ("DELETE", "/schools/{code}"),
    ("DELETE", "/staff/{code}"),
    ("POST", "/admin/republish"),
    ("POST", "/admin/sample-data"),
    ("DELETE", "/catalog/rules/{rule_id}"),
    ("POST", "/activities/{activity_id}/registrations/{registration_id}/withdraw"),
    ("POST", "/delegations/{activity_id}/recommendations/{recommendation_id}/done"),
    ("POST", "/me/inbox/{item_id}/read"),
    ("POST", "/me/inbox/read-all"),
    ("DELETE", "/webhooks/subscriptions/{subscription_id}"),
    ("POST", "/notices/{notice_id}/publish"),
    ("POST", "/links/acknowledge"),
    ("POST", "/action-links/{token}"),
}  # fmt: skip
"""The writes that take no body; every other write has one in BODIES (a test holds them to it)."""
MULTIPART = {"/notices/{notice_id}/attachments"}
IMPORTS = {
    "/schools/import",
    "/staff/import",
    "/memberships/import",
    "/communes/contacts/import",
    "/offices/import",
}
RAW_BODIES = IMPORTS
DRY_RUN = IMPORTS
"""Imports are sent as dry runs: the answer is what is checked, and nothing needs to change."""
WEEK = "{}-W{:02d}".format(*LATER.isocalendar()[:2])  # the week the seeded contests take place
QUERIES: dict[str, dict[str, Any]] = {
    "/admin/sample-data": {"schools": "1"},
    "/calendar": {"cluster_no": Ref("cluster"), "week": WEEK},
    "/reports/statistics": {"group_by": "commune"},
    # Signed links carry their capability in the query; a forged one is what a stranger can send.
    "/files/{attachment_id}": {"notice": Ref("notice"), "exp": 4_102_444_800, "sig": "0" * 64},
    "/links/open": {"notice": Ref("notice"), "to": "school:x", "exp": 4_102_444_800, "sig": "0" * 64},
    "/links/acknowledge": {"notice": Ref("notice"), "to": "school:x", "exp": 4_102_444_800, "sig": "0" * 64},
}
"""Query parameters a route requires (or must be kept small)."""


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    query_params: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def routes_of(service: str, app: FastAPI) -> list[Route]:
    document = app.openapi()
    found = []
    for context in iter_route_contexts(app.routes):
        path = context.path_format
        if path is None or path in SKIPPED_PATHS or path == "/metrics":
            continue
        for method in sorted(context.methods or ()):
            if method == "HEAD":
                continue
            operation = document["paths"].get(path, {}).get(method.lower(), {})
            query = tuple(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")
            found.append(Route(service, method, path, query))
    return found


@dataclass
class Request:
    route: Route
    caller: Caller
    aim: str
    """inside or outside the caller's scope"""
    method: str
    url: str
    body: Any
    params: dict[str, str]
    targets_scope: bool
    """The path or body names a scoped entity of the side aimed at: a 2xx outside is a violation."""


def build(route: Route, caller: Caller, aim: str) -> Request:
    side = caller.inside if aim == "inside" else caller.outside
    targets = False
    url = route.path
    for name in re.findall(r"\{(\w+)\}", route.path):
        kind = path_kind(route.path, name)
        if kind is None or (route.path, name) in REFERENCE_PATH_VALUES:
            value = REFERENCE_PATH_VALUES.get((route.path, name), "GDPT")
        else:
            value = side.value(kind)
            assert value, f"the world has no {kind} for {route.label}"
            targets = targets or kind in SCOPED_READ or route.method != "GET"
        url = url.replace("{" + name + "}", str(value))
    params = {name: str(value) for name, value in fill(QUERIES.get(route.path, {}), side).items()}
    if route.path in DRY_RUN:
        params["dry_run"] = "true"
    if aim == "outside" and route.method == "GET":
        params.update(
            {
                name: str(side.value(kind))
                for name, kind in QUERY_FILTERS.items()
                if name in route.query_params
            }
        )
    template = BODIES.get((route.method, route.path))
    body = None
    if template is not None:
        body = fill(template, side)
        if isinstance(body, dict) and body.get("code") == NEW:
            body["code"] = f"NEW-{uuid.uuid4().hex[:8]}"
        targets = targets or uses_refs(template)
    return Request(route, caller, aim, route.method, url, body, params, targets)


# --- the world -----------------------------------------------------------------------------------------


@dataclass
class Services:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]

    async def call(
        self, service: str, method: str, url: str, principal: Principal, **kwargs: Any
    ) -> httpx.Response:
        token = runtime_of(self.apps[service]).token_codec.mint(principal, timedelta(hours=1))
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return await self.clients[service].request(method, url, headers=headers, **kwargs)


ADMIN = Principal(subject="DAMAT", role=Role.DEPARTMENT_ADMIN)
OFFICER = Principal(subject="DOMAT", role=Role.DEPARTMENT_OFFICER)


@pytest.fixture
async def services(common: dict[str, Any]) -> AsyncIterator[Services]:
    apps = {
        "registry": create_registry(RegistrySettings(**common)),
        "incidents": create_incidents(IncidentsSettings(**common)),
        "activities": create_activities(ActivitiesSettings(**common)),
        # The mail catcher catches every email, another cluster's included: /dev/mail is in the matrix too.
        "notifications": create_notifications(NotificationsSettings(**common, mail_catcher=True)),
        "notices": create_notices(NoticesSettings(**common)),
    }
    async with AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(running(app)) for name, app in apps.items()}
        yield Services(apps, clients)


def leader_of(cluster: ClusterData) -> Principal:
    return Principal(subject=cluster.leader, role=Role.CLUSTER_LEADER, cluster_no=cluster.cluster)


async def seed(services: Services) -> tuple[dict[str, Place], dict[int, ClusterData]]:
    """The world of the module's docstring, entered as the Department would (proposals by leaders)."""

    async def post(service: str, path: str, body: Any, caller: Principal = ADMIN, **more: Any) -> Any:
        response = await services.call(service, "POST", path, caller, json=body, **more)
        assert response.status_code in (200, 201), f"POST {path}: {response.text}"
        return response.json()

    places = {
        "A": Place("A", "MXA0001", C1A, 1, "PA-MAT", "TA-MAT", "Học sinh Ánh Ma Trận"),
        "B": Place("B", "MXB0002", C1B, 1, "PB-MAT", "TB-MAT", "Học sinh Bảo Ma Trận"),
        "Z": Place("Z", "MXZ0003", C2, 2, "PZ-MAT", "TZ-MAT", "Học sinh Dũng Ma Trận"),
        "Y": Place("Y", "MXY0004", C2, 2, "PY-MAT", "TY-MAT", "Học sinh Yến Ma Trận"),
    }
    clusters = {1: ClusterData(1, "L1-MAT"), 2: ClusterData(2, "L2-MAT")}
    people: list[tuple[str, str, dict[str, str]]] = [
        ("OA-MAT", "commune_officer", {"commune_code": C1A}),
        ("M1-MAT", "teacher", {"school_code": places["A"].school}),
        *((cluster.leader, "core_principal", {"unit_name": "Cụm"}) for cluster in clusters.values()),
    ]
    for place in places.values():
        place.school_name = f"Trường Tiểu học {place.key} Ma Trận"
        school = {"code": place.school, "name": place.school_name, "level": "primary"}
        await post("registry", "/schools", {**school, "commune_code": place.commune})
        people += [
            (place.principal, "principal", {"school_code": place.school}),
            (place.teacher, "teacher", {"school_code": place.school, "teaching_subject": "Toán"}),
        ]
    for code, role, unit in people:
        person = {"code": code, "full_name": f"Cán bộ {code}", "roles": [role], "email": f"{code}@x.edu.vn"}
        await post("registry", "/staff", {**person, **unit})
    since = str(TODAY - timedelta(days=30))
    for cluster in clusters.values():
        member = {"staff_code": cluster.leader, "role": "leader", "valid_from": since}
        cluster.membership = str(
            (await post("registry", f"/clusters/{cluster.cluster}/members", member))["id"]
        )
        region = {"cluster_no": cluster.cluster, "name": f"Vùng {cluster.cluster}"}
        cluster.region = str((await post("registry", "/core-regions", region))["id"])
    await post(
        "registry", "/clusters/1/members", {"staff_code": "M1-MAT", "role": "member", "valid_from": since}
    )
    await wait_for(
        lambda: replicated(
            services, [place.school for place in places.values()], [code for code, *_ in people]
        ),
        until=lambda counts: counts == [4, 4, 4, len(people)],
        within=60,
        message="the schools and staff in every replica",
    )

    for place in [places["A"], places["B"], places["Z"]]:
        place.incident_title = f"Sự cố ma trận {place.key} {uuid.uuid4().hex[:6]}"
        report = {"school_code": place.school, "category": "food_poisoning", "title": place.incident_title,
                  "description": "Nhiều học sinh đau bụng", "occurred_at": SOON}  # fmt: skip
        key = {"Idempotency-Key": uuid.uuid4().hex}
        made = await post("incidents", "/incidents", report, OFFICER, headers=key)
        place.incident, place.incident_reference = made["id"], made["reference"]
    for cluster, (first, second) in zip(clusters.values(), [("A", "B"), ("Z", "Y")], strict=True):
        cluster.activity_title = f"Hội thi cụm {cluster.cluster} {uuid.uuid4().hex[:6]}"
        contest = {
            "title": cluster.activity_title, "kind": "pupil_contest", "division_code": "GDPT",
            "cluster_nos": [cluster.cluster], "levels": ["primary"], "capacity": 50,
            "starts_at": LATER.isoformat(), "ends_at": (LATER + timedelta(days=1)).isoformat(),
            "registration_opens_at": (NOW - timedelta(hours=1)).isoformat(),
            "registration_closes_at": (NOW + timedelta(days=5)).isoformat(),
            "eligibility": {"participant_kind": "pupil"},
        }  # fmt: skip
        cluster.activity = (await post("activities", "/activities", contest))["id"]
        await post("activities", f"/activities/{cluster.activity}/status", {"status": "registration_open"})
        starts = VISIT + timedelta(days=30 + cluster.cluster * 3)
        school = places[first]
        delegation = {
            "title": f"Đoàn cụm {cluster.cluster}", "purpose": "Kiểm tra", "division_code": "GDPT",
            "cluster_nos": [cluster.cluster], "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(days=1)).isoformat(),
            "members": [{"full_name": f"Trưởng đoàn {cluster.cluster}", "role": "head"}],
            "visits": [{"commune_code": school.commune, "school_code": school.school,
                        "visit_date": str(starts.date())}],
        }  # fmt: skip
        cluster.delegation = (await post("activities", "/delegations", delegation))["activity_id"]
        await post("activities", f"/activities/{cluster.delegation}/status", {"status": "in_progress"})
        advice = {"text": f"Khuyến nghị cụm {cluster.cluster}", "addressee_school_code": school.school}
        report = {"findings": "Tốt", "recommendations": [advice]}
        filed = await post("activities", f"/delegations/{cluster.delegation}/report", report)
        cluster.recommendation = str(filed["recommendations"][0]["id"])
        pairing = {"helper": {"kind": "school", "code": school.school}, "period_from": str(TODAY),
                   "helped": {"kind": "school", "code": places[second].school}}  # fmt: skip
        cluster.pairing = (await post("activities", "/support/pairings", pairing))["id"]
        proposal = {"cluster_no": cluster.cluster, "full_name": f"Cán bộ {school.teacher}",
                    "proposed_role": "core_teacher", "justification": "Dạy giỏi",
                    "school_code": school.school, "staff_code": school.teacher}  # fmt: skip
        cluster.proposal = (await post("activities", "/proposals", proposal, leader_of(cluster)))["id"]
    for place in [places["A"], places["B"], places["Z"]]:
        place.notice_subject = f"Công văn ma trận {place.key} {uuid.uuid4().hex[:6]}"
        place.notice_number = f"{uuid.uuid4().hex[:6]}/SGDĐT-{place.key}"
        draft = {"number": place.notice_number, "notice_date": str(TODAY), "issuing_unit": "Sở GD&ĐT",
                 "subject": place.notice_subject, "body": "Kính gửi Hiệu trưởng",
                 "audience": {"school_codes": [place.school]}}  # fmt: skip
        place.notice = (await post("notices", "/notices", draft))["id"]
        place.attachment_name = f"congvan-{place.key.lower()}-{uuid.uuid4().hex[:6]}.pdf"
        upload = {"file": (place.attachment_name, PDF, "application/pdf")}
        response = await services.call(
            "notices", "POST", f"/notices/{place.notice}/attachments", ADMIN, files=upload
        )
        assert response.status_code == 201, response.text
        place.attachment = response.json()["id"]
        await post("notices", f"/notices/{place.notice}/publish", None)
    for place in places.values():
        place.activity = clusters[place.cluster].activity
        pupil = {"school_code": place.school, "participant_kind": "pupil", "full_name": place.pupil,
                 "birth_date": "2015-09-02", "grade": 4}  # fmt: skip
        place.registration = (await post("activities", f"/activities/{place.activity}/registrations", pupil))[
            "id"
        ]
    return places, clusters


async def replicated(services: Services, schools: list[str], staff: list[str]) -> list[int]:
    """How many of the world's schools incidents, activities and notices hold, and of its people
    notifications."""
    counts = []
    for service, table, codes in [
        ("incidents", IncidentsSchool, schools),
        ("activities", ActivitiesSchool, schools),
        ("notices", NoticesSchool, schools),
        ("notifications", NotificationsStaff, staff),
    ]:
        async with runtime_of(services.apps[service]).sessions() as session:
            rows = await session.exec(select(table.code).where(col(table.code).in_(codes)))  # type: ignore[attr-defined]
            counts.append(len(rows.all()))
    return counts


async def people_of(services: Services, keys: list[str]) -> dict[str, Person]:
    """Each person's inbox item and delivery, once notifications has fanned the incidents out."""
    app = services.apps["notifications"]

    async def rows() -> dict[str, Person]:
        found = {key: Person(key) for key in keys}
        async with runtime_of(app).sessions() as session:
            for item in (
                await session.exec(select(InboxItem).where(col(InboxItem.recipient_key).in_(keys)))
            ).all():
                found[item.recipient_key].inbox_item = str(item.id)
            for delivery in (
                await session.exec(select(Delivery).where(col(Delivery.recipient_key).in_(keys)))
            ).all():
                found[delivery.recipient_key].delivery = delivery.id
                found[delivery.recipient_key].event = delivery.source_event_id
        return found

    return await wait_for(
        rows,
        until=lambda found: all(
            found[key].inbox_item != "999999" for key in ("staff:L1-MAT", "staff:L2-MAT")
        ),
        within=60,
        message="inbox items for both cluster leaders",
    )


def callers(
    places: dict[str, Place], clusters: dict[int, ClusterData], people: dict[str, Person]
) -> list[Caller]:
    """The roles of the brief, each aimed inside its scope (school A, cluster 1, their own notifications)
    and outside it (cluster 2; for A's principal and C1A's officer, school B in the same cluster)."""
    a, b, z, y = places["A"], places["B"], places["Z"], places["Y"]
    one, two = clusters[1], clusters[2]
    stranger = people["staff:L2-MAT"]  # another cluster's leader: their inbox and deliveries
    cluster_two = Side(z, two, stranger, y.school)
    school_b = Side(b, two, stranger, y.school)  # B's school-level data, cluster 2's cluster-level data
    by_cluster = {*z.secrets, *y.secrets, *two.secrets}
    by_school = {*b.secrets, *by_cluster}

    def inside(key: str) -> Side:
        return Side(a, one, people.get(key, Person(key)), b.school)

    def caller(name: str, principal: Principal, outside: Side, secrets: set[str], **more: Any) -> Caller:
        return Caller(name, principal, inside(f"staff:{principal.subject}"), outside, secrets, **more)

    return [
        caller("department admin", ADMIN, cluster_two, set()),
        caller("department officer", OFFICER, cluster_two, set()),
        caller("cluster 1 leader", Principal(subject="L1-MAT", role=Role.CLUSTER_LEADER, cluster_no=1),
               cluster_two, by_cluster),
        caller("cluster 1 member", Principal(subject="M1-MAT", role=Role.CLUSTER_MEMBER, cluster_no=1),
               cluster_two, by_cluster),
        caller("principal of A", Principal(subject="PA-MAT", role=Role.SCHOOL_PRINCIPAL, school_id=a.school),
               school_b, by_school, partners={b.school, b.school_name}),
        caller("commune officer of C1A",
               Principal(subject="OA-MAT", role=Role.COMMUNE_OFFICER, commune_code=C1A),
               school_b, by_school, partners={b.school, b.school_name}),
        caller("integration client cluster:1",
               Principal(subject="client-1", role=Role.INTEGRATION_CLIENT, grants=frozenset({"cluster:1"})),
               cluster_two, by_cluster),
    ]  # fmt: skip


# --- the matrix ----------------------------------------------------------------------------------------


async def test_no_role_reads_or_writes_outside_its_scope(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    places, clusters = await seed(services)
    keys = [f"staff:{code}" for code in ("L1-MAT", "L2-MAT", "M1-MAT", "PA-MAT", "OA-MAT", "DAMAT", "DOMAT")]
    people = await people_of(services, keys)
    catcher = services.apps["notifications"].state.mail_catcher
    await wait_for(
        lambda: _caught(catcher),
        until=lambda mail: places["Z"].incident_reference in mail,
        within=60,
        message="an email about cluster 2's incident in the mail catcher",
    )
    everyone = callers(places, clusters, people)
    routes = [route for name, app in services.apps.items() for route in routes_of(name, app)]
    requests = [
        build(route, caller, aim) for route in routes for caller in everyone for aim in ("inside", "outside")
    ]
    reads = [r for r in requests if r.method == "GET"]
    writes_out = [r for r in requests if r.method != "GET" and r.aim == "outside"]
    writes_in = [r for r in requests if r.method != "GET" and r.aim == "inside"]
    violations: list[str] = []
    outcomes: Counter[str] = Counter()
    for request in [*reads, *writes_out, *writes_in]:
        response = await send(services, request)
        outcomes[f"{request.aim} {response.status_code}"] += 1
        violations.extend(check(request, response))
    with capsys.disabled():
        size = f"{len(routes)} routes x {len(everyone)} roles x 2 aims = {len(requests)} requests"
        print(f"\nauthorization matrix: {size}; answers {sorted(outcomes.items())}")
    assert not violations, f"{len(violations)} violations:\n" + "\n".join(violations)


async def _caught(catcher: Any) -> str:
    return " ".join(f"{mail.subject} {mail.body}" for mail in catcher.messages())


async def send(services: Services, request: Request) -> httpx.Response:
    kwargs: dict[str, Any] = {"params": request.params}
    if request.route.path in MULTIPART:
        kwargs["files"] = request.body
    elif request.route.path in RAW_BODIES:
        kwargs["content"] = json.dumps(request.body).encode()
        kwargs["headers"] = {"Content-Type": "application/json"}
    elif request.body is not None:
        kwargs["json"] = request.body
    if request.route.path == "/incidents" and request.method == "POST":
        kwargs["headers"] = {"Idempotency-Key": uuid.uuid4().hex}
    return await services.call(
        request.route.service, request.method, request.url, request.caller.principal, **kwargs
    )


def check(request: Request, response: httpx.Response) -> list[str]:
    where = f"{request.caller.name}: {request.method} {request.url} {request.params or ''} ({request.aim})"
    found = []
    if response.status_code >= 500:
        found.append(f"{where} → {response.status_code} {response.text[:200]}")
    if not request.caller.secrets:
        return found
    if request.aim == "outside" and request.targets_scope and 200 <= response.status_code < 300:
        found.append(f"{where} → {response.status_code}: a target outside the scope was served")
    asked = f"{request.url} {request.params} {json.dumps(request.body, ensure_ascii=False, default=str)}"
    if request.route.path.startswith("/support/pairings"):
        asked += " " + " ".join(request.caller.partners)  # a pairing names both its schools
    # An identifier the request named may come back ("school X does not exist"): that tells nothing new.
    leaked = sorted(s for s in request.caller.secrets if s in response.text and s not in asked)
    if leaked:
        found.append(f"{where} → {response.status_code} names what is outside the scope: {leaked}")
    return found


@pytest.fixture
async def registry(common: dict[str, Any]) -> AsyncIterator[Services]:
    app = create_registry(RegistrySettings(**common))
    async with running(app) as client:
        yield Services({"registry": app}, {"registry": client})


async def test_imports_answer_an_out_of_scope_code_as_an_unknown_one(registry: Services) -> None:
    """A cluster 1 leader learns nothing of cluster 2 from an import: a school or person of cluster 2
    that a row names is "does not exist", word for word as a code that exists nowhere; a row whose own
    code is taken in cluster 2 is told so as POST /schools and POST /staff tell it, not where it is."""
    call = registry.call
    school = {"code": "MXZ0003", "name": "Trường Z", "level": "primary", "commune_code": C2}
    assert (await call("registry", "POST", "/schools", ADMIN, json=school)).status_code == 201
    person = {
        "code": "PZ-MAT",
        "full_name": "Hiệu trưởng Z",
        "roles": ["principal"],
        "school_code": "MXZ0003",
    }
    assert (await call("registry", "POST", "/staff", ADMIN, json=person)).status_code == 201
    region = await call("registry", "POST", "/core-regions", ADMIN, json={"cluster_no": 2, "name": "Vùng 2"})
    leader = Principal(subject="L1-MAT", role=Role.CLUSTER_LEADER, cluster_no=1)

    async def report(path: str, row: dict[str, Any]) -> list[tuple[str | None, str]]:
        response = await call("registry", "POST", f"{path}?dry_run=true", leader, json=[row])
        assert response.status_code == 422, response.text
        return [(error["field"], error["message"]) for error in response.json()["errors"]]

    new_school = {"code": "MXN0001", "name": "Trường mới", "level": "primary", "commune_code": C1A}
    new_person = {"code": "NEW-1", "full_name": "Giáo viên", "roles": ["teacher"]}
    for path, row, field_name, outside, unknown in [
        ("/staff/import", new_person, "school_code", "MXZ0003", "MXQ9999"),
        ("/schools/import", {**new_school, "status": "merged"}, "merged_into", "MXZ0003", "MXQ9999"),
        ("/schools/import", new_school, "principal_staff_code", "PZ-MAT", "PQ-9999"),
        ("/schools/import", new_school, "core_region_id", int(region.json()["id"]), 999_999),
    ]:
        seen = await report(path, {**row, field_name: outside})
        unseen = await report(path, {**row, field_name: unknown})
        assert seen == [(f, m.replace(str(unknown), str(outside))) for f, m in unseen], (field_name, seen)
        assert "does not exist" in seen[0][1]
    single = await call(
        "registry", "POST", "/schools", leader, json={**new_school, "principal_staff_code": "PZ-MAT"}
    )
    assert (single.status_code, single.json()["detail"]) == (422, "staff PZ-MAT does not exist")

    taken_school = await report("/schools/import", {**new_school, "code": "MXZ0003"})
    created = await call("registry", "POST", "/schools", leader, json={**new_school, "code": "MXZ0003"})
    assert taken_school == [("code", created.json()["detail"])]  # "... already exists", nothing of where
    taken_person = await report("/staff/import", {**new_person, "code": "PZ-MAT", "commune_code": C1A})
    assert taken_person == [("code", "staff PZ-MAT already exists")]


def test_every_write_route_has_a_body_in_the_matrix() -> None:
    """A new write route must say what it is sent here, else the matrix would only ever see it refuse."""
    apps = {
        "registry": create_registry(RegistrySettings(environment=Environment.TEST, database_url=MEMORY)),
        "incidents": create_incidents(IncidentsSettings(environment=Environment.TEST, database_url=MEMORY)),
        "activities": create_activities(
            ActivitiesSettings(environment=Environment.TEST, database_url=MEMORY)
        ),
        "notifications": create_notifications(
            NotificationsSettings(environment=Environment.TEST, database_url=MEMORY)
        ),
        "notices": create_notices(NoticesSettings(environment=Environment.TEST, database_url=MEMORY)),
    }
    writes = {
        (r.method, r.path) for name, app in apps.items() for r in routes_of(name, app) if r.method != "GET"
    }
    assert writes - set(BODIES) - NO_BODY == set()
    assert (set(BODIES) | NO_BODY) - writes == set()  # nor a body for a route that is gone
