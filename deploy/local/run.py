"""The README's run command: a local Kafka broker, the identity provider and every built service on
SQLite, until Ctrl-C.

Each service runs as its own uvicorn process with its own database file under ``var/``, exactly as it
would in production, only on loopback. The registry seeds the province's clusters on first start, and
the demo people whom the identity provider's demo users are (their scope comes from the registry).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from deploy.local.kafka import REPO_ROOT, KafkaLauncher, KafkaLauncherError, port_is_free, tail
from deploy.local.keycloak import KeycloakLauncher, KeycloakLauncherError

DEMO_PASSWORD = "demo"  # noqa: S105 - the realm's development users, printed for the demo
DEMO_USERS = (
    ("admin.so", "department_admin", "the Department's administrator"),
    ("canbo.so", "department_officer", "a Department officer"),
    ("cumtruong.1", "cluster_leader", "the leader of cluster 1"),
    ("thanhvien.1", "cluster_member", "a member of cluster 1"),
    ("hieutruong.mau", "school_principal", "the principal of a demo school in cluster 1"),
    ("canbo.xa", "commune_officer", "an officer of a commune in cluster 1"),
)
INTEGRATION_CLIENT = ("provincial-dms", "dev-only-provincial-dms-secret-not-for-production")


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def built(self) -> bool:
        return (REPO_ROOT / "services" / self.name / "app.py").exists()


SERVICE_NAMES = ("registry", "incidents", "activities", "notifications", "notices", "console")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kafka-port", type=int, default=9092)
    parser.add_argument("--keycloak-port", type=int, default=8080, help="the identity provider's port")
    parser.add_argument(
        "--without-keycloak",
        action="store_true",
        help="skip the identity provider (development tokens only, as before)",
    )
    parser.add_argument("--first-port", type=int, default=8001, help="registry's port; the others follow")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var")
    parser.add_argument(
        "--sample-schools", type=int, default=0, help="generate this many labelled sample schools (e.g. 1500)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete the services' local databases first (the broker's data stays)",
    )
    args = parser.parse_args(argv)

    every_service = [ServiceProcess(name, args.first_port + n) for n, name in enumerate(SERVICE_NAMES)]
    services = [service for service in every_service if service.built]
    ports = [args.kafka_port, *(s.port for s in services)]
    if not args.without_keycloak:
        ports.append(args.keycloak_port)
    busy = [str(port) for port in ports if not port_is_free(port)]
    if busy:
        print(f"Port(s) {', '.join(busy)} are in use; stop what holds them and retry.", file=sys.stderr)
        return 2

    _stop_on_termination()
    if args.fresh:
        _delete_databases(args.data_dir)
    kafka = KafkaLauncher(args.data_dir / "kafka", port=args.kafka_port)
    # Keycloak starts from a thread (beside the broker): a parent-death signal would be tied to that
    # short-lived thread and kill it at once, so this process stops it itself (finally, SIGTERM, SIGHUP).
    keycloak = (
        None
        if args.without_keycloak
        else KeycloakLauncher(args.data_dir / "keycloak", port=args.keycloak_port, die_with_parent=False)
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        starting = _start_in_background(keycloak)
        print("Starting Kafka (the first run downloads its jars with Maven)...", flush=True)
        kafka.start()
        environment = _service_environment(kafka.bootstrap_servers, args.data_dir)
        environment["SAMPLE_SCHOOLS"] = str(args.sample_schools)
        if keycloak is not None:
            print("Waiting for the identity provider (Keycloak; the first run fetches and builds it)...")
            starting.join()
            if not keycloak.is_running():
                raise RuntimeError(f"Keycloak did not start; see {keycloak.log_file}")
            environment.update(OIDC_ISSUER=keycloak.issuer, SEED_DEMO_PEOPLE="true")
        # The console calls the services' public APIs at the ports they run on here.
        environment.update({f"{s.name.upper()}_URL": s.url for s in services if s.name != "console"})
        # Notifications signs each alert's one-click link as {CONSOLE_PUBLIC_URL}/act/{token}.
        console = next(s for s in every_service if s.name == "console")
        environment.setdefault("CONSOLE_PUBLIC_URL", console.url)
        for service in services:
            processes.append(_start_service(service, environment, args.data_dir))
        for service, process in zip(services, processes, strict=True):
            _wait_until_ready(service, process, args.data_dir / f"{service.name}.log")
        _print_addresses(kafka, every_service, args.data_dir)
        if keycloak is not None:
            _print_sign_in(keycloak)
        _wait_for_interrupt(dict(zip((s.name for s in services), processes, strict=True)))
    except (KafkaLauncherError, KeycloakLauncherError) as error:
        print(error.message, file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        kafka.stop()
        if keycloak is not None:
            keycloak.stop()
    return 0


def _start_in_background(keycloak: KeycloakLauncher | None) -> threading.Thread:
    """Keycloak takes tens of seconds to start: it starts beside the broker, not after it."""

    def start() -> None:
        if keycloak is None:
            return
        try:
            keycloak.start(timeout=400)  # its first start builds it: minutes on two busy cores
        except KeycloakLauncherError as error:
            print(error.message, file=sys.stderr, flush=True)

    thread = threading.Thread(target=start, name="keycloak-start", daemon=True)
    thread.start()
    return thread


def _print_sign_in(keycloak: KeycloakLauncher) -> None:
    print(f"  Identity provider (OpenID Connect) {keycloak.issuer}")
    print(f"    admin console {keycloak.base_url}/admin/  (admin / admin)")
    print(f"  Demo users, password '{DEMO_PASSWORD}' (their scope comes from the registry):")
    for username, role, who in DEMO_USERS:
        print(f"    {username:<16} {role:<20} {who}")
    print(f"    a token: .venv/bin/edu-clusters login cumtruong.1 --issuer {keycloak.issuer}")
    client_id, secret = INTEGRATION_CLIENT
    print(f"  Integration client (client credentials): {client_id} / {secret}\n", flush=True)


def _stop_on_termination() -> None:
    """SIGTERM and SIGHUP (a supervisor, ``timeout``, a closed terminal) stop everything as Ctrl-C does,
    rather than killing this process alone and leaving the broker and the services running."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def _delete_databases(data_dir: Path) -> None:
    """The services' SQLite files (with WAL and shared-memory files) and the broker's log directory.

    Both go together: replicas rebuilt from old topics would hold states whose versions a fresh registry
    only reaches later, and would refuse its first states as older.
    """
    for path in data_dir.glob("*.db*"):
        path.unlink()
    shutil.rmtree(data_dir / "kafka", ignore_errors=True)
    print(f"Deleted the local databases and the broker's data under {data_dir}/", flush=True)


