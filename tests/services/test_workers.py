"""The production layout's faults, with the real processes: nginx, two Daphne workers, Redis, PostgreSQL.

tools/serve_prod.py's :class:`Layout` starts them (as ``make serve-prod`` does) with a short idle
timeout and slot expiry, so each fault shows within seconds. The WebSocket client behaves like
the page's (tests/services/live_client.py mirrors static/tryon/js/server-client.js): it streams on
``next`` and, when its worker dies, reconnects through the proxy and re-sends ``start``.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.images import camera_jpeg
from tests import MEDIA_DIR
from tests.services.live_client import ReconnectingStream, Refused, open_socket, start
from tools.serve_prod import Layout, healthz

pytestmark = pytest.mark.services

SLUG = "essential-crew-tee-white"
SEED = f"""
import io
from catalog import demo_art
from catalog.models import Category, Product
from catalog.services import overlay_set
if not Product.objects.filter(slug={SLUG!r}).exists():
    spec = demo_art.garment_by_slug({SLUG!r})
    img, anchors = demo_art.render_overlay(spec)
    out = io.BytesIO(); img.save(out, "PNG")
    category, _ = Category.objects.get_or_create(slug="tops", defaults={{"name": "Tops"}})
    product = Product.objects.create(category=category, name=spec.name, slug=spec.slug, price=spec.price)
    overlay_set(product=product, png_bytes=out.getvalue(), kind=spec.kind, anchors=anchors)
"""
IDLE_S = 4
SLOT_TTL_S = 3
PER_CLIENT = 4
TOTAL = 6
MESSAGE_MAX = 300 * 1024
ADMIN_MAX = 2 * 1024 * 1024
RECONNECT_BUDGET_S = 2.0


@pytest.fixture(scope="module")
def layout(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE workers")
    # Not under pytest's own temporary folder, which only its owner can enter: nginx runs as an
    # unprivileged user and must reach its directory.
    run_dir = Path(tempfile.mkdtemp(prefix="fittingroom-layout-"))
    run_dir.chmod(0o755)
    with Layout(
        workers=2, port=0, run_dir=run_dir, database_url=postgres_url.rsplit("/", 1)[0] + "/workers",
        seed=SEED, collectstatic=False, restart_after=1.0,
        env={
            "FITTINGROOM_LIVE_IDLE_TIMEOUT": str(IDLE_S),
            "FITTINGROOM_LIVE_SLOT_TTL": str(SLOT_TTL_S),
            "FITTINGROOM_LIVE_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT),
            "FITTINGROOM_LIVE_MAX_CONNECTIONS": str(TOTAL),
            "FITTINGROOM_LIVE_MAX_MESSAGE_BYTES": str(MESSAGE_MAX),
            "FITTINGROOM_ADMIN_MAX_BODY_BYTES": str(ADMIN_MAX),
            "FITTINGROOM_PHOTO_MAX_BYTES": str(1024 * 1024),
            "FITTINGROOM_LIVE_MAX_FPS": "100",
            "FITTINGROOM_MEDIA_ROOT": str(run_dir / "media"),
        },
    ) as running:
        yield running
    shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def jpeg():
    return camera_jpeg(MEDIA_DIR / "astronaut.png", quality=80)


def _totals(layout) -> list[int]:
    """Return each worker's view of every worker's live connections (Redis's count)."""
    return [healthz(w.port)["live_total"] for w in layout.worker_procs]


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


def _wait_idle(layout) -> None:
    """Wait until no slot is held anywhere (a previous test's connections are gone)."""
    layout.wait_workers_up()
    _wait(lambda: _totals(layout) == [0] * len(layout.worker_procs), SLOT_TTL_S + 5, "slots released")


def test_every_worker_is_healthy_and_shares_one_count(layout):
    for worker in layout.worker_procs:
        health = healthz(worker.port)
        assert health["status"] == "ok" and health["redis"] == "ok" and health["pid"] == worker.pid
    lines = layout.status_lines()
    assert [line.split()[0] for line in lines[:4]] == ["nginx", "worker-1", "worker-2", "redis"]
    assert all(" up " in line for line in lines[:4]), lines
    assert all("healthz: ok" in line for line in lines[1:3]), lines
    # nginx runs unprivileged from its generated configuration, not as a system service.
    table = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat, status = (proc / "stat").read_text(), (proc / "status").read_text()
        except OSError:
            continue
        comm, ppid = stat[stat.index("(") + 1:stat.rindex(")")], int(stat.rsplit(")", 1)[1].split()[1])
        table[int(proc.name)] = (ppid, comm, int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)))
    family, grew = {layout.nginx.pid}, True
    while grew:
        more = {pid for pid, (ppid, _, _) in table.items() if ppid in family} - family
        family |= more
        grew = bool(more)
    uids = [uid for pid, (_, comm, uid) in table.items() if pid in family and comm == "nginx"]
    assert uids and 0 not in uids, uids


