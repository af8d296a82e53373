"""``edu-clusters``: the operator's command line (typer).

    edu-clusters seed [--sample-schools 1500]
    edu-clusters login cumtruong.1 --issuer http://127.0.0.1:8080/realms/edu-clusters [--device]
    edu-clusters token --role cluster_leader --cluster 3 --sub leader3@example   (development only)
    edu-clusters tail incidents.events --since 2h [--follow] [--json]
    edu-clusters dead-letters list notifications [--since 1d]
    edu-clusters dead-letters replay notifications --position 0:12 [--position 1:4] | --all
    edu-clusters republish-registry --registry-url http://127.0.0.1:8001
    edu-clusters contract write | check
    edu-clusters db upgrade incidents [--url postgresql+asyncpg://...] | db current incidents

Every command reads the services' environment variables (KAFKA_BOOTSTRAP_SERVERS, KAFKA_TOPIC_PREFIX,
JWT_SECRET, DATABASE_URL, ...), so it acts on whatever deployment that environment names.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.json import JSON
from rich.table import Table

from cli import contract as event_contract
from cli import identity_tools, migrations
from cli.kafka_tools import (
    DeadLetter,
    OperatorError,
    Record,
    dead_letter_topic_of,
    list_dead_letters,
    parse_since,
    read_topic,
    replay,
)
from cli.registry_tools import republish_registry, seed_registry
from shared.auth import Role
from shared.auth.mint import mint_dev_token
from shared.clock import VIETNAM
from shared.events.topics import Owner
from shared.settings import ServiceSettings

app = typer.Typer(
    name="edu-clusters",
    help="Operate edu-clusters: seed, tokens, topics, dead letters, the registry and the event contract.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
dead_letters_app = typer.Typer(help="List and replay what a service parked in its dead-letter topic.")
contract_app = typer.Typer(help="The committed event contract: JSON Schemas and AsyncAPI documents.")
app.add_typer(dead_letters_app, name="dead-letters")
db_app = typer.Typer(help="A service's database schema: its Alembic migrations.")
app.add_typer(contract_app, name="contract")
app.add_typer(db_app, name="db")

console = Console(highlight=False, soft_wrap=True)
SERVICES = [owner.value for owner in Owner]  # the services, in the design's order


class _CliSettings(ServiceSettings):
    service_name: str = "cli"


def _settings(bootstrap: str | None = None) -> ServiceSettings:
    try:
        settings = _CliSettings()
    except ValidationError as exc:
        raise OperatorError(f"the environment's settings are invalid: {exc}") from exc
    return settings.model_copy(update={"kafka_bootstrap_servers": bootstrap}) if bootstrap else settings


def _run(coroutine: Any) -> Any:
    try:
        return asyncio.run(coroutine)
    except OperatorError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


Bootstrap = Annotated[
    str | None, typer.Option("--bootstrap", help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS)")
]
Since = Annotated[
    str | None, typer.Option("--since", help="15m, 2h, 1d ago, or an ISO time (Vietnam's when no zone given)")
]


@app.command()
def seed(
    sample_schools: Annotated[int, typer.Option(min=0, help="Also generate labelled sample schools")] = 0,
) -> None:
    """Seed the registry's reference data (and sample schools) through its service layer and outbox."""
    report = _run(seed_registry(sample_schools=sample_schools))
    console.print(
        f"clusters created: {report.clusters_created}, communes created: {report.communes_created}, "
        f"sample schools: {report.sample_schools_created}, sample staff: {report.sample_staff_created}"
    )
    console.print("The registry's relay publishes the recorded states on its next sweep.")


