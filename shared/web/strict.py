"""Unknown query parameters are refused, on every route of every service, instead of silently ignored.

A caller who writes ``?boarding=true`` on a route that has no such filter gets back every school and
believes they were filtered; a 422 naming the parameter tells them at once. What a route takes is what
FastAPI declared for it: the query parameters of its dependant and of every sub-dependency, by their
aliases (``?status=``), with a pydantic model of query parameters read field by field. A repeated key
(``?level=a&level=b``) is one key. A parameter another engineer adds (``?format=``) is let through as soon
as it is declared, with no list to keep here.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.errors import Unprocessable

TRACKING_KEYS = frozenset({"fbclid", "gclid", "mc_eid", "mc_cid"})
"""Keys a mail gateway or a newsletter tool appends to links people click (with ``utm_*``): a person who
opens a notice from an email must not get a 422 because their mail system tagged the link. They are no
filter anywhere, so ignoring them hides no mistake of a caller's."""

_DECLARED: dict[int, tuple[APIRoute, frozenset[str]]] = {}
"""Per route (by identity: routes are not hashable, and the route is kept so its id is never reused)."""


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """The query keys a route's dependant reads, its sub-dependencies' included."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        for field in current.query_params:
            names |= _names_of(field.alias, field.field_info.annotation)
        pending.extend(current.dependencies)
    return frozenset(names)


def _names_of(alias: str, annotation: object) -> set[str]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # ``Annotated[Filters, Query()]``: FastAPI reads each field of the model as a query parameter.
        return {field.alias or name for name, field in annotation.model_fields.items()}
    return {alias}


def _declared_for(route: APIRoute) -> frozenset[str]:
    known = _DECLARED.get(id(route))
    if known is None or known[0] is not route:
        known = _DECLARED[id(route)] = (route, declared_query_names(route.dependant))
    return known[1]


def _tracking(key: str) -> bool:
    return key in TRACKING_KEYS or key.startswith("utm_")


async def refuse_unknown_query_parameters(request: Request) -> None:
    """A request dependency of every route: a 422 naming the first query key the route does not read."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    declared = _declared_for(route)
    unknown = [
        key
        for key in dict.fromkeys(request.query_params.keys())
        if key not in declared and not _tracking(key)
    ]
    if not unknown:
        return
    takes = ", ".join(sorted(declared)) if declared else "no query parameters"
    more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
    raise Unprocessable(
        f"unknown query parameter {unknown[0]!r}{more}; this route takes: {takes}",
        field=f"query.{unknown[0]}",
        rule="known_query_parameters",
    )
