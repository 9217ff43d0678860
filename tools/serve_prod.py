"""Run the production layout locally: nginx in front of N Daphne workers, Redis and PostgreSQL.

    .venv/bin/python tools/serve_prod.py [--workers 4] [--port 8080] [--run-dir .run]   (make serve-prod WORKERS=4)
    .venv/bin/python tools/serve_prod.py status [--run-dir .run]

What runs, all unprivileged on loopback, everything under ``--run-dir`` (logs in ``<run-dir>/logs``):

* **nginx** on ``--port`` (default 8080), from a configuration generated into
  ``<run-dir>/nginx/nginx.conf`` whose limits are derived from the app's settings
  (:mod:`fittingroom.proxy`): body size, tunnel idle timeout;
* **N Daphne workers** (``--workers``) on ports ``--port + 1 ..`` with ``--proxy-headers``, DEBUG
  off; a worker that dies is started again after a second (its shoppers' pages reconnect to another
  worker at once, static/tryon/js/server-client.js);
* **Redis** (channel layer, cache, and the live try-on's connection limits across all workers),
  unless ``REDIS_URL`` names one;
* **PostgreSQL**, a cluster in ``<run-dir>/postgres`` kept between runs, unless ``DATABASE_URL``
  names one. Migrations run once before the workers start, and the demo store is loaded when the
  catalog is empty.

Every few seconds one status line per process is printed (pid, port, up or down, RSS, and each
worker's ``/healthz``: its live streams, Redis's view); ``status`` prints them once for a running
layout. Ctrl-C stops everything. Production itself runs the same pieces under a supervisor
(systemd), with TLS in front; README, "Production layout".

:class:`Layout` is also what tests/services/test_workers.py and ``bench/server.py --workers`` drive.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
DAPHNE = ROOT / ".venv" / "bin" / "daphne"
UNPRIVILEGED = "nobody"  # nginx, when this is run as root, runs as this user (its run directory must be reachable)


def free_port() -> int:
    """Return a loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float, proc: subprocess.Popen | None = None, name: str = "") -> None:
    """Wait until something listens on ``port`` (raise if ``proc`` exits or time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{name or 'process'} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name or 'nothing'} is not listening on port {port} after {timeout:g} s")


def rss_mb(pid: int) -> float | None:
    """Return process ``pid``'s resident memory in MB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def healthz(port: int, timeout: float = 1.0) -> dict | None:
    """Return a worker's ``/healthz`` JSON, or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def _tree_stamp(folder: Path) -> str:
    """Return a digest of every file's path, size and modification time under ``folder``."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            info = path.stat()
            digest.update(f"{path.relative_to(folder)}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run tools/setup.sh --system")
    return found[-1]


def _binary(name: str, *extra: str) -> str:
    for candidate in (shutil.which(name), *extra):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(f"{name} is not installed: run tools/setup.sh --system")


@dataclass
class Proc:
    """One process of the layout."""

    name: str
    port: int
    args: list[str]
    log: Path
    env: dict | None = None
    popen: subprocess.Popen | None = None
    starts: int = 0
    died_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            out.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} start {self.name}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)
        self.starts += 1
        self.died_at = None

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