@app.command()
def login(
    username: Annotated[
        str | None, typer.Argument(help="With a password: the password grant (development)")
    ] = None,
    issuer: Annotated[str, typer.Option(envvar="OIDC_ISSUER", help="The identity provider's issuer URL")] = (
        "http://127.0.0.1:8080/realms/edu-clusters"
    ),
    password: Annotated[str | None, typer.Option(help="The user's password (development users only)")] = None,
    device: Annotated[bool, typer.Option(help="Sign in in a browser (device authorization grant)")] = False,
) -> None:
    """Print an access token of the identity provider (the services take your scope from the registry)."""

    def show(where: str, code: str) -> None:
        typer.echo(f"Open {where} and confirm the code {code}", err=True)

    try:
        if device or username is None:
            access_token = identity_tools.device_login(issuer, show)
        else:
            secret = password if password is not None else typer.prompt("Password", hide_input=True)
            access_token = identity_tools.password_login(issuer, username, secret)
    except OperatorError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    typer.echo(access_token)


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="The principal's role")],
    sub: Annotated[str, typer.Option(help="Who the token is for, e.g. an e-mail address")],
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    cluster: Annotated[int | None, typer.Option(help="Cluster number (cluster leaders and members)")] = None,
    school: Annotated[str | None, typer.Option(help="School MOET code (principals)")] = None,
    commune: Annotated[str | None, typer.Option(help="Commune GSO code (commune officers)")] = None,
    grant: Annotated[list[str] | None, typer.Option(help="Integration client grant, repeatable")] = None,
    ttl_hours: Annotated[float, typer.Option(min=0.01, help="Validity in hours")] = 12.0,
) -> None:
    """Print a development bearer token signed with JWT_SECRET (refused by production services)."""
    try:
        minted = mint_dev_token(
            _settings(),
            role=role,
            subject=sub,
            name=name,
            cluster_no=cluster,
            school_id=school,
            commune_code=commune,
            grants=grant or [],
            ttl=timedelta(hours=ttl_hours),
        )
    except ValidationError as exc:
        raise typer.BadParameter("; ".join(str(detail["msg"]) for detail in exc.errors())) from exc
    typer.echo(minted)


@app.command()
def tail(
    topic: Annotated[
        str, typer.Argument(help="Logical topic name, e.g. incidents.events (the prefix is added)")
    ],
    since: Since = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new messages")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line, for scripts")] = False,
    bootstrap: Bootstrap = None,
) -> None:
    """Print a topic's messages from a point in time (default: the start), with their CloudEvents headers."""
    settings = _settings(bootstrap)
    start = parse_since(since) if since else None

    async def run() -> int:
        count = 0
        async for record in read_topic(
            settings, settings.kafka_topic_prefix + topic, since=start, follow=follow
        ):
            count += 1
            if as_json:
                typer.echo(json.dumps(record.as_json(), ensure_ascii=False))
            else:
                _print_record(record)
        return count

    try:
        count = _run(run())
    except KeyboardInterrupt:
        return
    if not as_json:
        console.print(f"[dim]{count} message(s)[/dim]")


@dead_letters_app.command("list")
def list_command(
    service: Annotated[str, typer.Argument(help=f"One of {', '.join(SERVICES)}")],
    since: Since = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
    bootstrap: Bootstrap = None,
) -> None:
    """List a service's dead letters: where each came from and why it was parked."""
    settings = _settings(bootstrap)
    letters: list[DeadLetter] = _run(
        list_dead_letters(settings, service, since=parse_since(since) if since else None)
    )
    if as_json:
        for letter in letters:
            typer.echo(json.dumps(letter.record.as_json(), ensure_ascii=False))
        return
    table = Table(title=f"{dead_letter_topic_of(settings, service)}: {len(letters)} message(s)")
    for column in ("position", "parked at", "from", "event type", "key", "reason"):
        table.add_column(column, overflow="fold")
    for letter in letters:
        table.add_row(
            letter.record.position,
            _local(letter.record.timestamp),
            f"{letter.original_topic} {letter.original_position}",
            letter.record.headers.get("ce_type", "-"),
            letter.record.key or "-",
            letter.reason,
        )
    console.print(table)


