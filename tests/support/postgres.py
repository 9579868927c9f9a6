"""A throwaway PostgreSQL server for the integration tests, from the machine's PostgreSQL
binaries (Debian's postgresql package; `.ci/run` installs it)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("pg_config"):
        output = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        )
        if output.returncode == 0:
            candidates.insert(0, output.stdout.strip())
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class TemporaryPostgres:
    """initdb + pg_ctl start in a temporary directory; PostgreSQL refuses to run as root, so
    as root the server runs as the `postgres` system user."""

    bindir: Path
    directory: Path
    port: int
    run_as: str | None

    @classmethod
    def start(cls) -> TemporaryPostgres:
        bindir = _find_bindir()
        if bindir is None:
            raise RuntimeError(
                "no PostgreSQL server binaries found: install Debian's postgresql package or set "
                "SIDESTREAM_TEST_DATABASE_URL"
            )
        run_as = "postgres" if os.geteuid() == 0 else None
        directory = Path(tempfile.mkdtemp(prefix="sidestream-pg-"))
        if run_as:
            user = pwd.getpwnam(run_as)
            os.chown(directory, user.pw_uid, user.pw_gid)
        server = cls(bindir, directory, _free_port(), run_as)
        server._run(
            str(bindir / "initdb"),
            "-D",
            str(directory / "data"),
            "-U",
            "sidestream",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        server._run(
            str(bindir / "pg_ctl"),
            "-D",
            str(directory / "data"),
            "-l",
            str(directory / "log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            f"-p {server.port} -h 127.0.0.1 -k {directory} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
        )
        return server

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.directory / "log"
            detail = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {result.stderr}{result.stdout}{detail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://sidestream@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "immediate",
                "stop",
            )
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start listening")
