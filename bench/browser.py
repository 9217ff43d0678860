"""Browser benchmark: on-device try-on loop vs bare detectForVideo, and bytes over the network.

In headless Chromium (Debian's) with a fake camera (640x480, a test photo), against a real server
process, for the lite and full models, interleaved in one run:
  bare_fps  — a plain main-thread loop: PoseLandmarker.detectForVideo on each new camera frame
  loop_fps  — the live try-on page's whole loop (worker inference, smoothing, fit, drawing)
  ratio     — loop_fps / bare_fps: the median over rounds of each round's loop / bare (a round runs
              bare then loop, back to back); bare_fps and loop_fps are medians, *_runs every run
  flat_fps  — the same loop with the scene's shading off (?shading=0), run after loop in each round
  shading_ratio — loop_fps / flat_fps, paired per round like ratio; shade_ms: the page's own time
              to measure and apply the shading per drawn frame (stats.shadeMs, median over rounds)
plus first_visit_bytes and repeat_visit_bytes: bytes the server sent (counted by a TCP proxy in
front of it) from opening the try-on page to its first tracked frame, on a fresh profile and
again on the same profile; how many WASM/model requests the repeat visit sent to the network;
and first_visit_4g: the seconds from opening the page to its first tracked frame on a fresh
profile when the proxy shapes the link like fast 4G (9 Mbit/s down, 85 ms round trip).

    .venv/bin/python bench/browser.py [--seconds 6] [--rounds 4] [--models lite,full] [--no-visits]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.functional.conftest import CHROMIUM, fake_camera_args  # noqa: E402
from tests.functional.fakecam import photo_clip  # noqa: E402

SLUG = "essential-crew-tee-white"

BARE_JS = """
async ([vendor, model, seconds]) => {
  const video = document.createElement('video');
  video.muted = true; video.playsInline = true;
  document.body.appendChild(video);
  video.srcObject = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}});
  await video.play();
  const {FilesetResolver, PoseLandmarker} = await import(vendor + 'vision_bundle.mjs');
  const fileset = await FilesetResolver.forVisionTasks(vendor + 'wasm');
  const landmarker = await PoseLandmarker.createFromOptions(fileset, {
    baseOptions: {modelAssetPath: model, delegate: 'CPU'}, runningMode: 'VIDEO', numPoses: 1});
  let presented = 0, consumed = 0, waiter = null;
  const onFrame = () => { presented++; if (waiter) { const w = waiter; waiter = null; w(); } video.requestVideoFrameCallback(onFrame); };
  video.requestVideoFrameCallback(onFrame);
  const next = () => presented > consumed ? Promise.resolve() : new Promise(r => { waiter = r; });
  landmarker.detectForVideo(video, performance.now());  // first call compiles; not timed
  let frames = 0, found = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await next(); consumed = presented;
    const r = landmarker.detectForVideo(video, performance.now());
    frames++; if (r.landmarks.length) found++;
  }
  const fps = frames / ((performance.now() - t0) / 1000);
  landmarker.close();
  video.srcObject.getTracks().forEach(t => t.stop());
  return {fps, frames, found};
}
"""


class ByteCountingProxy:
    """A TCP proxy on loopback that counts the bytes the server sends to the browser.

    With ``shape(rate_bps, rtt_ms)`` it also behaves like a phone's link: every chunk is held half
    the round trip in each direction, and what the server sends shares one downstream link of
    ``rate_bps`` bits a second. It shapes every request alike, the service worker's included (which
    Chromium's own network emulation does not throttle).
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.downstream = 0
        self.rate = 0.0  # bytes per second downstream; 0: unshaped
        self.one_way = 0.0  # seconds
        self.link_free_at = 0.0
        self.loop = asyncio.new_event_loop()
        self.port = free_port()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result()

    def shape(self, rate_bps: float = 0.0, rtt_ms: float = 0.0) -> None:
        self.rate, self.one_way, self.link_free_at = rate_bps / 8.0, rtt_ms / 2000.0, 0.0

    async def _start(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _pipe(self, reader, writer, downstream: bool):
        # Reading and delivering are apart, so the delay overlaps from chunk to chunk as on a real
        # link (one round trip per request, not per chunk).
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver():
            while (item := await queue.get()) is not None:
                due, data = item
                delay = due - self.loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()

        delivering = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(16384):
                if downstream:
                    self.downstream += len(data)
                now = self.loop.time()
                due = now + self.one_way
                if downstream and self.rate:
                    self.link_free_at = max(now, self.link_free_at) + len(data) / self.rate
                    due = self.link_free_at + self.one_way
                await queue.put((due, data))
            await queue.put(None)
            await delivering
        except (ConnectionError, asyncio.CancelledError):
            delivering.cancel()
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(
            self._pipe(client_reader, server_writer, False), self._pipe(server_reader, client_writer, True)
        )

    def reset(self) -> int:
        value, self.downstream = self.downstream, 0
        return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
           "FITTINGROOM_MEDIA_ROOT": str(workdir / "media"), "DJANGO_DEBUG": "1"}
    py = str(ROOT / ".venv" / "bin" / "python")
    # Their messages go to stderr: stdout is the benchmark's JSON alone.
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    subprocess.run([py, "manage.py", "load_demo_store", "-v0"], cwd=ROOT, env=env, check=True, stdout=sys.stderr)
    port = free_port()
    proc = subprocess.Popen([py, "manage.py", "runserver", "--nostatic", "--noreload", f"127.0.0.1:{port}"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


@contextlib.contextmanager
def demo_server():
    """Serve the demo store from a throw-away folder for the ``with`` block; yield ``(folder, port)``."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server, port = start_server(workdir)
        try:
            yield workdir, port
        finally:
            server.terminate()
            server.wait(timeout=10)


def poll(page, expr: str, timeout: float = 90.0):
    """Evaluate ``expr`` until truthy (polling with evaluate: the page's CSP forbids eval-based waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expr)
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(expr)


def loop_fps(browser, base: str, model: str, seconds: float, *, shading: bool = True, stats: dict | None = None) -> float:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/p/{SLUG}/try/?model={model}" + ("" if shading else "&shading=0"))
    poll(page, "() => window.fittingRoomStats && window.fittingRoomStats.trackedFrames >= 5")
    n0 = page.evaluate("() => window.fittingRoomStats.detectFrames")
    t0 = time.monotonic()
    time.sleep(seconds)
    n1 = page.evaluate("() => window.fittingRoomStats.detectFrames")
    fps = (n1 - n0) / (time.monotonic() - t0)
    source = page.evaluate("() => window.fittingRoomStats.frameSource")
    if stats is not None:
        stats.update(page.evaluate("() => ({shading: window.fittingRoomStats.shading, shade_ms: window.fittingRoomStats.shadeMs})"))
    context.close()
    if os.environ.get("BENCH_VERBOSE"):
        print(f"loop {model}: {fps:.2f} fps, frames from {source}", file=sys.stderr)
    return fps


def bare_fps(browser, base: str, model: str, seconds: float) -> float:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/")
    result = page.evaluate(BARE_JS, [f"{base}/static/vendor/mediapipe/tasks-vision/",
                                     f"{base}/static/vendor/models/pose_landmarker_{model}.task", seconds])
    context.close()
    if result["found"] < result["frames"] * 0.9:
        raise SystemExit(f"bare loop found a pose in only {result['found']} of {result['frames']} frames")
    return result["fps"]


def visit_bytes(playwright, proxy: ByteCountingProxy, base: str, profile: Path) -> dict:
    """Return bytes sent by the server for a first and a repeat visit on one browser profile."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=fake_camera_args(photo_clip()),
        viewport={"width": 390, "height": 844})
    network_heavy = []
    context.on("response", lambda r: network_heavy.append(r.url) if r.url.endswith((".wasm", ".task")) and not r.from_service_worker else None)
    out = {}
    for visit in ("first_visit_bytes", "repeat_visit_bytes"):
        page = context.new_page()
        proxy.reset()
        network_heavy.clear()
        page.goto(f"{base}/p/{SLUG}/try/")
        poll(page, "() => window.fittingRoomStats && window.fittingRoomStats.firstTrackedAt > 0")
        out[visit] = proxy.reset()
        out[visit.replace("_bytes", "_wasm_model_requests")] = len(network_heavy)
        poll(page, "() => window.fittingRoomStats.offlineReady === true", timeout=30)
        page.close()
    context.close()
    return out


def first_visit_on_4g(playwright, proxy: ByteCountingProxy, base: str, profile: Path, rate_bps: float, rtt_ms: float) -> dict:
    """Seconds from opening the try-on page to its first tracked frame, on a fresh profile, over a shaped link."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=fake_camera_args(photo_clip()),
        viewport={"width": 390, "height": 844})
    proxy.shape(rate_bps, rtt_ms)
    try:
        page = context.new_page()
        proxy.reset()
        page.goto(f"{base}/p/{SLUG}/try/")
        first = poll(page, "() => window.fittingRoomStats && window.fittingRoomStats.firstTrackedAt", timeout=180)
        return {"seconds_to_first_tracked": round(first / 1000.0, 2), "bytes": proxy.reset(),
                "link": f"{rate_bps / 1e6:g} Mbit/s down, {rtt_ms:g} ms round trip"}
    finally:
        proxy.shape()
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="browser try-on loop vs bare detectForVideo")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--models", default="lite,full", help="comma-separated: lite,full")
    parser.add_argument("--no-visits", action="store_true", help="skip the first/repeat-visit byte counts")
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    from playwright.sync_api import sync_playwright

    with demo_server() as (workdir, port):
        proxy = ByteCountingProxy(port)
        base = f"http://127.0.0.1:{proxy.port}"
        with sync_playwright() as pw:
            report = {}
            if not args.no_visits:
                report = visit_bytes(pw, proxy, base, workdir / "profile")
                report["first_visit_4g"] = first_visit_on_4g(pw, proxy, base, workdir / "profile-4g", 9e6, 85)
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=fake_camera_args(photo_clip()))
            samples = {m: {"bare": [], "loop": [], "flat": [], "shade_ms": []} for m in models}
            for _ in range(args.rounds):
                for model in models:
                    samples[model]["bare"].append(bare_fps(browser, base, model, args.seconds))
                    page_stats = {}
                    samples[model]["loop"].append(loop_fps(browser, base, model, args.seconds, stats=page_stats))
                    samples[model]["shade_ms"].append(page_stats.get("shade_ms", 0.0))
                    samples[model]["flat"].append(loop_fps(browser, base, model, args.seconds, shading=False))
            browser.close()
    for model, s in samples.items():
        bare, loop = statistics.median(s["bare"]), statistics.median(s["loop"])
        # Each round's loop run follows its bare run: the median of the paired ratios is less
        # exposed to the machine's load drifting between rounds than a ratio of medians.
        paired = statistics.median(lp / bp for bp, lp in zip(s["bare"], s["loop"]))
        shading = statistics.median(lp / fp for lp, fp in zip(s["loop"], s["flat"]))
        report[model] = {"bare_fps": round(bare, 2), "loop_fps": round(loop, 2), "ratio": round(paired, 3),
                         "flat_fps": round(statistics.median(s["flat"]), 2), "shading_ratio": round(shading, 3),
                         "shade_ms": round(statistics.median(s["shade_ms"]), 2),
                         "bare_runs": [round(x, 2) for x in s["bare"]], "loop_runs": [round(x, 2) for x in s["loop"]],
                         "flat_runs": [round(x, 2) for x in s["flat"]]}
    report = {**{m: report.pop(m) for m in models}, **report,
              "seconds_per_run": args.seconds, "rounds": args.rounds, "frame": "640x480", "delegate": "CPU"}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
