"""The route template a request matches (``/clusters/{cluster_no}``), to label metrics with.

Raw paths would make one time series per cluster, school or incident. Reading ``route.path`` off
``app.routes`` is not enough either: since FastAPI 0.137 ``include_router`` leaves one ``_IncludedRouter``
node there (no ``path``) and the matched route keeps its own path without the prefixes it was included
under. ``fastapi.routing.iter_route_contexts`` yields every route with its effective, prefixed path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.routing import RouteContext, iter_route_contexts
from starlette.routing import BaseRoute, Match, Mount

UNMATCHED_ROUTE = "unmatched"
"""The route label of requests no route matches (404s, slash redirects): paths clients invent."""

_SCOPE_KEY = "edu_clusters.route"


def request_route(scope: dict[str, Any]) -> str:
    """The route template of this request, resolved once and kept in the scope for the next middleware.

    Resolved before the app runs: routing rewrites parts of the scope (root_path under a mount).
    """
    route: str | None = scope.get(_SCOPE_KEY)
    if route is None:
        route = route_template(scope, _candidates(scope)) or UNMATCHED_ROUTE
        scope[_SCOPE_KEY] = route
    return route


class _RouteIndex:
    """The app's routes with their effective paths, walked once, and grouped by their first path segment:
    a request is matched against the routes that can match it (``/schools/...`` against the schools
    routes and those whose first segment is a parameter), in the app's order, not against all of them."""

    def __init__(self, contexts: list[RouteContext]) -> None:
        by_segment: dict[str, list[tuple[int, RouteContext]]] = {}
        open_ended: list[tuple[int, RouteContext]] = []
        for position, context in enumerate(contexts):
            segment = _first_segment(context.path_format or "")
            if not segment or "{" in segment:  # a parameter, or a mount at the root, may match anything
                open_ended.append((position, context))
            else:
                by_segment.setdefault(segment, []).append((position, context))
        self.anywhere = [context for _, context in open_ended]
        self.by_segment = {
            segment: [context for _, context in sorted(routes + open_ended, key=lambda item: item[0])]
            for segment, routes in by_segment.items()
        }

    def candidates(self, scope: dict[str, Any]) -> list[RouteContext]:
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return self.by_segment.get(_first_segment(path), self.anywhere)


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""


def _candidates(scope: dict[str, Any]) -> Sequence[BaseRoute | RouteContext]:
    app: Any = scope.get("app")
    routes: Sequence[BaseRoute] = getattr(app, "routes", [])
    cached = getattr(getattr(app, "state", None), "route_index", None)
    if cached is None or cached[0] != len(routes):  # a route added after the first request
        cached = (len(routes), _RouteIndex(list(iter_route_contexts(routes))))
        if hasattr(app, "state"):
            app.state.route_index = cached
    index: _RouteIndex = cached[1]
    return index.candidates(scope)


def route_template(scope: dict[str, Any], routes: Sequence[BaseRoute | RouteContext]) -> str | None:
    """The template of the route Starlette would pick for ``scope``, or ``None`` when none matches.

    As in Starlette's router, a full match wins and a partial one (the right path with the wrong method,
    answered 405) is the fallback.
    """
    fallback: str | None = None
    for route in iter_route_contexts(routes):
        match, child_scope = route.matches(scope)
        if match is Match.NONE:
            continue
        template = _template(route, {**scope, **child_scope})
        if match is Match.FULL:
            return template
        if fallback is None:
            fallback = template
    return fallback


def _template(route: RouteContext, scope: dict[str, Any]) -> str | None:
    if isinstance(route.original_route, Mount) and route.routes:
        inner = route_template(scope, route.routes)
        return None if inner is None else f"{route.path}{inner}"
    # A mounted app with no routes of its own (static files, say) is labelled by its prefix: /static/{path}.
    return route.path_format
