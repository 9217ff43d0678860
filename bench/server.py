"""Server-rendered live try-on benchmark: a real Daphne process, real WebSocket clients on loopback.

Prints one JSON object:

* ``bare_fps`` — what the server must compute per frame, alone in a plain
  loop in this process: the frame's JPEG decode and MediaPipe
  ``detect_for_video`` on it (lite, the frame the clients send, the options
  the server uses: VIDEO mode, segmentation masks in render mode only),
  measured in the same run: the mean of a run just
  before and one just after the one-client phase (``bare_fps_runs``; the
  server idles meanwhile); ``bare_parallel_fps`` is the total of one such
  loop per CPU (up to 4) at once, each with its own landmarker: what the
  machine can do in parallel, the mean of runs just before and after the
  four-client phase (``bare_parallel_fps_runs``);
* ``one_client`` — ``fps``, ``p50_ms``, ``p95_ms``: one connection sending
  JPEG frames as fast as the protocol allows, the size and quality the page
  sends in that mode (``--upload``: pose 480x360, render 640x480; q80);
  latency is send → reply received (pose: the result; render: the
  composited JPEG). By default each client paces itself like
  static/tryon/js/server-client.js (``--pacing next``): the next frame goes
  when the server says ``next`` (the previous frame's pose is done; it is
  still being drawn); ``--pacing result`` is strict request/response (the next
  frame only when the previous result has arrived), and with it
  ``--in-flight 2`` keeps one extra frame pending;
* ``four_clients`` — ``total_fps``, ``min_client_share`` (the least-served
  client's fraction of all frames; 0.25 is perfectly fair), ``p95_ms``,
  ``per_client_fps``;
* ``one_client_vs_bare``, ``four_clients_vs_bare`` and
  ``four_clients_vs_bare_parallel`` — fps ratios;
* ``soak`` (only with ``--soak SECONDS``) — one client at full rate for that
  long, after the other phases, on the same server process: ``rss_mb_start``
  (after the warm-up), ``rss_mb_end``, ``rss_growth_mb`` (the server's
  VmRSS from /proc), ``rss_mb_samples`` (about every 10 s) and ``fps``;
* ``server_ms_p50`` — the server's own median timings per stage;
  ``server_cpu_cores`` — CPU the server process used per phase (1.0 = one
  core busy); ``server_cpu_ms_per_frame`` — the same per frame answered, split
  into MediaPipe's graph threads (the model itself), the other worker threads
  (decode, drawing, encode, the pose's Python) and the event loop; ``setup`` — machine facts, including the load average before
  and after (other work on the machine skews every number).

The bench builds a throwaway SQLite database and media root (migrate + one
product with the demo white tee overlay), starts ``daphne`` on a free port in
production mode, runs each phase for ``--seconds`` (after a warm-up), and
stops the server at the end.

With ``--workers N`` the clients go through the production layout instead
(tools/serve_prod.py: nginx, N Daphne workers, Redis for the connection limits,
PostgreSQL in a throwaway folder): the same phases and JSON through the proxy
(the server CPU, RSS and thread figures are the sum over the workers), plus
``scaling`` — for 1, 2 and 4 workers, with 1, 4 and 8 clients each: ``total_fps``,
``p50_ms``, ``p95_ms``, ``min_client_share`` and ``vs_bare_parallel``, the ratio to
the bare parallel baseline measured just before and after that worker count's
row (``bare_parallel_fps``, in the same run). ``--scaling-seconds`` sets each
cell's measured seconds.

    .venv/bin/python bench/server.py [--seconds 12] [--bare-seconds 8] [--pacing next|result]
                                     [--in-flight 1|2] [--soak SECONDS] [--mode pose|render]
                                     [--workers N [--scaling-seconds 8]]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import txaio  # noqa: E402

txaio.use_asyncio()

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol  # noqa: E402
from tests.images import camera_jpeg  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
DAPHNE = ROOT / ".venv" / "bin" / "daphne"
MODELS = ROOT / "static" / "vendor" / "models"
PHOTO = ROOT / "tests" / "media" / "astronaut.png"
SLUG = "essential-crew-tee-white"
HEADER = struct.Struct(">I")
WARMUP_S = 2.0

SEED_PRODUCT = f"""
import io
from catalog import demo_art
from catalog.models import Category, Product
from catalog.services import overlay_set
spec = demo_art.garment_by_slug({SLUG!r})
img, anchors = demo_art.render_overlay(spec)
out = io.BytesIO(); img.save(out, "PNG")
category, _ = Category.objects.get_or_create(slug="tops", defaults={{"name": "Tops"}})
product = Product.objects.create(category=category, name=spec.name, slug=spec.slug, price=spec.price)
overlay_set(product=product, png_bytes=out.getvalue(), kind=spec.kind, anchors=anchors)
"""


SEED_PRODUCT_IF_MISSING = (
    f"from catalog.models import Product\nif not Product.objects.filter(slug={SLUG!r}).exists():\n"
    + "\n".join("    " + line for line in SEED_PRODUCT.strip().splitlines())
)


# What static/tryon/js/server-client.js sends, per mode: the frame's long side (UPLOAD_LONG_SIDE there)
# and the JPEG quality it settles at on a fast link (its adaptive range is 0.45..0.8).
UPLOAD_LONG_SIDE = {"pose": 480, "render": 640}
UPLOAD_QUALITY = 80


def frame_jpeg(long_side: int = 640) -> bytes:
    """Return the benchmark frame: a person, 4:3 with ``long_side`` px across, JPEG quality 80 (what the page sends).

    The photo is framed as a camera would show her (tests.images.camera_jpeg), not squeezed into 4:3.
    """
    return camera_jpeg(PHOTO, quality=UPLOAD_QUALITY, width=long_side, height=long_side * 3 // 4)


def bare_parallel_fps(jpeg: bytes, seconds: float, threads: int, masks: bool = True) -> float:
    """Return the total fps of ``threads`` plain loops at once, each with its own landmarker (machine capacity)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(lambda _: bare_fps(jpeg, seconds, masks), range(threads)))


