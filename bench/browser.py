"""Browser benchmark: on-device try-on loop vs bare detectForVideo, and bytes over the network, per engine.

In each browser engine — headless Chromium (Debian's, Playwright), WebKitGTK (Safari's engine, through
WebKitWebDriver) and Firefox ESR (over WebDriver BiDi), the last two in Xvfb as the engine tests run them
(tests/functional/engines.py) — with a camera showing the same 640x480 clip of a test photo (Chromium's
fake camera; the others get it through the engine tests' preload script), against a real server process,
for the lite and full models, interleaved in one run per engine:
  bare_fps  — a plain main-thread loop: PoseLandmarker.detectForVideo on each new camera frame
  loop_fps  — the live try-on page's whole loop (worker inference, smoothing, fit, drawing)
  ratio     — loop_fps / bare_fps: the median over rounds of each round's loop / bare (a round runs
              bare then loop, back to back); bare_fps and loop_fps are medians, *_runs every run
  flat_fps  — the same loop with the scene's shading off (?shading=0), run after loop in each round
  shading_ratio — loop_fps / flat_fps, paired per round like ratio; shade_ms: the page's own time
              to measure and apply the shading per drawn frame (stats.shadeMs, median over rounds)
plus first_visit_bytes and repeat_visit_bytes: bytes the server sent (counted by a TCP proxy in
front of it) from opening the try-on page to its first tracked frame, on a fresh profile and
again on the same profile; *_wasm_model_requests: how many requests for the WASM runtime or a
model reached the network (counted by the proxy); and first_visit_4g: the seconds from opening the
page to its first tracked frame on a fresh profile when the proxy shapes the link like fast 4G
(9 Mbit/s down, 85 ms round trip).

The JSON has one object per engine ("chromium", "webkit", "firefox"), each with the same fields.

    .venv/bin/python bench/browser.py [--engine chromium|webkit|firefox|all] [--seconds 6] [--rounds 4]
                                      [--models lite,full] [--no-visits]

--engine takes a comma-separated list; "all" (the default) runs every engine installed here and says
in "skipped" why any other was not run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
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

from tests.functional import engines  # noqa: E402
from tests.functional.conftest import CHROMIUM, fake_camera_args  # noqa: E402
from tests.functional.fakecam import photo_clip  # noqa: E402

ENGINES = ("chromium", *engines.ENGINES)

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
        self.requests: list[str] = []  # request targets, in the order they reached the server
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
        tail = b""  # the end of what came before, so a request line split between reads is still seen
        try:
            while data := await reader.read(16384):
                if downstream:
                    self.downstream += len(data)
                else:
                    seen = tail + data
                    self.requests += [m.group(1).decode("latin-1") for m in REQUEST_LINE.finditer(seen)
                                      if m.end() > len(tail)]
                    tail = seen[-2048:]
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
        self.requests = []
        return value

    def heavy_requests(self) -> int:
        """Requests for the WASM runtime or a model bundle that reached the server since the last reset."""
        return sum(1 for target in self.requests if target.split("?")[0].endswith((".wasm", ".task")))


REQUEST_LINE = re.compile(rb"(?:GET|HEAD) (\S+) HTTP/1\.[01]\r\n")


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


class PlaywrightPage(engines.Engine):
    """A Chromium page (Playwright) behind the same small interface as the engine tests' WebKit and Firefox."""

    name = "chromium"

    def __init__(self, context, *, close_context: bool):
        self.context, self.page, self.close_context = context, context.new_page(), close_context

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def _call(self, function: str):
        return self.page.evaluate(function)

    def close(self) -> None:
        if self.close_context:
            self.context.close()
        else:
            self.page.close()


class Launcher:
    """Opens a fresh session (a new profile, the camera showing ``clip``) of one engine."""

    def __init__(self, name: str, playwright, clip: Path, display: str | None):
        self.name, self.display, self.clip = name, display, clip
        self.playwright = playwright
        self.browser = None
        if name == "chromium":
            self.browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                      args=fake_camera_args(clip))
        else:
            self.preload = engines.camera_preload(clip)

    def session(self, profile: Path | None = None) -> engines.Engine:
        """A fresh session; with ``profile`` (Chromium) a persistent one there, so a second visit is a repeat visit."""
        if self.name != "chromium":
            return engines.launch(self.name, self.display, preload=self.preload)
        if profile is None:
            return PlaywrightPage(self.browser.new_context(viewport={"width": 390, "height": 844}), close_context=True)
        context = self.playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=fake_camera_args(self.clip),
            viewport={"width": 390, "height": 844})
        return PlaywrightPage(context, close_context=True)

    def version(self) -> str:
        if self.browser is not None:
            return self.browser.version
        session = self.session()
        try:
            return session.version
        finally:
            session.close()

    def close(self) -> None:
        if self.browser is not None:
            self.browser.close()


