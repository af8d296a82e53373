"""Run a real Keycloak (the project's OpenID Connect provider) from its Maven Central distribution.

Why this exists: tokens must come from a real OpenID Connect provider in development and in tests (RS256
keys, JWKS, key rotation, the authorization code flow with PKCE), not from a stand-in. Maven fetches the
Keycloak server distribution once into a cache (``deploy/keycloak/pom.xml`` is the one place that names
the version), it is built once for this project's options, and each run gets a home of its own: its own
file database, its own realm import of ``deploy/keycloak/edu-clusters-realm.json``, its own ports.

    python -m deploy.local.keycloak start --port 8080 --dir var/keycloak   # foreground; Ctrl-C stops it
    python -m deploy.local.keycloak fetch                                  # only download and build
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from deploy.local.kafka import REPO_ROOT, free_port, tail

KEYCLOAK_POM = REPO_ROOT / "deploy" / "keycloak" / "pom.xml"
REALM_FILE = REPO_ROOT / "deploy" / "keycloak" / "edu-clusters-realm.json"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "keycloak"
JVM_DIR = Path("/usr/lib/jvm")
MIN_JAVA_VERSION = 21
HOST = "127.0.0.1"
REALM = "edu-clusters"
DEFAULT_ADMIN_USERNAME = "admin"
DEFAULT_ADMIN_PASSWORD = "admin"  # noqa: S105 - the throwaway master-realm admin of a local provider

# Build-time options, applied once per cached distribution by ``kc.sh build``: dev-file is an H2 file
# database (each run keeps it in its own home); health answers on the management port.
BUILD_OPTIONS = ("--db=dev-file", "--health-enabled=true")
# Run-time options of every start. A local cache keeps Infinispan from clustering: otherwise JGroups
# listens on every interface (ports 7800, 57800 and up) and looks for peers.
START_OPTIONS = ("--cache=local",)
# kc.sh opens java.util and java.security to Keycloak; on Java 24+ its thread pools also need java.lang
# (without it, shutdown ends in IllegalAccessError stack traces).
_JAVA_OPTS_APPEND = "--add-opens=java.base/java.lang=ALL-UNNAMED"

# Written into the distribution once ``kc.sh build`` succeeded; names the options it was built with.
_BUILD_STAMP = ".edu-clusters-build"
# Parts of the distribution a run home links to; its ``data`` folder is the run's own.
_SHARED_PARTS = ("conf", "lib", "providers", "themes")


class KeycloakLauncherError(RuntimeError):
    """A problem the user can fix; ``message`` is one sentence, ``str()`` adds any detail (log tail)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(f"{message}\n{detail}" if detail else message)
        self.message = message


