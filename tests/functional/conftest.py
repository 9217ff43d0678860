"""Headless Chromium (Debian's package) driven by Playwright for Python."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests import ROOT

CHROMIUM = os.environ.get("FITTINGROOM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
# Without the background-networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]


# Package scope: Playwright's sync API keeps an event loop running in this thread, which must be
# gone before asyncio tests elsewhere start.
@pytest.fixture(scope="package")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it.")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageProblems:
    """Collect console errors, CSP violations and failed requests seen by a page."""

    def __init__(self, page):
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        page.on("requestfailed", lambda req: self.failed_requests.append(f"{req.url} {req.failure}"))

    def _on_console(self, msg):
        text = msg.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(text)
        elif msg.type == "error" and not text.startswith(("INFO:", "W0000", "I0000")):
            # MediaPipe's WASM runtime prints its native INFO/WARNING log lines through console.error.
            self.console_errors.append(text)

    def assert_clean(self):
        assert not self.csp_violations, self.csp_violations
        assert not self.console_errors, self.console_errors


@pytest.fixture
def mobile_page(browser):
    """Return ``(page, problems)`` for a 390x844 phone-sized page."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = PageProblems(page)
    yield page, problems
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a screenshot under artifacts/screenshots and return its path."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


def fake_camera_args(clip: Path) -> list[str]:
    return CHROMIUM_ARGS + [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    ]


@pytest.fixture(scope="package")
def camera_browser(playwright_instance):
    """Chromium whose camera shows a person (a test photo with a gentle pan); permission granted."""
    from tests.functional.fakecam import photo_clip

    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=fake_camera_args(photo_clip("astronaut.png"))
    )
    yield browser
    browser.close()


class NetworkLog:
    """Every request, response size and WebSocket frame a page causes."""

    def __init__(self, page):
        self.requests: list = []
        self.websockets: list[str] = []
        self.ws_frames: list = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws):
        self.websockets.append(ws.url)
        ws.on("framesent", lambda payload: self.ws_frames.append(payload))


@pytest.fixture
def asgi_live_server(transactional_db, settings):
    """Serve the whole ASGI application (HTTP and WebSockets) from a real Daphne process.

    A separate process (not a fork: MediaPipe's threads in this process must not be copied),
    sharing the test database and this test's MEDIA_ROOT.
    """
    import socket
    import subprocess
    import sys
    import time

    from django.db import connection

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fittingroom.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "FITTINGROOM_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    daphne = Path(sys.executable).parent / "daphne"
    proc = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "fittingroom.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("Daphne did not start")
            time.sleep(0.2)

    class Server:
        url = f"http://127.0.0.1:{port}"

    yield Server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
