"""An audience's rules, without I/O: it must name someone, and a cluster leader may address only their own
cluster's schools and communes (DESIGN §4). Each refusal names the audience item that broke the rule.

The clusters of the schools and communes an audience names are looked up in the replica by the caller
(``audience.queries``) and handed in; a code the replica does not know is refused as unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.errors import Forbidden, Unprocessable
from shared.events.notices import AddresseeKind, CommuneGroupV1, NoticeAudienceV1

SENDER_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER, Role.CLUSTER_LEADER})
"""The Department writes to anyone; a cluster leader to the cluster's own schools and communes."""


@dataclass(frozen=True)
class Addressee:
    """One addressee of a notice as resolved from the replica when it is published."""

    key: str
    kind: AddresseeKind
    name: str
    cluster_no: int | None
    commune_code: str
    school_code: str | None = None
    level: str | None = None
    principal_staff_code: str | None = None


def check_not_empty(audience: NoticeAudienceV1) -> None:
    if audience.is_empty():
        raise Unprocessable(
            "the audience is empty: name principals (all, by cluster, commune or level, or schools), "
            "People's Committees or Offices of Culture and Social Affairs",
            field="audience",
        )
    for n, group in enumerate(audience.principal_groups):
        if group.is_empty():
            raise Unprocessable(
                "a principal group must name clusters, communes or levels (or use all_principals)",
                field=f"audience.principal_groups[{n}]",
            )


def check_known(
    audience: NoticeAudienceV1,
    *,
    school_clusters: Mapping[str, int | None],
    commune_clusters: Mapping[str, int | None],
) -> None:
    """Every school and commune the audience names exists in the registry (as the replica knows it)."""
    for code in audience.school_codes:
        if code not in school_clusters:
            raise Unprocessable(f"school {code} is not in the registry", field="audience.school_codes")
    for field, codes in _named_communes(audience):
        for code in codes:
            if code not in commune_clusters:
                raise Unprocessable(f"commune {code} is not in the registry", field=field)


def check_scope(
    principal: Principal,
    audience: NoticeAudienceV1,
    *,
    school_clusters: Mapping[str, int | None],
    commune_clusters: Mapping[str, int | None],
) -> None:
    """Raise ``Forbidden`` naming the first audience item the principal may not address."""
    if principal.role not in SENDER_ROLES:
        raise Forbidden("only the Department and cluster leaders send notices", field="role")
    if principal.is_department_staff:
        return
    own = principal.cluster_no
    where = f"cluster {own}'s"
    if audience.all_principals:
        raise Forbidden(
            f"a cluster leader may address only {where} schools, not all principals",
            field="audience.all_principals",
        )
    for n, group in enumerate(audience.principal_groups):
        item = f"audience.principal_groups[{n}]"
        for cluster_no in group.cluster_nos:
            if cluster_no != own:
                raise Forbidden(
                    f"a cluster leader may address only {where} schools, not cluster {cluster_no}'s",
                    field=f"{item}.cluster_nos",
                )
        for code in group.commune_codes:
            if commune_clusters.get(code) != own:
                raise Forbidden(
                    f"commune {code} is not in cluster {own}: a cluster leader addresses only its own",
                    field=f"{item}.commune_codes",
                )
        if not group.cluster_nos and not group.commune_codes:
            raise Forbidden(
                f"levels alone reach every cluster: name cluster {own} or its communes",
                field=f"{item}.levels",
            )
    for code in audience.school_codes:
        if school_clusters.get(code) != own:
            raise Forbidden(
                f"school {code} is not in cluster {own}: a cluster leader addresses only its own schools",
                field="audience.school_codes",
            )
    for name, offices in (
        ("people_committees", audience.people_committees),
        ("culture_offices", audience.culture_offices),
    ):
        if offices is not None:
            _check_commune_group(offices, f"audience.{name}", own, commune_clusters)


def _check_commune_group(
    group: CommuneGroupV1, item: str, own: int | None, commune_clusters: Mapping[str, int | None]
) -> None:
    if group.all_communes:
        raise Forbidden(
            f"a cluster leader may address only cluster {own}'s communes, not all",
            field=f"{item}.all_communes",
        )
    for cluster_no in group.cluster_nos:
        if cluster_no != own:
            raise Forbidden(
                f"a cluster leader may address only cluster {own}'s communes, not cluster {cluster_no}'s",
                field=f"{item}.cluster_nos",
            )
    for code in group.commune_codes:
        if commune_clusters.get(code) != own:
            raise Forbidden(
                f"commune {code} is not in cluster {own}: a cluster leader addresses only its own",
                field=f"{item}.commune_codes",
            )


def named_commune_codes(audience: NoticeAudienceV1) -> set[str]:
    return {code for _, codes in _named_communes(audience) for code in codes}


def _named_communes(audience: NoticeAudienceV1) -> list[tuple[str, list[str]]]:
    named = [
        (f"audience.principal_groups[{n}].commune_codes", group.commune_codes)
        for n, group in enumerate(audience.principal_groups)
    ]
    for name, group in (
        ("people_committees", audience.people_committees),
        ("culture_offices", audience.culture_offices),
    ):
        if group is not None:
            named.append((f"audience.{name}.commune_codes", group.commune_codes))
    return named