def keycloak_version(pom: Path = KEYCLOAK_POM) -> str:
    """The ``<keycloak.version>`` property of the runtime pom, so the version is named in one place."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(pom).getroot()  # noqa: S314 - the project's own pom, not untrusted input
    element = root.find("m:properties/m:keycloak.version", namespace)
    if element is None or not (element.text or "").strip():
        raise KeycloakLauncherError(f"{pom} does not define the <keycloak.version> property.")
    return element.text.strip()  # type: ignore[union-attr]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on the loopback port now.

    SO_REUSEADDR, as the server itself sets it: a port whose last connections linger in TIME_WAIT (a
    provider stopped a moment ago) is free to listen on again, while one somebody listens on is not.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


# ----- Java ----------------------------------------------------------------------------------------


def java_home_version(java_home: Path) -> tuple[int, ...] | None:
    """The version a JDK's ``release`` file declares (``JAVA_VERSION="25.0.1"`` is (25, 0, 1)), if any.

    Reading the file starts no JVM; Java 8's "1.8.0_452" reads as (8, 0, 452).
    """
    if not (java_home / "bin" / "java").is_file():
        return None
    try:
        text = (java_home / "release").read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="?([0-9][0-9._]*)', text, re.MULTILINE)
    if match is None:
        return None
    parts = tuple(int(part) for part in re.split(r"[._]", match.group(1)) if part)
    return parts[1:] if parts[:1] == (1,) else parts


def find_java_home(
    environ: Mapping[str, str] | None = None, jvm_dir: Path = JVM_DIR, minimum: int = MIN_JAVA_VERSION
) -> Path:
    """A JDK that can run Keycloak: ``$KEYCLOAK_JAVA_HOME``, else the newest one under ``jvm_dir``.

    ``$JAVA_HOME`` is taken when it is new enough, since the default Java of these machines is 17.
    """
    environ = os.environ if environ is None else environ
    explicit = environ.get("KEYCLOAK_JAVA_HOME")
    if explicit:
        version = java_home_version(Path(explicit))
        if version is None or version[0] < minimum:
            found = f"Java {'.'.join(map(str, version))}" if version else "no JDK"
            raise KeycloakLauncherError(
                f"KEYCLOAK_JAVA_HOME={explicit} holds {found}; Keycloak needs Java {minimum}+."
            )
        return Path(explicit)
    java_home = environ.get("JAVA_HOME")
    if java_home and (version := java_home_version(Path(java_home))) and version[0] >= minimum:
        return Path(java_home)
    candidates: dict[Path, tuple[int, ...]] = {}
    with contextlib.suppress(OSError):
        for entry in sorted(jvm_dir.iterdir()):
            version = java_home_version(entry)
            if version is not None and version[0] >= minimum:
                candidates.setdefault(entry.resolve(), version)  # aliases (symlinks) count once
    if not candidates:
        raise KeycloakLauncherError(
            f"Java {minimum}+ is required to run Keycloak and none was found in {jvm_dir}; install a JDK "
            f"(apt-get install -y openjdk-{minimum}-jdk-headless) or set KEYCLOAK_JAVA_HOME, and retry."
        )
    return max(candidates, key=lambda home: candidates[home])


def _die_with_parent_prefix() -> list[str]:
    """Make the server get SIGTERM if this process dies without stopping it (kill -9, os._exit).

    ``setpriv --pdeathsig`` (util-linux) sets it on ``kc.sh``, which forwards SIGTERM to its JVM. Linux
    ties the signal to the thread that started the server: start it from a long-lived thread.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM"] if setpriv else []


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signum)


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file``: two test runs never unpack or build the same cache."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _unzip(archive: Path, target: Path) -> None:
    """Extract keeping the Unix permissions the zip records (``kc.sh`` must stay executable)."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            extracted = Path(zipped.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                extracted.chmod(mode)


# ----- the launcher --------------------------------------------------------------------------------


class KeycloakLauncher:
    """One Keycloak server whose state (file database, imported realm, logs) lives in ``work_dir``.

    Ports of 0 are replaced by free loopback ports at ``start()``. Each start begins with a fresh data
    folder, so the realm is imported from the project's file again and two runs never share state;
    ``keep_data=True`` keeps users, sessions and keys across restarts instead.
    """

    def __init__(
        self,
        work_dir: Path | str,
        *,
        port: int = 0,
        management_port: int = 0,
        cache_dir: Path | str = DEFAULT_CACHE_DIR,
        realm_file: Path | str = REALM_FILE,
        java_home: Path | str | None = None,
        admin_username: str = DEFAULT_ADMIN_USERNAME,
        admin_password: str = DEFAULT_ADMIN_PASSWORD,
        heap: str = "512m",
        keep_data: bool = False,
        mvn: str = "mvn",
        pom: Path | str = KEYCLOAK_POM,
        die_with_parent: bool = True,
    ) -> None:
        self.work_dir = Path(work_dir).resolve()
        self.port = port
        self.management_port = management_port
        self.cache_dir = Path(cache_dir).resolve()
        self.realm_file = Path(realm_file).resolve()
        self.java_home = Path(java_home) if java_home else None
        self.admin_username = admin_username
        self.admin_password = admin_password
        self.heap = heap
        self.keep_data = keep_data
        self.mvn = mvn
        self.pom = Path(pom).resolve()
        self.die_with_parent = die_with_parent
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # ----- paths and addresses -----------------------------------------------------------------

    @property
    def version(self) -> str:
        return keycloak_version(self.pom)

    @property
    def version_dir(self) -> Path:
        return self.cache_dir / self.version

    @property
    def zip_file(self) -> Path:
        return self.version_dir / f"keycloak-quarkus-dist-{self.version}.zip"

    @property
    def dist_dir(self) -> Path:
        """The unpacked, built distribution every run shares (read-only once built)."""
        return self.version_dir / f"keycloak-{self.version}"

    @property
    def home_dir(self) -> Path:
        """This server's Keycloak home: links to the distribution, and a ``data`` folder of its own."""
        return self.work_dir / "home"

    @property
    def data_dir(self) -> Path:
        """The H2 database (``h2/``), the realm to import (``import/``), transaction logs, temp files."""
        return self.home_dir / "data"

    @property
    def log_file(self) -> Path:
        """Everything the server prints."""
        return self.work_dir / "keycloak.log"

    @property
    def base_url(self) -> str:
        if not self.port:
            raise KeycloakLauncherError("Keycloak's port is chosen at start(); start it first.")
        return f"http://{HOST}:{self.port}"

    @property
    def issuer(self) -> str:
        """The ``iss`` of every token of the project's realm, and the base of its discovery document."""
        return f"{self.base_url}/realms/{REALM}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def management_url(self) -> str:
        """Health (``/health/ready``) lives on the management port, away from the public one."""
        if not self.management_port:
            raise KeycloakLauncherError("Keycloak's management port is chosen at start(); start it first.")
        return f"http://{HOST}:{self.management_port}"

    # ----- distribution ------------------------------------------------------------------------

    def ensure_distribution(self, java_home: Path | None = None) -> bool:
        """Download, unpack and build this version unless already done; True when anything was done.

        Every step publishes its result by renaming a finished temporary folder into place (or writes
        its stamp last), so an interrupted download, unpack or build is never mistaken for a cache.
        """
        with _locked(self.version_dir / ".lock"):
            for leftover in self.version_dir.glob("*.partial-*"):  # a run killed halfway; no one else has it
                shutil.rmtree(leftover, ignore_errors=True)
            did_work = False
            if not self.zip_file.is_file():
                self._download()
                did_work = True
            if not (self.dist_dir / "bin" / "kc.sh").is_file():
                self._unpack()
                did_work = True
            if not self._built():
                self._build(java_home or self._require_java())
                did_work = True
            return did_work

    def _require_mvn(self) -> str:
        mvn = shutil.which(self.mvn)
        if mvn is None:
            raise KeycloakLauncherError(
                "Maven (mvn) is required once to download Keycloak; install it (apt-get install -y maven) "
                "and retry."
            )
        return mvn

    def _download(self) -> None:
        mvn = self._require_mvn()
        staging = Path(tempfile.mkdtemp(prefix="download.partial-", dir=self.version_dir))
        try:
            command = [
                mvn, "-q", "-B", "-f", str(self.pom), "dependency:copy", f"-DoutputDirectory={staging}",
            ]  # fmt: skip
            result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
            downloaded = staging / self.zip_file.name
            if result.returncode != 0 or not zipfile.is_zipfile(downloaded):
                raise KeycloakLauncherError(
                    f"Maven could not download Keycloak {self.version} (exit {result.returncode}); "
                    "check access to Maven Central and retry.",
                    "\n".join((result.stdout + result.stderr).splitlines()[-30:]),
                )
            downloaded.rename(self.zip_file)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _unpack(self) -> None:
        staging = Path(tempfile.mkdtemp(prefix="unpack.partial-", dir=self.version_dir))
        try:
            try:
                _unzip(self.zip_file, staging)
            except (zipfile.BadZipFile, OSError) as error:
                self.zip_file.unlink(missing_ok=True)  # fetched again next time
                raise KeycloakLauncherError(
                    f"The cached Keycloak archive {self.zip_file} could not be unpacked ({error}); "
                    "it was removed, retry to download it again."
                ) from error
            unpacked = staging / self.dist_dir.name
            if not (unpacked / "bin" / "kc.sh").is_file():
                raise KeycloakLauncherError(f"{self.zip_file} does not hold {self.dist_dir.name}/bin/kc.sh.")
            if self.dist_dir.exists():  # a half-built leftover: move it aside, then publish
                stale = Path(tempfile.mkdtemp(prefix="dist.stale-", dir=self.version_dir))
                self.dist_dir.rename(stale / "dist")
                shutil.rmtree(stale, ignore_errors=True)
            unpacked.rename(self.dist_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _built(self) -> bool:
        stamp = self.dist_dir / _BUILD_STAMP
        return stamp.is_file() and stamp.read_text().split() == list(BUILD_OPTIONS)

    def _build(self, java_home: Path) -> None:
        (self.dist_dir / _BUILD_STAMP).unlink(missing_ok=True)
        command = [str(self.dist_dir / "bin" / "kc.sh"), "build", *BUILD_OPTIONS]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=900, env=self._environment(java_home)
        )
        if result.returncode != 0:
            raise KeycloakLauncherError(
                f"Building Keycloak {self.version} ({' '.join(BUILD_OPTIONS)}) failed (exit "
                f"{result.returncode}).",
                "\n".join((result.stdout + result.stderr).splitlines()[-30:]),
            )
        (self.dist_dir / _BUILD_STAMP).write_text("\n".join(BUILD_OPTIONS) + "\n")

    # ----- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 180.0) -> None:
        """Start the server and return once the realm's discovery document answers.

        On failure nothing is left running.
        """
        if self.is_running():
            raise KeycloakLauncherError(f"This Keycloak is already running at {self.base_url}.")
        java_home = self._require_java()
        if not self.realm_file.is_file():
            raise KeycloakLauncherError(f"The realm file {self.realm_file} does not exist.")
        self.ensure_distribution(java_home)
        self._choose_ports()
        self._prepare_home()
        self._launch(java_home)
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM the server's process group (a clean shutdown), SIGKILL it if that takes too long."""
        process, self._process = self._process, None
        atexit.unregister(self.stop)
        try:
            if process is not None and process.poll() is None:
                _signal_group(process, signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self) -> int:
        """Block until the server exits on its own; its exit code."""
        if self._process is None:
            raise KeycloakLauncherError("Keycloak is not running.")
        return self._process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ----- start steps -------------------------------------------------------------------------

    def _require_java(self) -> Path:
        if self.java_home is None:
            return find_java_home()
        version = java_home_version(self.java_home)
        if version is None or version[0] < MIN_JAVA_VERSION:
            raise KeycloakLauncherError(
                f"Java {MIN_JAVA_VERSION}+ is required to run Keycloak; {self.java_home} is not such a JDK."
            )
        return self.java_home

    def _choose_ports(self) -> None:
        self.port = self.port or free_port()
        self.management_port = self.management_port or free_port()
        while self.management_port == self.port:
            self.management_port = free_port()
        for port in (self.port, self.management_port):
            if not port_is_free(port):
                raise KeycloakLauncherError(
                    f"Port {port} on {HOST} is already in use; stop whatever holds it or pick another port."
                )

    def _prepare_home(self) -> None:
        """A home that links to the shared distribution, and the realm file in its own ``data/import``."""
        self.home_dir.mkdir(parents=True, exist_ok=True)
        for part in _SHARED_PARTS:
            link = self.home_dir / part
            if link.is_symlink() or link.is_file():
                link.unlink()
            elif link.exists():
                shutil.rmtree(link)
            link.symlink_to(self.dist_dir / part, target_is_directory=True)
        if not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        (self.data_dir / "import").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.realm_file, self.data_dir / "import" / f"{REALM}-realm.json")

    def _environment(self, java_home: Path) -> dict[str, str]:
        """This process's environment without anything that configures Keycloak or its JVM behind our back."""
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("KC_", "KEYCLOAK_", "JAVA_OPTS", "QUARKUS_"))
        }
        return {
            **inherited,
            "JAVA_HOME": str(java_home),
            "JAVA_OPTS_KC_HEAP": f"-Xms64m -Xmx{self.heap}",
            "JAVA_OPTS_APPEND": _JAVA_OPTS_APPEND,
        }

    def _launch(self, java_home: Path) -> None:
        command = [
            *(_die_with_parent_prefix() if self.die_with_parent else []),
            # kc.sh sets the home to its own distribution; the later -D property wins and points the
            # server at this run's home (its data folder holds the database and the realm to import).
            str(self.dist_dir / "bin" / "kc.sh"), f"-Dkc.home.dir={self.home_dir}",
            "start", "--optimized", "--import-realm", *START_OPTIONS,
            "--http-enabled=true", f"--http-host={HOST}", f"--http-port={self.port}",
            f"--http-management-port={self.management_port}",
            # One issuer whatever host name a client used: tokens are verified against it.
            f"--hostname={self.base_url}",
        ]  # fmt: skip
        environment = self._environment(java_home)
        environment["KC_BOOTSTRAP_ADMIN_USERNAME"] = self.admin_username
        environment["KC_BOOTSTRAP_ADMIN_PASSWORD"] = self.admin_password
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_file.open("wb")
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.work_dir,
            env=environment,
            start_new_session=True,  # its own process group: stop() signals the whole group
        )
        atexit.register(self.stop)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._discovery_answers():
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                raise KeycloakLauncherError(
                    f"Keycloak exited with code {code} before it was ready; see {self.log_file}.",
                    tail(self.log_file),
                )
            if time.monotonic() > deadline:
                raise KeycloakLauncherError(
                    f"Keycloak did not serve {self.discovery_url} within {timeout:.0f}s; "
                    f"see {self.log_file}.",
                    tail(self.log_file),
                )
            time.sleep(0.5)

    def _discovery_answers(self) -> bool:
        """True once the realm is imported and served: its discovery document names the expected issuer."""
        try:
            with urllib.request.urlopen(self.discovery_url, timeout=2) as response:  # noqa: S310 - http://127.0.0.1
                document = json.load(response)
        except (OSError, ValueError, urllib.error.URLError):
            return False
        return isinstance(document, dict) and document.get("issuer") == self.issuer


