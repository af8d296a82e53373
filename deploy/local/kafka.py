"""Run a real single-node Apache Kafka broker (KRaft, combined mode) from plain jars, without Docker.

Why this exists: these machines have no Docker engine, yet delivery, commits and rebalances must be
proven against the real broker, not an in-memory stand-in. Maven fetches Apache Kafka's own jars once
into a cache (``deploy/kafka/pom.xml`` is the one place that names the version) and the broker runs as
a child JVM in its own process group, so it can always be stopped as a whole.

    python -m deploy.local.kafka start --port 9092 --dir var/kafka   # foreground; Ctrl-C stops it
    python -m deploy.local.kafka fetch                               # only download the jars
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from types import TracebackType
from typing import IO, Self

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "kafka"
MIN_JAVA_VERSION = 17
HOST = "127.0.0.1"

# Written next to the jars once Maven succeeded; names the pom they were resolved from.
_POM_STAMP = ".resolved-from-pom.sha256"

# log4j2 writes to stdout, which start() redirects to the broker's log file: one file, one writer.
_LOG4J2_PROPERTIES = """\
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


class KafkaLauncherError(RuntimeError):
    """A problem the user can fix; ``message`` is one sentence, ``str()`` adds any detail (log tail)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(f"{message}\n{detail}" if detail else message)
        self.message = message


def kafka_version(pom: Path = KAFKA_POM) -> str:
    """The ``<kafka.version>`` property of the runtime pom, so the version is named in one place."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(pom).getroot()  # noqa: S314 - the project's own pom, not untrusted input
    element = root.find("m:properties/m:kafka.version", namespace)
    if element is None or not (element.text or "").strip():
        raise KafkaLauncherError(f"{pom} does not define the <kafka.version> property.")
    return element.text.strip()  # type: ignore[union-attr]


def free_port() -> int:
    """A loopback TCP port that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a listener could bind the loopback port, i.e. no other broker (or anything else) holds it.

    With address reuse, as the broker itself binds: connections of a killed broker lingering in
    TIME-WAIT do not hold the port, so a broker can be restarted on its port at once.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def random_cluster_id() -> str:
    """Same format as ``kafka-storage random-uuid``: URL-safe base64 of a UUID, no padding."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka rejects ids that look like command-line options
            return cluster_id


def broker_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """True once the broker serves clients: it answers an ApiVersions (v0) request without error.

    KRaft brokers only open their client listener after they caught up with the metadata log and
    were unfenced, so this is a real readiness check, not just "the port is bound".
    """
    client_id = b"edu-clusters-probe"
    request = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id  # api key 18 = ApiVersions
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
            response = _recv_exactly(sock, size)
    except OSError:
        return False
    if len(response) < 6:
        return False
    correlation_id, error_code = struct.unpack_from(">ih", response)
    return bool(correlation_id == 1 and error_code == 0)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed before the response was complete")
        data += chunk
    return data


def java_major_version(java: str) -> int | None:
    """The major version ``java -version`` reports (8 for "1.8.0"), or None if it cannot be run."""
    try:
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if result.returncode != 0 or match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, for error messages; empty if it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _default_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    return str(Path(java_home) / "bin" / "java") if java_home else "java"


