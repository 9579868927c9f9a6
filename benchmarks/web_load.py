"""Load on the web app: concurrent users browsing, searching and reading proposals.

    .venv/bin/python -m benchmarks.web_load [--users 100] [--seconds 60]
        [--database sqlite|postgres|both] [--workers 2] [--spawn-rate 20]
        [--baseline-seconds SECONDS]

For each database, in a fresh temporary one (an SQLite file; a throwaway PostgreSQL server
started as the test suite starts it, tests/support/postgres.py):

1. Builds the demo region as `sidestream demo` does (schema, organisations, streams, needs,
   matching), opens synergies from the ten best proposals, and makes a facilitator and one
   member of each of the four organisations with the most proposals, each with an API token.
2. Starts the server as its own process (uvicorn with the app factory, --workers N) and waits
   for /healthz.
3. Probes every path of the table in benchmarks/web_load_users.py once, as its reader: a path
   that answers 404 is not available yet and is left out of the run (said in the output), not
   counted as an error.
4. Runs locust headless (in its own process, on the same machine): the users start at
   --spawn-rate a second, the figures are reset once all of them run, and then they run for
   --seconds. Each user waits a think time after every response (THINK_TIME_S in the users
   file). First the baseline, the same users asking only for /healthz (the framework's floor:
   no database, no template), then the mix.
5. Prints requests, failures, requests a second and p50/p95/p99/max response times, overall
   and per endpoint, the ratio to the baseline, the server's peak resident memory (VmHWM of
   each server process) and PASS or FAIL against the target. To tell why: the CPU one request
   of each endpoint costs the server (and PostgreSQL), asked one at a time before the load,
   the capacity that makes, and how busy the cores were during the run, by whom.

Target (the web load issue): 100 users for 60 s on SQLite with 0 errors and p95 under 150 ms;
the same figures on PostgreSQL. The load generator shares the machine's cores with the server
(and with PostgreSQL): a machine that only serves does at least as well. Needs locust (in the
dev extras).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.web_load_users import (
    BASELINE_PATH,
    ENDPOINTS,
    ENDPOINTS_VARIABLE,
    READER_SHARES,
    THINK_TIME_S,
    TOKENS_VARIABLE,
    USER_CLASS_NAMES,
    Endpoint,
    Reader,
)
from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.bootstrap.container import Container
from sidestream.bootstrap.settings import Settings
from sidestream.domain.accounts import Principal
from sidestream.domain.matching import DEFAULT_TOP_K
from sidestream.services.accounts import bootstrap_administrator, create_api_token, create_user
from sidestream.services.demo import build_demo_region
from sidestream.services.matching import run_matching
from sidestream.services.synergies import open_synergy

TARGET_P95_MS = 150.0
TARGET_FAILURES = 0
MEMBER_ORGANISATIONS = 4
SYNERGIES_OPENED = 10
USERS_FILE = Path(__file__).with_name("web_load_users.py")
APP_FACTORY = "sidestream.entrypoints.server:create_app_from_environment"
SERVER_START_TIMEOUT_S = 120.0


# --- the database and its demo region ------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    organisations: int
    streams: int
    needs: int
    proposals: int
    synergies: int
    member_tokens: list[str]
    facilitator_tokens: list[str]
    build_s: float


def build_region(database_url: str) -> Region:
    """The demo region as `sidestream demo --no-serve` builds it, plus synergies and accounts."""
    started = time.perf_counter()
    container = Container(settings=Settings(database_url=database_url))
    try:
        container.upgrade_database()
        today, now = container.today(), container.clock.now()
        report = build_demo_region(
            load_demo_tables(),
            container.unit_of_work,
            container.reference,
            container.regulatory_knowledge,
            today,
            now,
        )
        matched = run_matching(
            container.unit_of_work,
            container.reference,
            container.knowledge_base,
            today,
            DEFAULT_TOP_K,
        )
        with container.unit_of_work() as uow:
            records = uow.proposals.list_all()
            owner = {stream.stream_id: stream.organisation_id for stream in uow.streams.list_all()}
            owner_of_need = {need.need_id: need.organisation_id for need in uow.needs.list_all()}
        operator = Principal.operator()
        best = sorted(records, key=lambda record: -record.proposal.score)[:SYNERGIES_OPENED]
        for record in best:
            assert record.proposal_id is not None
            open_synergy(container.unit_of_work, record.proposal_id, operator, now, "load test")
        involved: Counter[int] = Counter()
        for record in records:
            involved[owner[record.proposal.stream_id]] += 1
            involved[owner_of_need[record.proposal.need_id]] += 1
        password = secrets.token_urlsafe(18)
        hasher = container.password_hasher
        bootstrap_administrator(
            container.unit_of_work,
            hasher,
            email="load-admin@example.org",
            display_name="Load administrator",
            password=password,
            now=now,
        )
        accounts: list[tuple[str, str, bool, frozenset[int]]] = [
            ("load-facilitator@example.org", "Load facilitator", True, frozenset())
        ]
        for number, (organisation_id, _) in enumerate(involved.most_common(MEMBER_ORGANISATIONS)):
            accounts.append(
                (
                    f"load-member-{number + 1}@example.org",
                    f"Load member {number + 1}",
                    False,
                    frozenset({organisation_id}),
                )
            )
        tokens: dict[bool, list[str]] = {True: [], False: []}
        for email, name, is_facilitator, organisation_ids in accounts:
            user = create_user(
                container.unit_of_work,
                hasher,
                operator,
                email=email,
                display_name=name,
                password=password,
                now=now,
                is_facilitator=is_facilitator,
                organisation_ids=organisation_ids,
            )
            assert user.user_id is not None
            issued = create_api_token(
                container.unit_of_work, operator, user.user_id, "web load", None, now
            )
            tokens[is_facilitator].append(issued.secret)
    finally:
        container.dispose()
    created = {imported.table.value: imported.created for imported in report.imports}
    return Region(
        organisations=created.get("organisations", 0),
        streams=created.get("streams", 0),
        needs=created.get("needs", 0),
        proposals=matched.proposals,
        synergies=len(best),
        member_tokens=tokens[False],
        facilitator_tokens=tokens[True],
        build_s=time.perf_counter() - started,
    )


@contextmanager
def temporary_database(kind: str) -> Iterator[tuple[str, int | None]]:
    """The URL of a fresh, empty database of the kind, removed afterwards, and the process id
    of its server (None for SQLite)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sidestream-load-") as directory:
            yield f"sqlite:///{Path(directory) / 'sidestream.sqlite3'}", None
        return
    from tests.support.postgres import TemporaryPostgres

    server = TemporaryPostgres.start()
    try:
        server.wait_ready()
        admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "sidestream"'))
        admin.dispose()
        postmaster = (server.directory / "data" / "postmaster.pid").read_text().split()[0]
        yield server.url("sidestream"), int(postmaster)
    finally:
        server.stop()


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_tree(root: int) -> list[int]:
    """The process and its descendants (uvicorn's workers, PostgreSQL's backends)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def cpu_s_of(root: int | None) -> float:
    """CPU seconds (user and system) the process and its descendants have used so far: those
    alive, and those ended (counted in their parent's cutime and cstime once it reaped them)."""
    if root is None:
        return 0.0
    ticks = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path
    database_pid: int | None  # PostgreSQL's postmaster; None for SQLite

    def cpu_s(self) -> float:
        return cpu_s_of(self.process.pid)

    def database_cpu_s(self) -> float:
        return cpu_s_of(self.database_pid)

    def memory_mb(self, field_name: str) -> list[float]:
        """VmHWM (peak) or VmRSS (now) of each server process, in MB."""
        sizes = []
        for pid in process_tree(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith(f"{field_name}:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes


@contextmanager
def running_server(
    database_url: str, database_pid: int | None, workers: int, directory: Path
) -> Iterator[Server]:
    port = free_port()
    log = directory / "server.log"
    environment = {
        **os.environ,
        "SIDESTREAM_DATABASE_URL": database_url,
        "SIDESTREAM_SECRET_KEY": secrets.token_urlsafe(32),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        APP_FACTORY,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",  # as `sidestream serve`: no access log
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT, cwd=directory
        )
    server = Server(process, f"http://127.0.0.1:{port}", log, database_pid)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{log.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz:\n{log.read_text()}")
            try:
                if probe(server.base_url, BASELINE_PATH, {}) == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def probe(base_url: str, url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(base_url + url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def cpu_ms_per_request(server: Server, url: str, headers: dict[str, str], count: int) -> float:
    """The CPU time of the server and of PostgreSQL per request, one request at a time: what
    one request costs."""
    before = server.cpu_s() + server.database_cpu_s()
    for _ in range(count):
        probe(server.base_url, url, headers)
    return (server.cpu_s() + server.database_cpu_s() - before) * 1000 / count


def headers_of(reader: Reader, region: Region) -> dict[str, str]:
    token = {
        Reader.VISITOR: None,
        Reader.MEMBER: region.member_tokens[0],
        Reader.FACILITATOR: region.facilitator_tokens[0],
    }[reader]
    return {"Authorization": f"Bearer {token}"} if token else {}


# --- locust and its figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def machine_busy_s() -> float:
    """CPU seconds all cores of the machine have been busy (not idle, not waiting on I/O)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class CpuUse:
    """Average cores busy during a run: the machine's, the server's and locust's."""

    machine: float
    server: float
    database: float  # PostgreSQL's processes (SQLite runs inside the server)
    locust: float


@dataclass
class LoadRun:
    rows: dict[str, Figures]  # by endpoint path, and "Aggregated"
    cpu: CpuUse
    failures: list[tuple[str, str, int]] = field(default_factory=list)  # path, error, count
    exceptions: list[tuple[str, int]] = field(default_factory=list)  # message, count

    @property
    def overall(self) -> Figures:
        return self.rows["Aggregated"]


def _number(value: str) -> float:
    return math.nan if value in ("", "N/A") else float(value)


def run_locust(
    server: Server,
    classes: list[str],
    users: int,
    spawn_rate: float,
    seconds: int,
    environment: dict[str, str],
    directory: Path,
    label: str,
) -> LoadRun:
    """locust headless against the server; figures from the moment all users run."""
    ramp_s = math.ceil(users / spawn_rate)
    prefix = directory / label
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(USERS_FILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{ramp_s + seconds}s",
        "--reset-stats",  # once every user runs: the ramp is not in the figures
        "--host",
        server.base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    log = directory / f"{label}.log"
    started = (
        time.monotonic(),
        machine_busy_s(),
        server.cpu_s(),
        server.database_cpu_s(),
        children_cpu_s(),
    )
    with log.open("wb") as output:
        result = subprocess.run(
            command,
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    wall_s = time.monotonic() - started[0]
    cpu = CpuUse(
        machine=(machine_busy_s() - started[1]) / wall_s,
        server=(server.cpu_s() - started[2]) / wall_s,
        database=(server.database_cpu_s() - started[3]) / wall_s,
        locust=(children_cpu_s() - started[4]) / wall_s,
    )
    stats = Path(f"{prefix}_stats.csv")
    if result.returncode not in (0, 1) or not stats.exists():  # 1: some requests failed
        raise RuntimeError(f"locust failed ({result.returncode}):\n{log.read_text()[-4000:]}")
    rows = {}
    with stats.open(newline="") as file:
        for row in csv.DictReader(file):
            rows[row["Name"]] = Figures(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=_number(row["Requests/s"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
                max_ms=_number(row["Max Response Time"]),
            )
    run = LoadRun(rows, cpu)
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as file:
            run.failures = [
                (row["Name"], row["Error"], int(row["Occurrences"])) for row in csv.DictReader(file)
            ]
    exceptions = Path(f"{prefix}_exceptions.csv")
    if exceptions.exists():
        with exceptions.open(newline="") as file:
            run.exceptions = [(row["Message"], int(row["Count"])) for row in csv.DictReader(file)]
    return run


# --- one database ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    database: str
    mix: Figures
    baseline: Figures
    peak_rss_mb: list[float]
    passed: bool


SEQUENTIAL_REQUESTS = 10  # per endpoint, one at a time, for its CPU cost


def _figures_line(label: str, figures: Figures, cpu_ms: float | None) -> str:
    cpu = "" if cpu_ms is None else f"{cpu_ms:>8.1f}"
    return (
        f"  {label:<34} {figures.requests:>8,} {figures.failures:>6,} {figures.rps:>7.1f} "
        f"{figures.p50_ms:>6.0f} {figures.p95_ms:>6.0f} {figures.p99_ms:>6.0f} "
        f"{figures.max_ms:>7.0f}{cpu}"
    )


HEADER = (
    f"  {'endpoint':<34} {'requests':>8} {'fails':>6} {'req/s':>7} "
    f"{'p50':>6} {'p95':>6} {'p99':>6} {'max ms':>7} {'CPU ms':>7}"
)


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.1f}×" if baseline > 0 else "n/a"


def probe_endpoints(server: Server, region: Region) -> tuple[list[Endpoint], list[Endpoint]]:
    """The endpoints of the table that answer, and those that answer 404 (not there yet)."""
    chosen: list[Endpoint] = []
    missing: list[Endpoint] = []
    for endpoint in ENDPOINTS:
        url = endpoint.url(endpoint.queries[0])
        status = probe(server.base_url, url, headers_of(endpoint.reader, region))
        if status == 404:
            missing.append(endpoint)
            continue
        chosen.append(endpoint)
        if status >= 400:
            print(
                f"  probe: {url} ({endpoint.reader}) answered {status}; kept in the run, "
                "where its failures count"
            )
    return chosen, missing


def request_shares(chosen: list[Endpoint]) -> dict[str, float]:
    """The expected share of each endpoint in the mix's requests (every user asks at the same
    pace, so a reader's share of users is its share of requests)."""
    readers = {endpoint.reader for endpoint in chosen}
    users = sum(READER_SHARES[reader] for reader in readers)
    shares = {}
    for endpoint in chosen:
        weights = sum(e.weight for e in chosen if e.reader is endpoint.reader)
        shares[endpoint.key] = READER_SHARES[endpoint.reader] / users * endpoint.weight / weights
    return shares


def run_database(kind: str, arguments: argparse.Namespace) -> Outcome:
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
    print(f"\n== {title} ==", flush=True)
    with (
        temporary_database(kind) as (database_url, database_pid),
        tempfile.TemporaryDirectory(prefix="sidestream-load-run-") as scratch,
    ):
        directory = Path(scratch)
        region = build_region(database_url)
        print(
            f"demo region: {region.organisations} organisations, {region.streams} streams, "
            f"{region.needs} needs, {region.proposals} proposals, {region.synergies} synergies "
            f"opened; {len(region.member_tokens)} members and "
            f"{len(region.facilitator_tokens)} facilitator with API tokens "
            f"(built in {region.build_s:.1f} s)",
            flush=True,
        )
        with running_server(database_url, database_pid, arguments.workers, directory) as server:
            idle_mb = server.memory_mb("VmRSS")
            print(
                f"server: uvicorn --workers {arguments.workers}, {len(idle_mb)} process(es), "
                f"{sum(idle_mb):.0f} MB resident after start",
                flush=True,
            )
            chosen, missing = probe_endpoints(server, region)
            if missing:
                print(
                    "not available yet (404 at the probe; left out of the run, not counted as "
                    "errors): " + ", ".join(f"{e.path} ({e.reader})" for e in missing)
                )
            readers = [reader for reader in Reader if any(e.reader is reader for e in chosen)]
            cpu_ms = {
                endpoint.key: cpu_ms_per_request(
                    server,
                    endpoint.url(endpoint.queries[0]),
                    headers_of(endpoint.reader, region),
                    SEQUENTIAL_REQUESTS,
                )
                for endpoint in chosen
            }
            baseline_cpu_ms = cpu_ms_per_request(server, BASELINE_PATH, {}, SEQUENTIAL_REQUESTS)
            environment = {
                TOKENS_VARIABLE: json.dumps(
                    {
                        Reader.MEMBER.value: region.member_tokens,
                        Reader.FACILITATOR.value: region.facilitator_tokens,
                    }
                ),
                ENDPOINTS_VARIABLE: json.dumps([endpoint.key for endpoint in chosen]),
            }
            load = (arguments.users, arguments.spawn_rate)
            baseline = run_locust(
                server,
                [USER_CLASS_NAMES[None]],
                *load,
                arguments.baseline_seconds,
                environment,
                directory,
                "baseline",
            )
            mix = run_locust(
                server,
                [USER_CLASS_NAMES[reader] for reader in readers],
                *load,
                arguments.seconds,
                environment,
                directory,
                "mix",
            )
            peak_mb = server.memory_mb("VmHWM")
            log_tail = "\n".join(server.log.read_text().splitlines()[-12:])
    print(f"{HEADER}  (CPU: server and database, per request, {SEQUENTIAL_REQUESTS} one at a time)")
    for endpoint in chosen:
        figures = mix.rows.get(endpoint.path)
        if figures is None:
            print(f"  {endpoint.path:<34} {0:>8} (not asked for in this run)")
        else:
            print(_figures_line(endpoint.path, figures, cpu_ms[endpoint.key]))
    shares = request_shares(chosen)
    mix_cpu_ms = sum(shares[key] * cpu for key, cpu in cpu_ms.items())
    overall, floor = mix.overall, baseline.overall
    print(_figures_line("all of the mix", overall, mix_cpu_ms))
    print(_figures_line(f"baseline: {BASELINE_PATH} alone", floor, baseline_cpu_ms))
    print(
        f"  mix against the baseline: p50 {_ratio(overall.p50_ms, floor.p50_ms)}, "
        f"p95 {_ratio(overall.p95_ms, floor.p95_ms)}, "
        f"p99 {_ratio(overall.p99_ms, floor.p99_ms)}, "
        f"requests a second {_ratio(overall.rps, floor.rps)}"
    )
    cores = min(arguments.workers, os.cpu_count() or 1)  # one worker runs Python on one core
    mean_think_s = sum(THINK_TIME_S) / 2
    print(
        f"  capacity: the mix costs {mix_cpu_ms:.0f} ms of CPU a request, so {cores} "
        f"core(s) serve at most {cores * 1000 / mix_cpu_ms:.0f} requests a second; "
        f"{arguments.users} users at {mean_think_s:g} s mean think time ask up to "
        f"{arguments.users / mean_think_s:.0f}"
    )
    print(
        f"  server peak resident memory (VmHWM): {sum(peak_mb):.0f} MB in all "
        f"({', '.join(f'{size:.0f}' for size in peak_mb)} MB by process)"
    )
    for path, error, count in [*mix.failures, *baseline.failures][:10]:
        print(f"  failed {count}×: {path}: {error}")
    for message, count in [*mix.exceptions, *baseline.exceptions][:5]:
        print(f"  locust user error {count}×: {message}")
    if (mix.failures or baseline.failures) and log_tail.strip():
        print("  end of the server's log:\n" + log_tail)
    use = mix.cpu
    print(
        f"  cores busy during the mix (of {os.cpu_count()}): {use.machine:.2f} in all, server "
        f"{use.server:.2f}"
        + (f", PostgreSQL {use.database:.2f}" if kind == "postgres" else "")
        + f", locust {use.locust:.2f}, other work on the machine "
        f"{use.machine - use.server - use.database - use.locust:.2f}"
    )
    failures = overall.failures + floor.failures
    passed = failures <= TARGET_FAILURES and overall.p95_ms < TARGET_P95_MS
    print(
        f"{'PASS' if passed else 'FAIL'} ({title}): {overall.failures} failures of "
        f"{overall.requests:,} requests (target {TARGET_FAILURES}), p95 {overall.p95_ms:.0f} ms "
        f"(target < {TARGET_P95_MS:.0f} ms)",
        flush=True,
    )
    return Outcome(title, overall, floor, peak_mb, passed)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--users", type=int, default=100, help="concurrent users")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds at full load")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--spawn-rate", type=float, default=20.0, help="users started a second")
    parser.add_argument(
        "--baseline-seconds", type=int, default=None, help="seconds of /healthz (default: same)"
    )
    arguments = parser.parse_args()
    if importlib.util.find_spec("locust") is None:
        parser.error("locust is not installed: .venv/bin/pip install -e '.[dev]'")
    if arguments.baseline_seconds is None:
        arguments.baseline_seconds = arguments.seconds
    shares = sum(READER_SHARES.values())
    print(
        f"Web load: {arguments.users} users ("
        + ", ".join(
            f"{share * 100 // shares} % {reader}s" for reader, share in READER_SHARES.items()
        )
        + f"), think time {THINK_TIME_S[0]}–{THINK_TIME_S[1]} s (uniform) after each response; "
        f"started at {arguments.spawn_rate:g} a second, then {arguments.seconds} s measured "
        f"(baseline {arguments.baseline_seconds} s); locust on the same {os.cpu_count()} cores "
        "as the server",
        flush=True,
    )
    databases = ["sqlite", "postgres"] if arguments.database == "both" else [arguments.database]
    outcomes = [run_database(kind, arguments) for kind in databases]
    print("\nSummary")
    for outcome in outcomes:
        print(
            f"  {outcome.database:<10} {'PASS' if outcome.passed else 'FAIL'}  "
            f"{outcome.mix.requests:,} requests, {outcome.mix.failures} failures, "
            f"{outcome.mix.rps:.1f}/s, p50 {outcome.mix.p50_ms:.0f} ms, "
            f"p95 {outcome.mix.p95_ms:.0f} ms, p99 {outcome.mix.p99_ms:.0f} ms "
            f"(/healthz p95 {outcome.baseline.p95_ms:.0f} ms, "
            f"{_ratio(outcome.mix.p95_ms, outcome.baseline.p95_ms)}), "
            f"peak RSS {sum(outcome.peak_rss_mb):.0f} MB"
        )


if __name__ == "__main__":
    main()
