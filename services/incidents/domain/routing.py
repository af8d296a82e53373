"""Where an incident goes: the school's cluster and commune, the Department where the commune is in no
cluster, or the Department's duty desk while the replica does not know the school (or commune) yet."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.incidents import RouteKind


@dataclass(frozen=True)
class KnownSchool:
    commune_code: str
    cluster_no: int | None


@dataclass(frozen=True)
class KnownCommune:
    cluster_no: int | None


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    commune_code: str | None
    cluster_no: int | None


def route_for(
    *,
    school_code: str | None,
    commune_code: str | None,
    school: KnownSchool | None,
    commune: KnownCommune | None,
) -> Route:
    """Route by what the replica knows now: a commune moved to another cluster routes new incidents there.

    ``commune`` is the replica's commune of the school when the school is known, else of ``commune_code``.
    The commune's own assignment wins over the one the school's state carried, being the fresher fact.
    """
    if school_code is not None:
        if school is None:
            # Keep the commune the reporter gave so its officer sees the report; it is not routed by it.
            return Route(RouteKind.DEPARTMENT_DUTY_DESK, commune_code, None)
        cluster_no = commune.cluster_no if commune is not None else school.cluster_no
        return _to(school.commune_code, cluster_no)
    if commune_code is None or commune is None:
        return Route(RouteKind.DEPARTMENT_DUTY_DESK, commune_code, None)
    return _to(commune_code, commune.cluster_no)


def _to(commune_code: str, cluster_no: int | None) -> Route:
    kind = RouteKind.CLUSTER if cluster_no is not None else RouteKind.DEPARTMENT
    return Route(kind, commune_code, cluster_no)
