"""Real Redis and PostgreSQL servers, started for the tests on free loopback ports (Debian packages)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@pytest.fixture(scope="session")
def redis_url():
    binary = shutil.which("redis-server")
    if not binary:
        pytest.fail("redis-server is not installed: run `make test`, which installs it.")
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="fittingroom-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make test`, which installs it.")
    return found[-1]


@pytest.fixture(scope="session")
def postgres_url():
    """Start a throwaway PostgreSQL cluster (as the postgres user when run as root)."""
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="fittingroom-pg-"))
    data = workdir / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(as_user + [_pg_bin("initdb"), "-D", str(data), "-U", "shop", "--auth=trust", "-E", "UTF8"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        as_user + [_pg_bin("pg_ctl"), "-D", str(data), "-l", str(workdir / "log"), "-w", "-o",
                   f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )
    try:
        _wait_port(port)
        yield f"postgres://shop@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_user + [_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(workdir, ignore_errors=True)