def bare_fps(jpeg: bytes, seconds: float, masks: bool = True) -> float:
    """Return frames per second of what the server must compute per frame, in a plain loop: the
    frame's JPEG decode and MediaPipe detect_for_video on it (nothing else: no protocol, no Python
    result handling, no tracking guard, no fit).

    ``masks``: with the person mask, as the server computes it in render mode (pose mode does not).
    """
    import cv2
    import numpy as np
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker as mp_pose
    from mediapipe.tasks.python.vision.core.image import Image as MpImage
    from mediapipe.tasks.python.vision.core.image import ImageFormat
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

    def decoded() -> MpImage:
        return MpImage(ImageFormat.SRGB, cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR_RGB))

    options = mp_pose.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(MODELS / "pose_landmarker_lite.task")),
        running_mode=VisionTaskRunningMode.VIDEO,
        output_segmentation_masks=masks,
    )
    with mp_pose.PoseLandmarker.create_from_options(options) as landmarker:
        ts = 0
        for _ in range(20):  # warm-up
            ts += 33
            landmarker.detect_for_video(decoded(), ts)
        frames, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            ts += 33
            landmarker.detect_for_video(decoded(), ts)
            frames += 1
    return frames / elapsed


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds used so far by process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """Return CPU seconds so far of process ``pid``'s threads, grouped: the event loop (the main
    thread), MediaPipe's graph threads (named "drishti") and every other (Python) thread."""
    groups = {"event_loop": 0.0, "model_threads": 0.0, "python_threads": 0.0}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        group = "event_loop" if task.name == str(pid) else "model_threads" if name == "drishti" else "python_threads"
        groups[group] += seconds
    return groups