def _service_environment(bootstrap: str, data_dir: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        DATA_DIR=str(data_dir),
        ENVIRONMENT=environment.get("ENVIRONMENT", "development"),
        # Notifications sends all email to a mail catcher in its own process; GET /dev/mail lists it.
        MAIL_CATCHER=environment.get("MAIL_CATCHER", "true"),
    )
    return environment


def _start_service(
    service: ServiceProcess, environment: dict[str, str], data_dir: Path
) -> subprocess.Popen[bytes]:
    log_path = data_dir / f"{service.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"services.{service.name}.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(service.port),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "5",  # the console's live streams stay open until their pages close
    ]
    # The notices service writes links to itself into emails, and the console is sent back to itself
    # after sign-in: both must point at the port they run on.
    own = {**environment, "PUBLIC_BASE_URL": environment.get("PUBLIC_BASE_URL", service.url)}
    with log_path.open("ab") as log:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=own, stdout=log, stderr=subprocess.STDOUT)


def _wait_until_ready(
    service: ServiceProcess, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            last_lines = tail(log_path, lines=3)
            raise RuntimeError(
                f"{service.name} exited with code {process.returncode}; the end of {log_path}:\n{last_lines}"
            )
        try:
            with urllib.request.urlopen(f"{service.url}/health/ready", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{service.name} was not ready after {timeout:.0f}s; see {log_path}")


def _print_addresses(kafka: KafkaLauncher, services: list[ServiceProcess], data_dir: Path) -> None:
    from shared.auth import Role
    from shared.auth.mint import mint_dev_token
    from shared.settings import ServiceSettings

    token = mint_dev_token(
        ServiceSettings(service_name="run"),
        role=Role.DEPARTMENT_ADMIN,
        subject="admin@so-gddt.nghean.local",
        ttl=timedelta(hours=12),
    )
    print("\nedu-clusters is running. Ctrl-C stops everything.\n")
    print(f"  Kafka            {kafka.bootstrap_servers}   (log: {kafka.log_file})")
    for service in services:
        if service.built and service.name == "console":
            print(f"  {service.name:<16} {service.url}/   (the web console: sign in as a demo user below)")
        elif service.built:
            print(
                f"  {service.name:<16} API {service.url}/docs   AsyncAPI {service.url}/asyncapi   "
                f"metrics {service.url}/metrics"
            )
        else:
            print(f"  {service.name:<16} not built yet")
    notifications = next((s for s in services if s.name == "notifications" and s.built), None)
    if notifications is not None:
        print(f"  Email sent by notifications is caught, not sent: {notifications.url}/dev/mail")
    print(f"\n  Databases and logs: {data_dir}/")
    print("  A department-admin token for trying the APIs (12 h):")
    print(f"    export TOKEN={token}")
    print(f'    curl -H "Authorization: Bearer $TOKEN" {services[0].url}/clusters')
    print("  Labelled sample schools for a demo (codes MAU..., or start with --sample-schools 1500):")
    samples = f"{services[0].url}/admin/sample-data?schools=1500"
    print(f'    curl -X POST -H "Authorization: Bearer $TOKEN" "{samples}"\n', flush=True)


def _wait_for_interrupt(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return
    failed = [name for name, process in processes.items() if process.poll() is not None]
    raise RuntimeError(f"a service stopped unexpectedly: {', '.join(failed)}; see its log under the data dir")


if __name__ == "__main__":
    sys.exit(main())