@pytest.mark.asyncio
async def test_limits_hold_across_all_workers(layout):
    """Per client and in total, the limits count every worker's connections, not one process's."""
    await asyncio.to_thread(_wait_idle, layout)
    opened = []
    try:
        for _ in range(PER_CLIENT):  # least_conn spreads them over both workers
            sock = await open_socket(layout.port)
            opened.append(sock)
            await start(sock, SLUG)
        per_worker = [healthz(w.port)["live_connections"] for w in layout.worker_procs]
        assert sorted(per_worker) == [PER_CLIENT // 2] * 2, per_worker
        sock = await open_socket(layout.port)
        with pytest.raises(Refused) as refused:
            await start(sock, SLUG)
        assert refused.value.code == 4029 and refused.value.error["code"] == "too_many_connections"

        # Other shoppers, straight to the workers (as if through the proxy): the total is shared too.
        for index, address in enumerate(["198.51.100.1", "198.51.100.2"]):
            sock = await open_socket(layout.worker_procs[index].port, headers={"X-Forwarded-For": address})
            opened.append(sock)
            await start(sock, SLUG)
        assert _totals(layout) == [TOTAL, TOTAL]
        sock = await open_socket(layout.worker_procs[0].port, headers={"X-Forwarded-For": "198.51.100.3"})
        with pytest.raises(Refused) as refused:
            await start(sock, SLUG)
        assert refused.value.code == 4503 and refused.value.error["code"] == "server_busy"
    finally:
        for sock in opened:
            await sock.close(1000)
    await asyncio.to_thread(_wait, lambda: _totals(layout) == [0, 0], 2.0, "slots given back on close")


@pytest.mark.asyncio
async def test_a_killed_worker_s_clients_reconnect_through_the_proxy_and_resume(layout, jpeg):
    """SIGKILL the worker of a streaming client, three times: it resumes on the other within 2 s."""
    await asyncio.to_thread(_wait_idle, layout)
    streams = [ReconnectingStream(layout.port, SLUG, jpeg) for _ in range(2)]
    tasks = [asyncio.ensure_future(s.run()) for s in streams]
    kills = []
    try:
        for round_ in range(3):
            await asyncio.to_thread(layout.wait_workers_up)
            await asyncio.to_thread(_wait, lambda: all(s.results for s in streams), 20, "streams running")
            before = [s.results for s in streams]
            await asyncio.sleep(0.5)
            assert all(s.results > b for s, b in zip(streams, before)), (
                "every stream is being served", [(s.results, s.failed, s.errors[-3:], s.outages) for s in streams])
            victim = round_ % 2
            assert healthz(layout.worker_procs[victim].port)["live_connections"] >= 1
            killed_at = time.monotonic()
            await asyncio.to_thread(layout.kill_worker, victim)
            kills.append(killed_at)
            await asyncio.sleep(RECONNECT_BUDGET_S + 0.5)
    finally:
        for stream in streams:
            stream.stop()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
    assert all(s.failed is None for s in streams), [s.failed for s in streams]
    outages = sorted((o for s in streams for o in s.outages), key=lambda o: o.dropped_at)
    # Each kill dropped the streams on that worker (all of them, when both were sent to the
    # survivor of the previous kill), and nothing else did; each came back through the proxy.
    owners = [max(k for k in kills if k <= o.dropped_at) for o in outages]
    assert set(owners) == set(kills), (kills, outages)
    for outage, killed_at in zip(outages, owners):
        assert outage.first_result_at is not None, outage
        resumed = outage.first_result_at - killed_at
        print(f"killed -> resumed {resumed * 1000:.0f} ms (ready {(outage.ready_at - killed_at) * 1000:.0f} ms,"
              f" {outage.attempts} attempt(s), closes {outage.codes})")
        assert resumed < RECONNECT_BUDGET_S, (f"resumed {resumed:.2f} s after the kill",
                                              (layout.run_dir / "nginx" / "error.log").read_text()[-3000:])
    # The dead workers' slots expired (no leak): once the streams are gone nothing is held.
    await asyncio.to_thread(layout.wait_workers_up)
    await asyncio.to_thread(_wait, lambda: _totals(layout) == [0, 0], SLOT_TTL_S + 3, "dead worker's slots expired")
    assert all(w.starts == 1 + kills_of for w, kills_of in zip(layout.worker_procs, [2, 1]))


@pytest.mark.asyncio
async def test_redis_restart_refuses_new_connections_cleanly_and_recovers(layout, jpeg):
    await asyncio.to_thread(_wait_idle, layout)
    stream = ReconnectingStream(layout.port, SLUG, jpeg)
    task = asyncio.ensure_future(stream.run())
    try:
        await asyncio.to_thread(_wait, lambda: stream.results > 3, 20, "stream running")
        layout.redis.stop()
        assert all(healthz(w.port)["redis"] == "down" for w in layout.worker_procs)
        sock = await open_socket(layout.port)
        began = time.monotonic()
        with pytest.raises(Refused) as refused:
            await start(sock, SLUG)
        assert refused.value.code == 4503 and refused.value.error["code"] == "unavailable"
        assert time.monotonic() - began < 1.5, "refused at once, not after a hang"
        served = stream.results
        await asyncio.sleep(1.0)
        assert stream.results > served, "an open stream carries on while Redis is down"

        layout.restart_redis()
        recovered = time.monotonic()
        sock = await open_socket(layout.port)
        assert (await start(sock, SLUG))["type"] == "ready", "a new connection is accepted once Redis is back"
        print(f"new connection accepted {(time.monotonic() - recovered) * 1000:.0f} ms after Redis came back")
        # The open stream re-registers its slot (the restarted Redis was empty): 2 counted.
        await asyncio.to_thread(_wait, lambda: _totals(layout) == [2, 2], SLOT_TTL_S + 1, "slots re-registered")
        await sock.close(1000)
    finally:
        stream.stop()
        await asyncio.wait_for(task, 10)
    assert stream.outages == [] and stream.failed is None, "the open stream never dropped"


def _nginx_conf(layout) -> str:
    return (layout.run_dir / "nginx" / "nginx.conf").read_text()


def _post(port: int, path: str, size: int) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=b"x=" + b"a" * (size - 2),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def test_proxy_body_limit_is_the_largest_app_limit(layout):
    conf = _nginx_conf(layout)
    assert f"client_max_body_size {ADMIN_MAX};" in conf  # from the settings, not a constant
    # Over a page's own limit but within the proxy's: the app answers, with its typed JSON error.
    status, kind, body = _post(layout.port, "/", 300 * 1024)
    assert (status, kind) == (413, "application/json") and b'"too_large"' in body
    # Within the admin's limit: through the proxy and past the size check (CSRF refuses it then).
    status, _, _ = _post(layout.port, "/admin/login/", ADMIN_MAX - 4096)
    assert status == 403
    # Over every app limit: the proxy itself refuses.
    status, kind, _ = _post(layout.port, "/admin/login/", ADMIN_MAX + 4096)
    assert status == 413 and "json" not in kind


@pytest.mark.asyncio
async def test_a_message_over_the_app_limit_gets_the_app_s_error_through_the_proxy(layout, jpeg):
    await asyncio.to_thread(_wait_idle, layout)
    sock = await open_socket(layout.port)
    try:
        await start(sock, SLUG)
        padded = jpeg + b"\x00" * (MESSAGE_MAX - 4 - len(jpeg))  # exactly the limit: a valid frame
        await sock.send((1).to_bytes(4, "big") + padded)
        await sock.send((2).to_bytes(4, "big") + padded + b"\x00")  # one byte over
        seen = {}
        while not {"result", "error"} <= seen.keys():
            message = await sock.recv(10)
            if isinstance(message, dict) and message["type"] in ("result", "error"):
                seen[message["type"]] = message
        assert seen["result"]["frame"] == 1 and seen["result"]["found"]
        assert seen["error"]["code"] == "too_large"  # checked before the frame id is read: no "frame"
        # Still open: the next frame is answered.
        await sock.send((3).to_bytes(4, "big") + jpeg)
        while not (isinstance(m := await sock.recv(10), dict) and m["type"] == "result"):
            pass
        assert m["frame"] == 3
    finally:
        await sock.close(1000)


@pytest.mark.asyncio
async def test_an_idle_stream_is_closed_by_the_app_at_its_timeout_not_by_the_proxy(layout):
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", _nginx_conf(layout)).group(1))
    assert timeout > IDLE_S  # derived: the app's idle timeout plus a margin
    sock = await open_socket(layout.port)
    began = time.monotonic()
    await start(sock, SLUG)
    error = None
    with pytest.raises(Refused) as closed:
        while True:
            message = await sock.recv(IDLE_S + 10)
            if isinstance(message, dict) and message["type"] == "error":
                error = message
    elapsed = time.monotonic() - began
    assert closed.value.code == 4008 and error["code"] == "idle_timeout"
    assert IDLE_S - 0.5 < elapsed < IDLE_S + 2, elapsed