def rss_mb(pid: int) -> float:
    """Return the resident set size of process ``pid`` in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for process {pid}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "fittingroom.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback, no TLS proxy in front
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "FITTINGROOM_MEDIA_ROOT": str(workdir / "media"),
        "FITTINGROOM_LIVE_MAX_CONNECTIONS_PER_CLIENT": "8",  # every bench client is 127.0.0.1
        "FITTINGROOM_LIVE_MAX_FPS": "1000",  # measure capacity, not the per-connection cap
        "FITTINGROOM_LIVE_POSE_MODEL": "lite",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("REDIS_URL", None)
    return env


def prepare_database(env: dict[str, str]) -> None:
    for args in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", SEED_PRODUCT]):
        subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(DAPHNE), "-b", "127.0.0.1", "-p", str(port), "fittingroom.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"daphne exited with {server.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("daphne did not start listening within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Client(WebSocketClientProtocol):
    """A WebSocket client whose messages are read with ``await recv()``."""

    def onConnect(self, response):
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.bytes_in = 0  # every message's payload, text and binary
        self.closed = asyncio.get_running_loop().create_future()

    def onOpen(self):
        self.factory.opened.set_result(self)

    def onMessage(self, payload, isBinary):
        self.bytes_in += len(payload)
        self.inbox.put_nowait(payload if isBinary else json.loads(payload.decode("utf-8")))

    def onClose(self, wasClean, code, reason):
        if not self.factory.opened.done():
            self.factory.opened.set_exception(ConnectionError(f"refused: {code} {reason}"))
        elif not self.closed.done():
            self.closed.set_result(code)
            self.inbox.put_nowait(ConnectionError(f"closed: {code} {reason}"))

    async def recv(self, timeout: float = 30.0):
        item = await asyncio.wait_for(self.inbox.get(), timeout)
        if isinstance(item, Exception):
            raise item
        return item


async def connect(port: int, mode: str = "render", size: tuple[int, int] = (640, 480)) -> Client:
    loop = asyncio.get_running_loop()
    factory = WebSocketClientFactory(f"ws://127.0.0.1:{port}/ws/tryon/", origin=f"http://127.0.0.1:{port}")
    factory.protocol = Client
    factory.opened = loop.create_future()
    await loop.create_connection(factory, "127.0.0.1", port)
    client = await asyncio.wait_for(factory.opened, 30)
    start = {"type": "start", "garment": SLUG, "width": size[0], "height": size[1], "mode": mode}
    client.sendMessage(json.dumps(start).encode())
    client.mode = mode
    ready = await client.recv()
    if ready.get("type") != "ready":
        raise RuntimeError(f"start refused: {ready}")
    return client


async def stream(client: Client, jpeg: bytes, warmup_until: float, until: float, in_flight: int = 1,
                 on_next: bool = True) -> dict:
    """Keep ``in_flight`` frames outstanding until ``until``; return per-frame stats after the warm-up.

    With ``on_next`` (what static/tryon/js/server-client.js does) the next frame
    is sent when the server says ``next`` for the latest frame (its pose is
    done); otherwise when a composited frame comes back. A frame the server
    dropped (latest frame wins) is forgotten when a newer one is answered.
    """
    latencies, timings, frame_id = [], [], 0
    counted_from = None
    outstanding: dict[int, float] = {}
    result = None

    def send() -> None:
        nonlocal frame_id
        frame_id += 1
        outstanding[frame_id] = time.perf_counter()
        client.sendMessage(HEADER.pack(frame_id) + jpeg, isBinary=True)

    for _ in range(in_flight):
        send()
    bytes_from = None
    while outstanding:
        message = await client.recv()
        if isinstance(message, dict) and message.get("type") == "result":
            result = message
            if client.mode != "pose":
                continue
            got = message["frame"]  # pose mode: the result is the whole reply
        elif isinstance(message, dict) and message.get("type") == "next":
            if on_next and message["frame"] == frame_id and time.perf_counter() < until:
                send()
            continue
        elif isinstance(message, dict):
            raise RuntimeError(f"server said: {message}")
        else:
            got = HEADER.unpack_from(message)[0]
        if got not in outstanding:
            continue
        received = time.perf_counter()
        sent = outstanding.pop(got)
        for older in [i for i in outstanding if i < got]:
            del outstanding[older]  # dropped by the server
        if sent >= warmup_until and received <= until:
            if counted_from is None:
                counted_from, bytes_from = sent, client.bytes_in
            bytes_to = client.bytes_in
            latencies.append((received - sent) * 1000.0)
            timings.append(result["timings"])
            if not (result["found"] and result["fitted"]):
                raise RuntimeError("the garment was not fitted on the benchmark frame")
        while received < until and len(outstanding) < in_flight and not (on_next and got < frame_id):
            send()
    down = (bytes_to - bytes_from) / (len(latencies) - 1) if len(latencies) > 1 else 0.0
    return {"frames": len(latencies), "seconds": min(time.perf_counter(), until) - (counted_from or until),
            "latencies": latencies, "timings": timings, "dropped": result["dropped"] if result else 0,
            "bytes_down_per_frame": down}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _summed(measure, pids: list[int]):
    """Return ``measure(pid)`` summed over ``pids`` (numbers, or dicts of numbers)."""
    values = [measure(pid) for pid in pids]
    if isinstance(values[0], dict):
        return {key: sum(v[key] for v in values) for key in values[0]}
    return sum(values)


async def phase(port: int, jpeg: bytes, clients: int, seconds: float, server_pid: int | list[int], in_flight: int = 1,
                on_next: bool = True, mode: str = "render") -> dict:
    pids = server_pid if isinstance(server_pid, list) else [server_pid]
    from tryon.live import jpeg_size

    conns = [await connect(port, mode, jpeg_size(jpeg)) for _ in range(clients)]
    try:
        start = time.perf_counter()
        warmup_until, until = start + WARMUP_S, start + WARMUP_S + seconds
        streams = [asyncio.ensure_future(stream(c, jpeg, warmup_until, until, in_flight, on_next)) for c in conns]
        await asyncio.sleep(WARMUP_S)
        cpu0, own0, t0 = _summed(cpu_seconds, pids), cpu_seconds(os.getpid()), time.perf_counter()
        threads0 = _summed(thread_cpu_seconds, pids)
        rss = [_summed(rss_mb, pids)]
        gathered = asyncio.gather(*streams)
        while not gathered.done():
            await asyncio.wait([gathered], timeout=10.0)
            rss.append(_summed(rss_mb, pids))
        stats = gathered.result()
        wall = time.perf_counter() - t0
        threads1 = _summed(thread_cpu_seconds, pids)
        summary = summarise(stats)
        frames = summary["total_fps"] * wall
        return {
            **summary,
            "server_cpu_ms_per_frame": {
                group: (threads1[group] - threads0[group]) * 1000.0 / frames if frames else 0.0
                for group in threads1
            },
            "rss_mb": rss,
            "server_cpu_cores": (_summed(cpu_seconds, pids) - cpu0) / wall,
            "client_cpu_cores": (cpu_seconds(os.getpid()) - own0) / wall,
        }
    finally:
        for conn in conns:
            conn.sendClose(1000)
        await asyncio.sleep(0.3)


def summarise(stats: list[dict]) -> dict:
    latencies = [x for s in stats for x in s["latencies"]]
    per_client = [s["frames"] / s["seconds"] for s in stats]
    total = sum(s["frames"] for s in stats)
    return {
        "per_client": per_client,
        "total_fps": sum(per_client),
        "min_client_share": min(s["frames"] for s in stats) / total if total else 0.0,
        "p50_ms": statistics.median(latencies),
        "p95_ms": pct(latencies, 0.95),
        "dropped": sum(s["dropped"] for s in stats),
        "bytes_down_per_frame": statistics.mean(s["bytes_down_per_frame"] for s in stats),
        "server_ms_p50": {
            key: round(statistics.median(t.get(key, 0.0) for s in stats for t in s["timings"]), 2)
            for key in ("decode", "pose", "render", "encode", "wait", "total")
        },
    }


def layout_env() -> dict[str, str]:
    """Return the workers' extra environment for the bench through the proxy."""
    return {
        "FITTINGROOM_LIVE_MAX_CONNECTIONS_PER_CLIENT": "16",  # every bench client is 127.0.0.1
        "FITTINGROOM_LIVE_MAX_CONNECTIONS": "64",
        "FITTINGROOM_LIVE_MAX_FPS": "1000",
        "FITTINGROOM_LIVE_POSE_MODEL": "lite",
    }