# ----- command line ------------------------------------------------------------------------------


class _StopRequested(Exception):
    """Raised from the SIGTERM handler so that a foreground server stops like on Ctrl-C."""


def _raise_stop_requested(signum: int, frame: object) -> None:
    raise _StopRequested


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.local.keycloak", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download and build the Keycloak distribution (once)")
    start = commands.add_parser("start", help="run Keycloak in the foreground until Ctrl-C or SIGTERM")
    start.add_argument("--port", type=int, default=8080, help="HTTP port (0 = any free port)")
    start.add_argument("--management-port", type=int, default=0, help="health port (0 = any free port)")
    start.add_argument("--dir", type=Path, default=Path("var/keycloak"), help="home, data and log folder")
    start.add_argument("--realm-file", type=Path, default=REALM_FILE, help="realm to import at start")
    start.add_argument(
        "--keep-data", action="store_true", help="keep the database of the last run (default: start fresh)"
    )
    start.add_argument("--heap", default="512m", help="JVM maximum heap, e.g. 512m or 1g")
    start.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for readiness")
    for command in (start, fetch):
        command.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="distribution cache")
        command.add_argument(
            "--java-home", type=Path, default=None, help="JDK 21+ (default: $KEYCLOAK_JAVA_HOME or newest)"
        )
    return parser.parse_args(argv)