@dead_letters_app.command("replay")
def replay_command(
    service: Annotated[str, typer.Argument(help=f"One of {', '.join(SERVICES)}")],
    position: Annotated[
        list[str] | None,
        typer.Option(help="partition:offset in the dead-letter topic (see list), repeatable"),
    ] = None,
    replay_all: Annotated[
        bool, typer.Option("--all", help="Replay every dead letter (with --since: from then)")
    ] = False,
    since: Since = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Publish dead letters again to their original topic, once their cause is fixed."""
    if bool(position) == replay_all:
        raise typer.BadParameter("name --position P:O (repeatable) or --all")
    settings = _settings(bootstrap)

    async def run() -> list[tuple[DeadLetter, str]]:
        letters = await list_dead_letters(settings, service, since=parse_since(since) if since else None)
        if position:
            by_position = {letter.record.position: letter for letter in letters}
            missing = [p for p in position if p not in by_position]
            if missing:
                raise OperatorError(
                    f"no dead letter at {', '.join(missing)} (see `dead-letters list {service}`)"
                )
            letters = [by_position[p] for p in position]
        return await replay(settings, letters)

    for letter, destination in _run(run()):
        console.print(
            f"replayed {letter.record.position} ({letter.record.headers.get('ce_type', '?')}) → {destination}"
        )


@app.command("republish-registry")
def republish_registry_command(
    registry_url: Annotated[
        str, typer.Option(help="The running registry's base URL")
    ] = "http://127.0.0.1:8001",
) -> None:
    """Ask the running registry to publish every entity's state again (POST /admin/republish)."""
    counts = _run(republish_registry(registry_url, _settings()))
    console.print("republished: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))


@contract_app.command("write")
def contract_write(
    accept_breaking: Annotated[
        bool, typer.Option(help="Write even a breaking change (only for types no consumer reads yet)")
    ] = False,
) -> None:
    """Regenerate contract/ from the code; refuses a change that would break a consumer."""
    comparison = event_contract.write(accept_breaking=accept_breaking)
    if comparison.breaking and not accept_breaking:
        console.print(comparison.message(), markup=False)
        raise typer.Exit(1)
    changed = ", ".join(comparison.stale) or "nothing"
    console.print(f"contract/ written ({len(comparison.stale)} file(s) changed: {changed})", markup=False)


@contract_app.command("check")
def contract_check() -> None:
    """Fail when contract/ is stale or the code breaks a consumer of the committed schemas."""
    comparison = event_contract.compare(event_contract.generated(), event_contract.committed())
    if comparison.stale or comparison.breaking:
        console.print(comparison.message(), markup=False)
        raise typer.Exit(1)
    console.print("contract/ is up to date")


DatabaseUrl = Annotated[
    str | None, typer.Option("--url", help="The database (default: DATABASE_URL, else the local SQLite file)")
]


@db_app.command("upgrade")
def db_upgrade(service: str, url: DatabaseUrl = None, revision: str = "head") -> None:
    """Upgrade a service's database to its newest migration (or to --revision)."""
    _migrate(lambda: migrations.upgrade(service, url=url, revision=revision))
    console.print(f"{service}: database at {revision}")


@db_app.command("downgrade")
def db_downgrade(service: str, revision: str, url: DatabaseUrl = None) -> None:
    """Step a service's database back to REVISION (e.g. -1 for one step)."""
    _migrate(lambda: migrations.downgrade(service, revision, url=url))


@db_app.command("current")
def db_current(service: str, url: DatabaseUrl = None) -> None:
    """Show the revision a service's database is at."""
    _migrate(lambda: migrations.current(service, url=url))


def _migrate(step: Any) -> None:
    try:
        step()
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _local(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).isoformat(sep=" ", timespec="milliseconds")


def _print_record(record: Record) -> None:
    headers = record.headers
    console.print(
        f"[bold cyan]{_local(record.timestamp)}[/bold cyan]  {record.topic} [dim]{record.position}[/dim]"
        f"  key=[bold]{record.key}[/bold]"
    )
    trace = headers.get("traceparent", "").split("-")
    console.print(
        f"  [green]{headers.get('ce_type', '(no ce_type)')}[/green]  subject={headers.get('ce_subject', '-')}"
        f"  id={headers.get('ce_id', '-')}" + (f"  trace={trace[1]}" if len(trace) == 4 else ""),
        markup=True,
    )
    extra = {
        k: v
        for k, v in headers.items()
        if not k.startswith("ce_") and k not in {"content-type", "traceparent"}
    }
    if extra:
        console.print("  " + "  ".join(f"{k}={v}" for k, v in sorted(extra.items())), markup=False)
    body = record.body()
    if body is None:
        console.print("  [yellow](tombstone: the entity is gone)[/yellow]")
    elif isinstance(body, str):
        console.print("  " + body, markup=False)
    else:
        console.print(JSON.from_data(body, ensure_ascii=False), markup=False)


def main() -> None:
    # The services' JSON logs are for services; an operator's terminal wants only the answers.
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app()