def start_layout(workers: int, run_dir: Path):
    """Start tools/serve_prod.py's layout with ``workers`` Daphne processes (its own Redis and PostgreSQL)."""
    from tools.serve_prod import Layout

    layout = Layout(workers=workers, port=0, run_dir=run_dir, seed=SEED_PRODUCT_IF_MISSING, collectstatic=False,
                    restart_after=None, env={**layout_env(), "FITTINGROOM_MEDIA_ROOT": str(run_dir / "media")})
    layout.start()
    return layout


def scaling_row(layout, jpeg: bytes, seconds: float, bare_seconds: float, threads: int, mode: str, pacing) -> list[dict]:
    """Measure 1, 4 and 8 clients through ``layout``, bracketed by the bare parallel baseline."""
    masks = mode == "render"
    pids = [w.pid for w in layout.worker_procs]
    before = bare_parallel_fps(jpeg, bare_seconds / 2, threads, masks)
    cells = []
    for clients in (1, 4, 8):
        result = asyncio.run(phase(layout.port, jpeg, clients, seconds, pids, *pacing))
        cells.append((clients, result))
    after = bare_parallel_fps(jpeg, bare_seconds / 2, threads, masks)
    parallel = statistics.mean([before, after])
    return [{
        "workers": len(pids), "clients": clients, "total_fps": round(r["total_fps"], 1),
        "p50_ms": round(r["p50_ms"], 1), "p95_ms": round(r["p95_ms"], 1),
        "min_client_share": round(r["min_client_share"], 3),
        "server_cpu_cores": round(r["server_cpu_cores"], 2),
        "vs_bare_parallel": round(r["total_fps"] / parallel, 3),
        "bare_parallel_fps": round(parallel, 1), "bare_parallel_fps_runs": [round(before, 1), round(after, 1)],
    } for clients, r in cells]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per client phase")
    parser.add_argument("--bare-seconds", type=float, default=8.0)
    parser.add_argument("--pacing", default="next", choices=("next", "result"),
                        help="send the next frame on the server's 'next' (the protocol's pacing, default) "
                        "or only when the previous result arrives (strict request/response)")
    parser.add_argument("--in-flight", type=int, default=1, choices=(1, 2),
                        help="with --pacing result: frames each client keeps outstanding")
    parser.add_argument("--mode", default="render", choices=("render", "pose"),
                        help="render: composited JPEGs come back; pose: the landmarks alone (the live page's default)")
    parser.add_argument("--upload", type=int, default=0, metavar="PX",
                        help="the frames' long side (4:3, JPEG q80); default: what the page sends in --mode "
                        f"({', '.join(f'{m} {px}' for m, px in UPLOAD_LONG_SIDE.items())})")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="through nginx with N Daphne workers, Redis and PostgreSQL (tools/serve_prod.py), "
                        "plus the scaling table for 1, 2 and 4 workers")
    parser.add_argument("--scaling-seconds", type=float, default=8.0, help="with --workers: seconds per scaling cell")
    parser.add_argument("--soak", type=float, default=0.0, metavar="SECONDS",
                        help="then one client at full rate for this long, reporting the server's RSS growth")
    args = parser.parse_args()

    upload = args.upload or UPLOAD_LONG_SIDE[args.mode]
    jpeg = frame_jpeg(upload)
    load_before = os.getloadavg()[0]
    threads = min(4, os.cpu_count() or 1)
    half = args.bare_seconds / 2

    scaling: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="fittingroom-bench-") as tmp:
        workdir = Path(tmp)
        workdir.chmod(0o755)  # the layout's nginx and PostgreSQL run as other users
        if args.workers:
            layout = start_layout(args.workers, workdir / "layout")
            server, port = layout, layout.port
            server.pid = [w.pid for w in layout.worker_procs]
            log = layout.logs / "worker-1.log"
        else:
            env = server_env(workdir)
            prepare_database(env)
            port = free_port()
            log = workdir / "daphne.log"
            server = start_server(env, port, log)
        try:
            pacing = (args.in_flight, args.pacing == "next", args.mode)
            # Each phase is bracketed by its baseline, measured just before and just after it
            # (the server idles meanwhile): the machine's speed drifts by tens of percent
            # within minutes, and both sides of each ratio should see the same machine.
            # The baseline computes what the server does: the pose, and in render mode the mask too.
            masks = args.mode == "render"
            bare_runs = [bare_fps(jpeg, half, masks)]
            one = asyncio.run(phase(port, jpeg, 1, args.seconds, server.pid, *pacing))
            bare_runs.append(bare_fps(jpeg, half, masks))
            parallel_runs = [bare_parallel_fps(jpeg, half, threads, masks)]
            four = asyncio.run(phase(port, jpeg, 4, args.seconds, server.pid, *pacing))
            parallel_runs.append(bare_parallel_fps(jpeg, half, threads, masks))
            soak = asyncio.run(phase(port, jpeg, 1, args.soak, server.pid, *pacing)) if args.soak else None
            if args.workers:
                for workers in (1, 2, 4):
                    if workers != len(server.worker_procs):
                        server.stop()
                        server = start_layout(workers, workdir / "layout")
                        server.pid = [w.pid for w in server.worker_procs]
                        log = server.logs / "worker-1.log"
                    scaling += scaling_row(server, jpeg, args.scaling_seconds, args.bare_seconds, threads, args.mode,
                                           pacing)
        except BaseException:
            sys.stderr.write(log.read_text(errors="replace")[-4000:])
            raise
        finally:
            if args.workers:
                server.stop()
            else:
                stop_server(server)
    bare = statistics.mean(bare_runs)
    parallel = statistics.mean(parallel_runs)
    load_after = os.getloadavg()[0]

    def r(x: float, n: int = 1) -> float:
        return round(x, n)

    extra = {}
    if soak is not None:
        extra["soak"] = {
            "seconds": args.soak, "fps": r(soak["total_fps"]), "p95_ms": r(soak["p95_ms"]),
            "rss_mb_start": r(soak["rss_mb"][0]), "rss_mb_end": r(soak["rss_mb"][-1]),
            "rss_growth_mb": r(soak["rss_mb"][-1] - soak["rss_mb"][0]),
            "rss_mb_samples": [r(x) for x in soak["rss_mb"]],
        }
    print(json.dumps({
        "bare_fps": r(bare),
        "one_client": {"fps": r(one["total_fps"]), "p50_ms": r(one["p50_ms"]), "p95_ms": r(one["p95_ms"])},
        "four_clients": {
            "total_fps": r(four["total_fps"]),
            "min_client_share": r(four["min_client_share"], 3),
            "p95_ms": r(four["p95_ms"]),
            "p50_ms": r(four["p50_ms"]),
            "per_client_fps": [r(x) for x in four["per_client"]],
        },
        "one_client_vs_bare": r(one["total_fps"] / bare, 3),
        "four_clients_vs_bare": r(four["total_fps"] / bare, 3),
        "four_clients_vs_bare_parallel": r(four["total_fps"] / parallel, 3),
        "server_ms_p50": {"one_client": one["server_ms_p50"], "four_clients": four["server_ms_p50"]},
        "bare_fps_runs": [r(x) for x in bare_runs],
        "bare_parallel_fps": r(parallel),
        "bare_parallel_fps_runs": [r(x) for x in parallel_runs],
        "server_cpu_cores": {
            "one_client": r(one["server_cpu_cores"], 2), "four_clients": r(four["server_cpu_cores"], 2)
        },
        "server_cpu_ms_per_frame": {
            phase: {group: r(ms, 2) for group, ms in result["server_cpu_ms_per_frame"].items()}
            for phase, result in (("one_client", one), ("four_clients", four))
        },
        "bench_client_cpu_cores": {
            "one_client": r(one["client_cpu_cores"], 2), "four_clients": r(four["client_cpu_cores"], 2)
        },
        **extra,
        **({"scaling": scaling} if scaling else {}),
        "frames_dropped_by_server": one["dropped"] + four["dropped"],
        "mode": args.mode,
        "bytes_up_per_frame": len(jpeg) + HEADER.size,
        "bytes_down_per_frame": {"one_client": r(one["bytes_down_per_frame"]), "four_clients": r(four["bytes_down_per_frame"])},
        "setup": {"cpu_count": os.cpu_count(), "model": "lite",
                  "frame": f"{upload}x{upload * 3 // 4} JPEG q{UPLOAD_QUALITY}, {len(jpeg)} bytes",
                  "bare": "JPEG decode + detect_for_video per frame" + (", person mask" if args.mode == "render" else ""),
                  "server": (f"nginx + {args.workers} daphne workers (tools/serve_prod.py), Redis, PostgreSQL, DEBUG off"
                             if args.workers else "daphne, 1 process, DEBUG off"),
                  "phase_seconds": args.seconds, "warmup_seconds": WARMUP_S, "pacing": args.pacing, "in_flight": args.in_flight,
                  "loadavg_1m": [r(load_before, 2), r(load_after, 2)]},
    }, indent=2))


if __name__ == "__main__":
    main()
