"""Mint a token from the command line, for local runs, demos and integration clients.

    python -m shared.auth.mint --role cluster_leader --cluster 3 --sub leader3@example

The secret, algorithm, issuer and audience come from the same environment variables the services read
(JWT_SECRET, ...), so the token is accepted by services started from that environment.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import timedelta

from pydantic import ValidationError

from shared.auth.principal import Principal
from shared.auth.roles import Role
from shared.auth.tokens import TokenCodec
from shared.settings import ServiceSettings


class _CliSettings(ServiceSettings):
    service_name: str = "cli"


def mint_dev_token(
    settings: ServiceSettings,
    *,
    role: Role,
    subject: str,
    name: str | None = None,
    cluster_no: int | None = None,
    school_id: str | None = None,
    commune_code: str | None = None,
    grants: Iterable[str] = (),
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A token signed with the settings' secret; raises pydantic's ValidationError for a half-scoped role."""
    principal = Principal(
        subject=subject,
        role=role,
        name=name,
        cluster_no=cluster_no,
        school_id=school_id,
        commune_code=commune_code,
        grants=frozenset(grants),
    )
    return TokenCodec.from_settings(settings).mint(principal, ttl)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.auth.mint", description="Print a signed bearer token."
    )
    parser.add_argument("--role", required=True, type=Role, choices=list(Role))
    parser.add_argument("--sub", required=True, help="who the token is for, e.g. an e-mail address")
    parser.add_argument("--name", help="display name")
    parser.add_argument("--cluster", type=int, help="cluster number (cluster leaders and members)")
    parser.add_argument("--school", help="school id (principals)")
    parser.add_argument("--commune", help="commune GSO code (commune officers)")
    parser.add_argument(
        "--grant",
        action="append",
        default=[],
        help="integration client grant, repeatable: cluster:3, registry:read",
    )
    parser.add_argument("--ttl-hours", type=float, default=12.0)
    args = parser.parse_args(argv)
    if args.ttl_hours <= 0:
        parser.error("--ttl-hours must be positive")
    try:
        token = mint_dev_token(
            _CliSettings(),
            role=args.role,
            subject=args.sub,
            name=args.name,
            cluster_no=args.cluster,
            school_id=args.school,
            commune_code=args.commune,
            grants=args.grant,
            ttl=timedelta(hours=args.ttl_hours),
        )
    except ValidationError as exc:
        parser.error("; ".join(str(detail["msg"]) for detail in exc.errors()))
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