@dataclass
class Layout:
    """nginx + N Daphne workers + Redis + PostgreSQL (see the module docstring).

    Args:
        workers: how many Daphne processes.
        port: nginx's port (0: a free one); workers get free ports.
        run_dir: configuration, data, pid files and logs.
        redis_url, database_url: use these servers instead of starting them.
        env: extra environment for the workers (e.g. ``FITTINGROOM_LIVE_IDLE_TIMEOUT``).
        seed: Python run with ``manage.py shell -c`` after migrating (default: the demo store if empty).
        restart_after: seconds before a dead worker is started again (None: never).
        collectstatic: collect static files for DEBUG off (the pages need them; a test of sockets does not).
    """

    workers: int = 2
    port: int = 8080
    run_dir: Path = ROOT / ".run"
    redis_url: str | None = None
    database_url: str | None = None
    env: dict = field(default_factory=dict)
    seed: str | None = None
    restart_after: float | None = 1.0
    collectstatic: bool = True

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir).resolve()
        self.logs = self.run_dir / "logs"
        self.procs: list[Proc] = []
        self.redis: Proc | None = None
        self.postgres_data: Path | None = None
        self.nginx: Proc | None = None
        self.worker_procs: list[Proc] = []
        self._monitor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    # -- services ------------------------------------------------------------

    def _start_redis(self) -> None:
        port = free_port()
        data = self.run_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        self.redis = Proc("redis", port, [_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no", "--dir", str(data)],
                          self.logs / "redis.log")
        self.redis.start()
        wait_port(port, 20, self.redis.popen, "redis")
        self.redis_url = f"redis://127.0.0.1:{port}/0"

    def restart_redis(self, down_for: float = 0.0) -> None:
        """Stop the layout's own Redis and start it again on the same port (empty: no persistence)."""
        assert self.redis is not None, "Redis was given by URL, not started here"
        self.redis.stop()
        time.sleep(down_for)
        self.redis.start()
        wait_port(self.redis.port, 20, self.redis.popen, "redis")

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _start_postgres(self) -> None:
        data = self.run_dir / "postgres"
        port = free_port()
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres")
            subprocess.run(self._as_postgres() + [_pg_bin("initdb"), "-D", str(data), "-U", "shop", "--auth=trust",
                                                  "-E", "UTF8"], check=True, stdout=subprocess.DEVNULL)
        socket_dir = self.run_dir / "postgres-socket"
        socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(socket_dir, "postgres")
        log = self.logs / "postgres.log"
        log.touch()
        if os.geteuid() == 0:
            shutil.chown(log, "postgres")
        subprocess.run(self._as_postgres() + [
            _pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
            f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1", "start",
        ], check=True, stdout=subprocess.DEVNULL)
        self.postgres_data = data
        wait_port(port, 30, name="postgres")
        self.database_url = f"postgres://shop@127.0.0.1:{port}/postgres"
        (self.run_dir / "postgres.port").write_text(str(port))

    def _stop_postgres(self) -> None:
        if self.postgres_data is not None:
            subprocess.run(self._as_postgres() + [_pg_bin("pg_ctl"), "-D", str(self.postgres_data), "-m", "fast",
                                                  "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False)
            self.postgres_data = None

    # -- the app -------------------------------------------------------------

    def worker_env(self) -> dict:
        """Return the workers' environment: production settings, plain HTTP on loopback."""
        key_file = self.run_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": "fittingroom.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": key_file.read_text().strip(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback; production puts TLS in front and leaves these at their defaults.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DATABASE_URL": self.database_url or "",
            "REDIS_URL": self.redis_url or "",
            "PYTHONUNBUFFERED": "1",
            "FITTINGROOM_LIVE_PRELOAD": "1",  # a worker listens once its pose model loads
        })
        env.update(self.env)
        return env

    def _manage(self, *args: str) -> None:
        out = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=self.worker_env(),
                             capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout[-2000:]}{out.stderr[-3000:]}")

    def _prepare(self) -> None:
        self._manage("migrate", "--noinput", "-v", "0")
        if self.seed is None:
            self._manage("load_demo_store", "--if-empty")
        elif self.seed:
            self._manage("shell", "-c", self.seed)
        if self.collectstatic:
            # WhiteNoise compresses every file on each collectstatic (minutes for the runtime and
            # models): run it again only when a static file changed.
            stamp_file = self.run_dir / "collectstatic.stamp"
            stamp = _tree_stamp(ROOT / "static")
            if not (ROOT / "staticfiles").is_dir() or not stamp_file.exists() or stamp_file.read_text() != stamp:
                print("collecting static files (compressing; a few minutes the first time)", flush=True)
                self._manage("collectstatic", "--noinput", "-v", "0")
                stamp_file.write_text(stamp)

    def _proxy_limits(self):
        """Return the proxy's limits as the workers' settings give them (fittingroom.proxy)."""
        code = ("import django, json, dataclasses; django.setup(); from fittingroom.proxy import proxy_limits;"
                "print(json.dumps(dataclasses.asdict(proxy_limits())))")
        out = subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, env=self.worker_env(), capture_output=True,
                             text=True, check=True)
        from fittingroom.proxy import ProxyLimits

        return ProxyLimits(**json.loads(out.stdout.strip().splitlines()[-1]))

    def _start_nginx(self) -> None:
        from fittingroom.proxy import nginx_conf

        prefix = self.run_dir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        self.limits = self._proxy_limits()
        as_user: list[str] = []
        if os.geteuid() == 0:
            # Never as root: nginx runs as an unprivileged user, which owns its directory (pid file,
            # error log, temporary files) and must be able to reach it.
            entry = pwd.getpwnam(UNPRIVILEGED)
            for path in [prefix, *(prefix / f"tmp-{name}" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))]:
                path.mkdir(exist_ok=True)
                os.chown(path, entry.pw_uid, entry.pw_gid)
            as_user = ["runuser", "-u", UNPRIVILEGED, "--"]
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(listen=self.port, workers=[w.port for w in self.worker_procs], prefix=prefix,
                                   limits=self.limits))
        nginx = _binary("nginx", "/usr/sbin/nginx")
        test = subprocess.run([*as_user, nginx, "-t", "-q", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)],
                              capture_output=True, text=True)
        if test.returncode:
            raise RuntimeError(f"nginx refused its configuration:\n{test.stderr}")
        self.nginx = Proc("nginx", self.port, [*as_user, nginx, "-p", str(prefix), "-e", str(prefix / "error.log"),
                                               "-c", str(conf)], self.logs / "nginx.log")
        self.nginx.start()
        wait_port(self.port, 20, self.nginx.popen, "nginx")

    def _worker(self, index: int) -> Proc:
        port = free_port()
        return Proc(f"worker-{index}", port,
                    [str(DAPHNE), "--proxy-headers", "-b", "127.0.0.1", "-p", str(port),
                     "--access-log", str(self.logs / f"worker-{index}.access.log"), "fittingroom.asgi:application"],
                    self.logs / f"worker-{index}.log", env=self.worker_env())

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> "Layout":
        """Start Redis, PostgreSQL, migrate, the workers, then nginx; then watch the workers."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            if not self.redis_url:
                self._start_redis()
            if not self.database_url:
                self._start_postgres()
            self._prepare()
            if not self.port:
                self.port = free_port()
            self.worker_procs = [self._worker(i + 1) for i in range(self.workers)]
            for worker in self.worker_procs:
                worker.start()
            for worker in self.worker_procs:
                wait_port(worker.port, 90, worker.popen, worker.name)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        (self.run_dir / "layout.json").write_text(json.dumps(self.describe(), indent=2))
        self._monitor = threading.Thread(target=self._watch, name="layout-monitor", daemon=True)
        self._monitor.start()
        return self

    def _watch(self) -> None:
        """Start dead workers again after ``restart_after`` seconds."""
        while not self._stopping.wait(0.1):
            if self.restart_after is None:
                continue
            with self._lock:
                for worker in self.worker_procs:
                    if worker.alive():
                        continue
                    now = time.monotonic()
                    if worker.died_at is None:
                        worker.died_at = now
                    elif now - worker.died_at >= self.restart_after and not self._stopping.is_set():
                        worker.start()

    def kill_worker(self, index: int, sig: int = signal.SIGKILL) -> int:
        """Send ``sig`` to worker ``index`` (0-based); return its pid."""
        worker = self.worker_procs[index]
        pid = worker.pid
        with self._lock:
            worker.popen.send_signal(sig)
            worker.popen.wait()
            worker.died_at = time.monotonic()
        return pid

    def wait_workers_up(self, timeout: float = 90.0) -> None:
        """Wait until every worker answers its /healthz."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(w.alive() and healthz(w.port, 0.5) for w in self.worker_procs):
                return
            time.sleep(0.1)
        raise RuntimeError("workers not all up")

    def stop(self) -> None:
        """Stop every process this layout started (nginx first, PostgreSQL last)."""
        self._stopping.set()
        if self._monitor is not None:
            self._monitor.join(timeout=5)
        for proc in [self.nginx, *self.worker_procs, self.redis]:
            if proc is not None:
                proc.stop()
        self._stop_postgres()

    def __enter__(self) -> "Layout":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- health --------------------------------------------------------------

    def describe(self) -> dict:
        """Return the processes as JSON (written to <run-dir>/layout.json for ``status``)."""
        return {
            "url": f"http://127.0.0.1:{self.port}/",
            "redis_url": self.redis_url, "database_url": self.database_url,
            "processes": [{"name": p.name, "pid": p.pid, "port": p.port, "log": str(p.log)}
                          for p in [self.nginx, *self.worker_procs, self.redis] if p is not None],
        }

    def status_lines(self) -> list[str]:
        """Return one status line per process (worker lines include its /healthz)."""
        return status_lines(self.describe())


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def status_lines(described: dict) -> list[str]:
    """Return one line per process of a described layout: name, pid, port, up/down, RSS, health."""
    lines = []
    for proc in described["processes"]:
        up = _alive(proc["pid"])
        rss = rss_mb(proc["pid"]) if up else None
        line = f"{proc['name']:<10} pid {proc['pid'] or '-':>7}  :{proc['port']:<5}  {'up  ' if up else 'DOWN'}"
        line += f"  {rss:6.0f} MB" if rss is not None else "       - MB"
        if proc["name"].startswith("worker"):
            health = healthz(proc["port"]) if up else None
            if health is None:
                line += "  healthz: no answer"
            else:
                line += (f"  healthz: {health['status']}, live {health['live_connections']}"
                         f" (all workers {health['live_total']}), redis {health['redis']}")
        lines.append(line)
    if described.get("database_url"):
        lines.append(f"{'postgres':<10} {described['database_url']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "status"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 2)))
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between status lines")
    args = parser.parse_args()
    if args.command == "status":
        described = json.loads((args.run_dir / "layout.json").read_text())
        print("\n".join(status_lines(described)))
        return

    layout = Layout(workers=args.workers, port=args.port, run_dir=args.run_dir,
                    redis_url=os.environ.get("REDIS_URL") or None, database_url=os.environ.get("DATABASE_URL") or None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"starting {args.workers} workers behind nginx; logs in {layout.logs}", flush=True)
    layout.start()
    try:
        print(f"serving on http://127.0.0.1:{layout.port}/  (Ctrl-C stops; `tools/serve_prod.py status` from elsewhere)")
        print(f"proxy limits from settings: {layout.limits}", flush=True)
        while not stop.is_set():
            print(time.strftime("%H:%M:%S"), "\n  " + "\n  ".join(layout.status_lines()), flush=True)
            stop.wait(args.every)
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping", flush=True)
        layout.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