def poll(page, expr: str, timeout: float = 90.0):
    """Evaluate ``expr`` until truthy (polling with evaluate: the page's CSP forbids eval-based waits)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expr)
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(expr)


def loop_fps(launcher: Launcher, base: str, model: str, seconds: float, *, shading: bool = True,
             stats: dict | None = None) -> float:
    page = launcher.session()
    try:
        page.goto(f"{base}/p/{SLUG}/try/?model={model}" + ("" if shading else "&shading=0"))
        page.wait_for("() => window.fittingRoomStats && window.fittingRoomStats.trackedFrames >= 5", timeout=150)
        n0 = page.evaluate("() => window.fittingRoomStats.detectFrames")
        t0 = time.monotonic()
        time.sleep(seconds)
        n1 = page.evaluate("() => window.fittingRoomStats.detectFrames")
        fps = (n1 - n0) / (time.monotonic() - t0)
        page_stats = page.evaluate("() => ({source: window.fittingRoomStats.frameSource,"
                                   " shading: window.fittingRoomStats.shading, shade_ms: window.fittingRoomStats.shadeMs})")
    finally:
        page.close()
    if stats is not None:
        stats.update(page_stats)
    if os.environ.get("BENCH_VERBOSE"):
        print(f"{launcher.name} loop {model}: {fps:.2f} fps, frames from {page_stats['source']}", file=sys.stderr)
    return fps


def bare_fps(launcher: Launcher, base: str, model: str, seconds: float) -> float:
    page = launcher.session()
    try:
        page.goto(f"{base}/")
        args = [f"{base}/static/vendor/mediapipe/tasks-vision/",
                f"{base}/static/vendor/models/pose_landmarker_{model}.task", seconds]
        result = page.evaluate(f"() => ({BARE_JS.strip()})({json.dumps(args)})")
    finally:
        page.close()
    if result["found"] < result["frames"] * 0.9:
        raise SystemExit(f"{launcher.name}: bare loop found a pose in only {result['found']} of {result['frames']} frames")
    if os.environ.get("BENCH_VERBOSE"):
        print(f"{launcher.name} bare {model}: {result['fps']:.2f} fps", file=sys.stderr)
    return result["fps"]


def visit_bytes(launcher: Launcher, proxy: ByteCountingProxy, base: str, profile: Path) -> dict:
    """Return bytes sent by the server for a first and a repeat visit on one fresh browser profile."""
    session = launcher.session(profile)
    out = {}
    try:
        for visit in ("first_visit_bytes", "repeat_visit_bytes"):
            proxy.reset()
            session.goto(f"{base}/p/{SLUG}/try/")
            session.wait_for("() => window.fittingRoomStats && window.fittingRoomStats.firstTrackedAt > 0", timeout=180)
            out[visit.replace("_bytes", "_wasm_model_requests")] = proxy.heavy_requests()
            out[visit] = proxy.reset()
            session.wait_for("() => window.fittingRoomStats.offlineReady === true", timeout=60)
            session.goto("about:blank")  # the repeat visit is a new page load
    finally:
        session.close()
    return out


def first_visit_on_4g(launcher: Launcher, proxy: ByteCountingProxy, base: str, profile: Path,
                      rate_bps: float, rtt_ms: float) -> dict:
    """Seconds from opening the try-on page to its first tracked frame, on a fresh profile, over a shaped link."""
    session = launcher.session(profile)
    proxy.shape(rate_bps, rtt_ms)
    try:
        proxy.reset()
        session.goto(f"{base}/p/{SLUG}/try/")
        first = session.wait_for("() => window.fittingRoomStats && window.fittingRoomStats.firstTrackedAt", timeout=240)
        return {"seconds_to_first_tracked": round(first / 1000.0, 2), "bytes": proxy.reset(),
                "link": f"{rate_bps / 1e6:g} Mbit/s down, {rtt_ms:g} ms round trip"}
    finally:
        proxy.shape()
        session.close()


def bench_engine(launcher: Launcher, proxy: ByteCountingProxy, base: str, workdir: Path, models: list[str],
                 args) -> dict:
    report = {"version": launcher.version()}
    if not args.no_visits:
        report.update(visit_bytes(launcher, proxy, base, workdir / f"profile-{launcher.name}"))
        report["first_visit_4g"] = first_visit_on_4g(launcher, proxy, base, workdir / f"profile-4g-{launcher.name}", 9e6, 85)
    samples = {m: {"bare": [], "loop": [], "flat": [], "shade_ms": [], "source": set()} for m in models}
    for _ in range(args.rounds):
        for model in models:
            samples[model]["bare"].append(bare_fps(launcher, base, model, args.seconds))
            page_stats = {}
            samples[model]["loop"].append(loop_fps(launcher, base, model, args.seconds, stats=page_stats))
            samples[model]["shade_ms"].append(page_stats.get("shade_ms") or 0.0)
            samples[model]["source"].add(page_stats.get("source"))
            samples[model]["flat"].append(loop_fps(launcher, base, model, args.seconds, shading=False))
    for model, s in samples.items():
        if not s["bare"]:  # --rounds 0: the visits alone
            continue
        bare, loop = statistics.median(s["bare"]), statistics.median(s["loop"])
        # Each round's loop run follows its bare run: the median of the paired ratios is less
        # exposed to the machine's load drifting between rounds than a ratio of medians.
        paired = statistics.median(lp / bp for bp, lp in zip(s["bare"], s["loop"]))
        shading = statistics.median(lp / fp for lp, fp in zip(s["loop"], s["flat"]))
        report[model] = {"bare_fps": round(bare, 2), "loop_fps": round(loop, 2), "ratio": round(paired, 3),
                         "flat_fps": round(statistics.median(s["flat"]), 2), "shading_ratio": round(shading, 3),
                         "shade_ms": round(statistics.median(s["shade_ms"]), 2),
                         "frame_source": sorted(str(x) for x in s["source"]),
                         "bare_runs": [round(x, 2) for x in s["bare"]], "loop_runs": [round(x, 2) for x in s["loop"]],
                         "flat_runs": [round(x, 2) for x in s["flat"]]}
    return {**{m: report.pop(m) for m in models if m in report}, **report}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="browser try-on loop vs bare detectForVideo, per engine")
    parser.add_argument("--engine", default="all", help="comma-separated: chromium,webkit,firefox, or all")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=4, help="bare/loop rounds per model (0: the visits alone)")
    parser.add_argument("--models", default="lite,full", help="comma-separated: lite,full")
    parser.add_argument("--no-visits", action="store_true", help="skip the first/repeat-visit byte counts")
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    wanted = list(ENGINES) if args.engine == "all" else [e for e in args.engine.split(",") if e]
    unknown = [e for e in wanted if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine {unknown}: choose from {', '.join(ENGINES)} or all")
    skipped = {}
    if not Path(CHROMIUM).exists():
        skipped["chromium"] = f"Chromium not found at {CHROMIUM}: run `make test`"
    for name in engines.ENGINES:
        if name in wanted and (problem := engines.missing(name)):
            skipped[name] = problem
    if args.engine != "all" and skipped.keys() & set(wanted):
        raise SystemExit("; ".join(skipped[e] for e in wanted if e in skipped))
    run = [e for e in wanted if e not in skipped]
    from playwright.sync_api import sync_playwright

    report = {}
    clip = photo_clip()
    xvfb = engines.Xvfb() if any(e != "chromium" for e in run) else None
    try:
        with demo_server() as (workdir, port), sync_playwright() as pw:
            proxy = ByteCountingProxy(port)
            base = f"http://127.0.0.1:{proxy.port}"
            for name in run:
                launcher = Launcher(name, pw, clip, xvfb.display if xvfb else None)
                try:
                    report[name] = bench_engine(launcher, proxy, base, workdir, models, args)
                finally:
                    launcher.close()
    finally:
        if xvfb:
            xvfb.close()
    report.update({"skipped": skipped, "seconds_per_run": args.seconds, "rounds": args.rounds,
                   "frame": "640x480", "delegate": "CPU"})
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
