"""WebKitGTK and Firefox ESR (Debian's packages) driven for the browser tests, next to Playwright's Chromium.

- **Firefox ESR** speaks WebDriver BiDi itself (``--remote-debugging-port``): no geckodriver, just a
  WebSocket (``websockets``). Camera: Firefox's own fake device (``media.navigator.streams.fake``) and
  permission prefs; the test clip reaches the page through a preload script (``script.addPreloadScript``).
- **WebKitGTK** is driven by ``WebKitWebDriver`` (classic WebDriver over HTTP, no BiDi in 2.50), which
  launches ``webkit_browser.py`` — MiniBrowser's automation mode plus a document-start user script (the same
  preload) and an answer to camera permission requests.

Both need a display for WebGL (headless Firefox: "WebGL creation failed: * tryNativeGL () * Exhausted GL
driver options"; WebKitGTK has no headless mode), so they run in one Xvfb started here.

The preload script (``camera_preload``) is test tooling, never served by the site: it replaces
``navigator.mediaDevices.getUserMedia`` with a canvas stream playing the same .mjpeg clip Chromium's fake
camera plays (neither engine can play a file as its camera), and records CSP violations.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests import ROOT

FIREFOX = os.environ.get("FITTINGROOM_FIREFOX", shutil.which("firefox-esr") or "/usr/bin/firefox-esr")
WEBKIT_DRIVER = os.environ.get("FITTINGROOM_WEBKITDRIVER", shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver")
WEBKIT_BROWSER = Path(__file__).with_name("webkit_browser.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with PyGObject and the WebKit2 typelib (gir1.2-webkit2-4.1)
XVFB = shutil.which("Xvfb") or "/usr/bin/Xvfb"
ENGINES = ("webkit", "firefox")
VIEWPORT = (390, 844)
# WebKit features Safari has on that WebKitGTK 2.50 ships off. Without WebGL in an OffscreenCanvas the page
# stops at "error:model" (the worker: "no WebGL in workers here"; then the main thread: "WebGL is unavailable
# here", since OffscreenCanvas exists there too and MediaPipe picks it for any "Version/17+ Safari" agent).
SAFARI_FEATURES = ("AllowWebGLInWorkers",)


class EngineError(RuntimeError):
    """A command the engine refused, with the engine's own message."""