def _fetch(args: argparse.Namespace) -> int:
    launcher = KeycloakLauncher(tempfile.gettempdir(), cache_dir=args.cache_dir, java_home=args.java_home)
    did_work = launcher.ensure_distribution()
    print(f"Keycloak {launcher.version} {'built in' if did_work else 'already in'} {launcher.dist_dir}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    launcher = KeycloakLauncher(
        args.dir, port=args.port, management_port=args.management_port, cache_dir=args.cache_dir,
        realm_file=args.realm_file, java_home=args.java_home, heap=args.heap, keep_data=args.keep_data,
    )  # fmt: skip
    signal.signal(signal.SIGTERM, _raise_stop_requested)
    try:
        started = time.monotonic()
        launcher.start(timeout=args.timeout)
        seconds = time.monotonic() - started
        print(
            f"Keycloak {launcher.version} is ready in {seconds:.0f}s at {launcher.base_url}\n"
            f"  issuer:        {launcher.issuer}   (OIDC_ISSUER)\n"
            f"  admin console: {launcher.base_url}/admin/  "
            f"(user {launcher.admin_username}, password {launcher.admin_password})\n"
            f"  health:        {launcher.management_url}/health/ready\n"
            f"  log:           {launcher.log_file}\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        code = launcher.wait()
        raise KeycloakLauncherError(
            f"Keycloak exited unexpectedly with code {code}; see {launcher.log_file}."
        )
    except (KeyboardInterrupt, _StopRequested):
        print("Stopping Keycloak...", flush=True)
        return 0
    finally:
        launcher.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point; a ``KeycloakLauncherError`` becomes one line on stderr and exit status 2."""
    args = _parse_args(argv)
    try:
        return _fetch(args) if args.command == "fetch" else _serve(args)
    except KeycloakLauncherError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