def _die_with_parent_prefix() -> list[str]:
    """Make the broker get SIGTERM if this process dies without stopping it (kill -9, os._exit).

    ``setpriv --pdeathsig`` (util-linux) sets it and execs java, so the broker keeps its own pid.
    Linux ties the signal to the thread that started the broker: start it from a long-lived thread.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM"] if setpriv else []


class KafkaLauncher:
    """One single-node Kafka broker (broker and controller in one JVM) with its data in ``work_dir``.

    Ports of 0 are replaced by free loopback ports at ``start()``. A restart on the same ``work_dir``
    reuses the formatted storage, so topics and messages survive it.
    """

    def __init__(
        self,
        work_dir: Path | str,
        *,
        port: int = 0,
        controller_port: int = 0,
        cache_dir: Path | str = DEFAULT_CACHE_DIR,
        heap: str = "512m",
        java: str | None = None,
        mvn: str = "mvn",
        pom: Path | str = KAFKA_POM,
        die_with_parent: bool = True,
    ) -> None:
        self.work_dir = Path(work_dir).resolve()
        self.port = port
        self.controller_port = controller_port
        self.cache_dir = Path(cache_dir).resolve()
        self.heap = heap
        self.java = java or _default_java()
        self.mvn = mvn
        self.pom = Path(pom).resolve()
        self.die_with_parent = die_with_parent
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # ----- paths -------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        return kafka_version(self.pom)

    @property
    def libs_dir(self) -> Path:
        return self.cache_dir / self.version / "libs"

    @property
    def data_dir(self) -> Path:
        return self.work_dir / "data"

    @property
    def log_file(self) -> Path:
        """Everything the broker prints (log4j2 at INFO, plus JVM stdout/stderr)."""
        return self.work_dir / "broker.log"

    @property
    def server_properties(self) -> Path:
        return self.work_dir / "server.properties"

    @property
    def bootstrap_servers(self) -> str:
        if not self.port:
            raise KafkaLauncherError("The Kafka broker's port is chosen at start(); start it first.")
        return f"{HOST}:{self.port}"

    # ----- jars --------------------------------------------------------------------------------

    def ensure_jars(self) -> bool:
        """Download the broker's jars unless this pom's jars are cached; True when it downloaded.

        Maven writes into a temporary folder that is renamed into place only after it succeeded, so
        an interrupted download is never mistaken for a cache.
        """
        if self._jars_cached():
            return False
        mvn = self._require_mvn()
        self.libs_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="libs.partial-", dir=self.libs_dir.parent))
        try:
            self._run_maven(mvn, staging)
            (staging / _POM_STAMP).write_text(self._pom_digest())
            self._publish(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True

    def _jars_cached(self) -> bool:
        stamp = self.libs_dir / _POM_STAMP
        has_jars = self.libs_dir.is_dir() and any(self.libs_dir.glob("*.jar"))
        return has_jars and stamp.is_file() and stamp.read_text().strip() == self._pom_digest()

    def _pom_digest(self) -> str:
        """Changing the pom (say, its logging binding) invalidates the cache, not only a new version."""
        return hashlib.sha256(self.pom.read_bytes()).hexdigest()

    def _require_mvn(self) -> str:
        mvn = shutil.which(self.mvn)
        if mvn is None:
            raise KafkaLauncherError(
                "Maven (mvn) is required once to download the Kafka jars; install it "
                "(apt-get install -y maven) and retry."
            )
        return mvn

    def _run_maven(self, mvn: str, output_dir: Path) -> None:
        command = [
            mvn, "-q", "-B", "-f", str(self.pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={output_dir}",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if result.returncode != 0 or not any(output_dir.glob("*.jar")):
            raise KafkaLauncherError(
                f"Maven could not download the Kafka {self.version} jars (exit {result.returncode}); "
                "check access to Maven Central and retry.",
                "\n".join((result.stdout + result.stderr).splitlines()[-30:]),
            )

    def _publish(self, staging: Path) -> None:
        """Swap the finished download into place; a stale or empty folder is moved aside first."""
        if self.libs_dir.exists():
            stale = Path(tempfile.mkdtemp(prefix="libs.stale-", dir=self.libs_dir.parent))
            self.libs_dir.rename(stale / "libs")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            staging.rename(self.libs_dir)
        except OSError:
            if not self._jars_cached():  # else another process published the same jars meanwhile
                raise

    # ----- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> None:
        """Start the broker and return once it serves clients; on failure nothing is left running."""
        if self.is_running():
            raise KafkaLauncherError(f"This Kafka broker is already running at {self.bootstrap_servers}.")
        java = self._require_java()
        self.ensure_jars()
        self._choose_ports()
        self._write_config()
        self._format_storage_once(java)
        self._launch(java)
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the broker's process group (a clean shutdown), SIGKILL it if that takes too long."""
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

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would (the fault tests); ``start()`` brings it back."""
        process, self._process = self._process, None
        atexit.unregister(self.stop)
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self) -> int:
        """Block until the broker exits on its own; its exit code."""
        if self._process is None:
            raise KafkaLauncherError("The Kafka broker is not running.")
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

    def _require_java(self) -> str:
        java = shutil.which(self.java)
        version = java_major_version(java) if java else None
        if java is None or version is None or version < MIN_JAVA_VERSION:
            found = f" (found Java {version} at {java})" if version is not None else ""
            raise KafkaLauncherError(
                f"Java {MIN_JAVA_VERSION}+ is required to run the local Kafka broker{found}; install "
                "a JDK (apt-get install -y openjdk-17-jre-headless) and retry."
            )
        return java

    def _choose_ports(self) -> None:
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        while self.controller_port == self.port:
            self.controller_port = free_port()
        for port in (self.port, self.controller_port):
            if not port_is_free(port):
                raise KafkaLauncherError(
                    f"Port {port} on {HOST} is already in use; stop whatever holds it or pick another port."
                )

    def _write_config(self) -> None:
        (self.work_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.server_properties.write_text(self._server_properties_text())
        (self.work_dir / "log4j2.properties").write_text(_LOG4J2_PROPERTIES)

    def _server_properties_text(self) -> str:
        """Single node, combined mode, sized for development and tests (replication factor 1)."""
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "listeners": f"PLAINTEXT://{HOST}:{self.port},CONTROLLER://{HOST}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            # Formatted with --standalone (a dynamic quorum), hence not controller.quorum.voters.
            "controller.quorum.bootstrap.servers": f"{HOST}:{self.controller_port}",
            "log.dirs": str(self.data_dir),
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "group.min.session.timeout.ms": "1000",  # lets test clients use short session timeouts
            # A broker killed and restarted at once finds its old registration still alive in the
            # metadata log (DUPLICATE_BROKER_REGISTRATION) until that session expires: keep it short.
            "broker.session.timeout.ms": "3000",
            "broker.heartbeat.interval.ms": "500",
            "num.partitions": "3",
            "auto.create.topics.enable": "true",
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _classpath(self) -> str:
        return str(self.libs_dir / "*")

    def _java_options(self) -> list[str]:
        return [
            f"-Xmx{self.heap}",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.work_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.work_dir / 'logs'}",
        ]

    def _format_storage_once(self, java: str) -> None:
        """Format KRaft storage on first start only: formatting again would lose the data."""
        if (self.data_dir / "meta.properties").exists():
            return
        command = [
            java, *self._java_options(), "-cp", self._classpath(), "kafka.tools.StorageTool",
            "format", "--standalone", "-t", random_cluster_id(), "-c", str(self.server_properties),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise KafkaLauncherError(
                f"Formatting the Kafka storage in {self.data_dir} failed (exit {result.returncode}).",
                "\n".join((result.stdout + result.stderr).splitlines()[-30:]),
            )

    def _launch(self, java: str) -> None:
        command = [
            *(_die_with_parent_prefix() if self.die_with_parent else []),
            java, *self._java_options(), "-cp", self._classpath(), "kafka.Kafka",
            str(self.server_properties),
        ]  # fmt: skip
        self._log = self.log_file.open("wb")
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.work_dir,
            start_new_session=True,  # its own process group: stop() signals the whole group
        )
        atexit.register(self.stop)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not broker_answers(HOST, self.port):
            assert self._process is not None
            code = self._process.poll()
            if code is not None:
                raise KafkaLauncherError(
                    f"The Kafka broker exited with code {code} before it was ready; see {self.log_file}.",
                    tail(self.log_file),
                )
            if time.monotonic() > deadline:
                raise KafkaLauncherError(
                    f"The Kafka broker did not answer on {self.bootstrap_servers} within {timeout:.0f}s; "
                    f"see {self.log_file}.",
                    tail(self.log_file),
                )
            time.sleep(0.2)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signum)


# ----- command line ------------------------------------------------------------------------------


class _StopRequested(Exception):
    """Raised from the SIGTERM handler so that a foreground broker stops like on Ctrl-C."""


def _raise_stop_requested(signum: int, frame: object) -> None:
    raise _StopRequested


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.local.kafka", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="download the Kafka jars into the cache (once)")
    start = commands.add_parser("start", help="run a broker in the foreground until Ctrl-C or SIGTERM")
    start.add_argument("--port", type=int, default=9092, help="client port (0 = any free port)")
    start.add_argument("--controller-port", type=int, default=0, help="KRaft controller port (0 = any)")
    start.add_argument("--dir", type=Path, default=Path("var/kafka"), help="data and log folder")
    start.add_argument("--heap", default="512m", help="JVM maximum heap, e.g. 512m or 1g")
    start.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for readiness")
    for command in (start, commands.choices["fetch"]):
        command.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="jar cache root")
        command.add_argument("--java", default=None, help="java executable (default: $JAVA_HOME/bin/java)")
    return parser.parse_args(argv)


def _fetch(args: argparse.Namespace) -> int:
    launcher = KafkaLauncher(tempfile.gettempdir(), cache_dir=args.cache_dir, java=args.java)
    downloaded = launcher.ensure_jars()
    print(
        f"Kafka {launcher.version} jars {'downloaded to' if downloaded else 'already in'} {launcher.libs_dir}"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    launcher = KafkaLauncher(
        args.dir, port=args.port, controller_port=args.controller_port, cache_dir=args.cache_dir,
        heap=args.heap, java=args.java,
    )  # fmt: skip
    signal.signal(signal.SIGTERM, _raise_stop_requested)
    try:
        launcher.start(timeout=args.timeout)
        print(
            f"Kafka {launcher.version} is ready at {launcher.bootstrap_servers} "
            f"(log: {launcher.log_file}); press Ctrl-C to stop.",
            flush=True,
        )
        code = launcher.wait()
        raise KafkaLauncherError(
            f"The Kafka broker exited unexpectedly with code {code}; see {launcher.log_file}."
        )
    except (KeyboardInterrupt, _StopRequested):
        print("Stopping Kafka...", flush=True)
        return 0
    finally:
        launcher.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point; a ``KafkaLauncherError`` becomes one line on stderr and exit status 2."""
    args = _parse_args(argv)
    try:
        return _fetch(args) if args.command == "fetch" else _serve(args)
    except KafkaLauncherError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