def missing(engine: str) -> str | None:
    """Return why ``engine`` cannot start here (what the set-up should have installed), or None."""
    if not Path(XVFB).exists():
        return "Xvfb not found: run `make test` (tools/setup.sh --system installs xvfb)"
    if engine == "firefox" and not Path(FIREFOX).exists():
        return f"Firefox ESR not found at {FIREFOX}: run `make test` (tools/setup.sh --system installs firefox-esr)"
    if engine == "webkit":
        if not Path(WEBKIT_DRIVER).exists():
            return f"WebKitWebDriver not found at {WEBKIT_DRIVER}: run `make test` (installs webkit2gtk-driver)"
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"],
            capture_output=True, text=True,
        )
        if probe.returncode:
            return f"{SYSTEM_PYTHON} cannot import WebKit2 4.1 (python3-gi, gir1.2-webkit2-4.1): {probe.stderr.strip()[-300:]}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Xvfb:
    """An X server in memory for the engines that need a display; ``display`` is ":N"."""

    def __init__(self):
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            [XVFB, "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise EngineError("Xvfb did not start")
        self.display = f":{number}"

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def camera_preload(clip: Path, fps: int = 30) -> str:
    """Return a JavaScript function declaration to run before any page script: camera and CSP hooks.

    ``getUserMedia({video})`` resolves to ``canvas.captureStream(fps)`` of a canvas showing the JPEG
    frames of ``clip`` (an .mjpeg, as ``fakecam`` makes for Chromium) in a loop, so every engine's model
    sees the same person; while ``window.__fittingRoomCameraAway`` is true it shows an empty room
    instead. ``window.__fittingRoomCsp`` lists the page's CSP violations.
    """
    data = clip.read_bytes()
    frames, start = [], 0
    while (begin := data.find(b"\xff\xd8", start)) != -1:
        end = data.find(b"\xff\xd9", begin)
        if end == -1:
            break
        frames.append(base64.b64encode(data[begin:end + 2]).decode())
        start = end + 2
    return """() => {
  const csp = window.__fittingRoomCsp = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`), true);
  const media = navigator.mediaDevices;
  if (!media) return;
  const FRAMES = %s, FPS = %d;
  let canvas = null;
  const start = async () => {
    // Each frame is an <img> of a data: URL, decoded by the engine itself (no blob: loads); it is drawn
    // into the camera's canvas at FPS. A frame drawn as nothing (a decode the engine dropped) is decoded
    // again. What happened is counted in window.__fittingRoomCameraStats, for a test that fails to say.
    const counts = window.__fittingRoomCameraStats = {decoded: 0, painted: 0, blank: 0, errors: []};
    const images = FRAMES.map(() => null);
    const checked = FRAMES.map(() => false);
    const frame = async (i) => {
      if (!images[i]) {
        const img = new Image();
        img.src = 'data:image/jpeg;base64,' + FRAMES[i];
        await img.decode();
        counts.decoded++;
        images[i] = img;
      }
      return images[i];
    };
    const first = await frame(0);
    const c = window.__fittingRoomCameraCanvas = document.createElement('canvas');
    c.width = first.naturalWidth; c.height = first.naturalHeight;
    const ctx = c.getContext('2d');
    const paint = async (i) => {
      if (window.__fittingRoomCameraAway) {  // a test's empty room: nobody in view until it says so
        ctx.fillStyle = '#807870';
        ctx.fillRect(0, 0, c.width, c.height);
        return;
      }
      ctx.drawImage(await frame(i), 0, 0);
      // The first time a frame is drawn, one pixel in its middle: a real frame is never transparent.
      if (!checked[i]) {
        if (ctx.getImageData(c.width >> 1, c.height >> 1, 1, 1).data[3] === 0) {
          counts.blank++;
          images[i] = null;
          return;
        }
        checked[i] = true;
      }
      counts.painted++;
    };
    await paint(0);
    let i = 1, painting = false;
    setInterval(async () => {
      if (painting) return;
      painting = true;
      try {
        await paint(i++ %% FRAMES.length);
      } catch (e) {
        if (counts.errors.length < 5) counts.errors.push(String(e));
      } finally {
        painting = false;
      }
    }, 1000 / FPS);
    return c;
  };
  const real = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.video) return real(constraints);
    canvas = canvas || start();
    const stream = (await canvas).captureStream(FPS);
    window.__fittingRoomCamera = 'test clip';
    return stream;
  };
}""" % (json.dumps(frames), fps)


class Engine:
    """What a test needs from a browser: go to a page, run a function in it, wait, screenshot."""

    name = ""

    def goto(self, url: str) -> None:
        raise NotImplementedError

    def _call(self, function: str):
        raise NotImplementedError

    def evaluate(self, function: str):
        """Return the JSON value of ``function`` (a JavaScript function source, as Playwright takes)
        called in the page, awaited."""
        value = json.loads(self._call(f"async () => JSON.stringify((await ({function})()) ?? null)"))
        return value

    def wait_for(self, function: str, timeout: float = 60, interval: float = 0.2):
        """Wait until ``function`` returns a truthy value in the page, and return it."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(function)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: {function.strip()[:200]} still false after {timeout} s")
            time.sleep(interval)

    def screenshot(self, name: str) -> Path:
        path = ROOT / "artifacts" / "screenshots" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self._png())
        return path

    def _png(self) -> bytes:
        raise NotImplementedError

    def csp_violations(self) -> list[str]:
        return self.evaluate("() => window.__fittingRoomCsp || ['preload script did not run']")

    def console_errors(self) -> list[str]:
        return []

    def close(self) -> None:
        raise NotImplementedError


class Firefox(Engine):
    """Firefox ESR over WebDriver BiDi, under Xvfb, in a fresh profile."""

    name = "firefox"

    def __init__(self, display: str, *, preload: str | None = None, camera: str = "allow"):
        from websockets.sync.client import connect

        self.profile = Path(tempfile.mkdtemp(prefix="fittingroom-firefox-"))
        prefs = {
            # Firefox's own fake camera (a synthetic pattern), no prompt; "deny" blocks it like a shopper would.
            "media.navigator.streams.fake": True,
            "media.navigator.permission.disabled": camera == "allow",
            "permissions.default.camera": 1 if camera == "allow" else 2,
            "media.autoplay.default": 0,
            "browser.shell.checkDefaultBrowser": False,
            "datareporting.policy.dataSubmissionEnabled": False,
            "toolkit.telemetry.reportingpolicy.firstRun": False,
        }
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        port = _free_port()
        self.proc = subprocess.Popen(
            [FIREFOX, "--no-remote", "--profile", str(self.profile), "--remote-debugging-port", str(port),
             "--width", str(VIEWPORT[0]), "--height", str(VIEWPORT[1])],
            env={**os.environ, "DISPLAY": display, "MOZ_CRASHREPORTER_DISABLE": "1"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ws = connect(f"ws://127.0.0.1:{port}/session", max_size=None, open_timeout=5)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise EngineError("Firefox's WebDriver BiDi endpoint did not come up")
                time.sleep(0.2)
        self._id = 0
        self._console: list[str] = []
        self._csp: list[str] = []
        self.session = self._cmd("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": True}})
        self.version = self.session["capabilities"]["browserVersion"]
        self.context = self._cmd("browsingContext.getTree")["contexts"][0]["context"]
        self._cmd("session.subscribe", events=["log.entryAdded"])
        self._cmd("browsingContext.setViewport", context=self.context,
                  viewport={"width": VIEWPORT[0], "height": VIEWPORT[1]}, devicePixelRatio=1)
        if preload:
            self._cmd("script.addPreloadScript", functionDeclaration=preload)

    def _cmd(self, method: str, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=120))
            if message.get("type") == "event":
                self._on_event(message)
            elif message.get("id") == self._id:
                if message["type"] == "error":
                    raise EngineError(f"firefox {method}: {message['error']}: {message['message']}")
                return message["result"]

    def _on_event(self, message):
        if message["method"] == "log.entryAdded":
            entry = message["params"]
            text = entry.get("text") or ""
            if "Content-Security-Policy" in text or "Content Security Policy" in text:
                self._csp.append(text)
            elif entry.get("level") == "error" and not text.startswith(("INFO:", "W0000", "I0000")):
                # MediaPipe's WASM runtime prints its native INFO/WARNING log lines through console.error.
                self._console.append(text)

    def goto(self, url: str) -> None:
        self._cmd("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def _call(self, function: str):
        result = self._cmd("script.callFunction", functionDeclaration=function, awaitPromise=True,
                           target={"context": self.context})
        if result["type"] == "exception":
            raise EngineError(f"firefox: {result['exceptionDetails']['text']}")
        return result["result"]["value"]

    def _png(self) -> bytes:
        return base64.b64decode(self._cmd("browsingContext.captureScreenshot", context=self.context)["data"])

    def csp_violations(self) -> list[str]:
        return super().csp_violations() + self._csp

    def console_errors(self) -> list[str]:
        return list(self._console)

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                try:
                    self._cmd("browser.close")
                except Exception:  # noqa: BLE001 - closing anyway
                    pass
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


class WebKit(Engine):
    """WebKitGTK over WebKitWebDriver (classic WebDriver), launching ``webkit_browser.py`` under Xvfb."""

    name = "webkit"

    def __init__(self, display: str, *, preload: str | None = None, camera: str = "allow",
                 features: tuple[str, ...] = SAFARI_FEATURES):
        self.tmp = Path(tempfile.mkdtemp(prefix="fittingroom-webkit-"))
        env = {**os.environ, "DISPLAY": display, "FITTINGROOM_WEBKIT_MEDIA": camera,
               "FITTINGROOM_WEBKIT_FEATURES": ",".join(features),
               "FITTINGROOM_WEBKIT_SIZE": f"{VIEWPORT[0]}x{VIEWPORT[1]}",
               # A fresh data and cache directory per session, like a new browser profile.
               "XDG_DATA_HOME": str(self.tmp / "data"), "XDG_CACHE_HOME": str(self.tmp / "cache")}
        if preload:
            script = self.tmp / "preload.js"
            script.write_text(f"({preload})();\n")
            env["FITTINGROOM_WEBKIT_PRELOAD"] = str(script)
        port = _free_port()
        # The browser's stdout carries the page's console (enable-write-console-messages-to-stdout).
        self.log_path = ROOT / "artifacts" / "engines" / f"webkit-{port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([WEBKIT_DRIVER, f"--port={port}"], env=env, stdout=self.log, stderr=self.log)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise EngineError("WebKitWebDriver did not start")
                time.sleep(0.1)
        session = self._req("POST", "/session", {"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": str(WEBKIT_BROWSER), "args": ["--automation"]},
        }}})
        self.version = session["capabilities"].get("browserVersion")
        self.base += f"/session/{session['sessionId']}"
        self._req("POST", "/timeouts", {"script": 120_000})

    def _req(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=150) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as e:
            value = json.loads(e.read() or b"{}").get("value", {})
            raise EngineError(f"webkit {method} {path}: {value.get('error')}: {value.get('message')}") from None

    def goto(self, url: str) -> None:
        self._req("POST", "/url", {"url": url})

    def _call(self, function: str):
        return self._req("POST", "/execute/async", {"script": (
            "const done = arguments[arguments.length - 1];"
            f"({function})().then(done, (e) => done(JSON.stringify({{__error: String(e)}})));"
        ), "args": []})

    def _png(self) -> bytes:
        return base64.b64decode(self._req("GET", "/screenshot"))

    def console(self) -> list[str]:
        """Return the page's console lines so far, as WebKitGTK writes them ("CONSOLE JS ERROR ...")."""
        self.log.flush()
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if ": CONSOLE " in line]

    def console_errors(self) -> list[str]:
        return [line for line in self.console() if " ERROR " in line and not any(
            noise in line for noise in ("INFO:", "W0000", "I0000"))]

    def close(self) -> None:
        try:
            if "/session/" in getattr(self, "base", ""):
                try:
                    self._req("DELETE", "")
                except Exception:  # noqa: BLE001 - closing anyway
                    pass
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            self.log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


def launch(engine: str, display: str, **options) -> Engine:
    return {"firefox": Firefox, "webkit": WebKit}[engine](display, **options)
