"""The live try-on in WebKitGTK (Safari's engine) and Firefox ESR (Gecko), not just Chromium.

Each engine gets the same person as Chromium's fake camera (the astronaut clip, through a preload script:
see engines.py), runs MediaPipe on the device, and must reach "tracking" with the garment on the torso,
explain a denied camera, reload with the shop unreachable after one visit, take the server path with the
shopper's consent, and raise no CSP violation. An engine the set-up should have installed but that
is missing fails the test: it never skips.
"""

from __future__ import annotations

import json
import time

import pytest
from django.core.management import call_command

from tests.functional import engines
from tests.functional.netcut import Relay
from tests.functional.test_live_tryon import TEE, TORSO_PROBE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WebKitGTK and Firefox run the model slower than Chromium here (no MediaStreamTrackProcessor: the page
# sends frames one by one), and load the 13 MB WASM without Chromium's code cache.
TRACKING_TIMEOUT = 120


WEBKIT_DENIES_CAMERA = """() => {
  const denied = () => Promise.reject(new DOMException(
    'The request is not allowed by the user agent or the platform in the current context.', 'NotAllowedError'));
  Object.defineProperty(navigator.mediaDevices, 'getUserMedia', {value: denied, configurable: true});
}"""


@pytest.fixture
def demo_store():
    call_command("load_demo_store", verbosity=0)


@pytest.fixture(scope="module")
def display():
    for engine in engines.ENGINES:
        problem = engines.missing(engine)
        if problem:
            pytest.fail(problem)
    xvfb = engines.Xvfb()
    yield xvfb.display
    xvfb.close()


@pytest.fixture(scope="module")
def preload():
    from tests.functional.fakecam import photo_clip

    return engines.camera_preload(photo_clip("astronaut.png"))


@pytest.fixture(params=engines.ENGINES)
def engine_name(request):
    return request.param


@pytest.fixture
def browser(engine_name, display, preload):
    browser = engines.launch(engine_name, display, preload=preload)
    yield browser
    browser.close()


def stats(browser) -> dict:
    return browser.evaluate(
        "() => { const s = window.fittingRoomStats || {}; const t = document.querySelector('[data-tryon]');"
        " return {state: s.state, path: s.path, mode: s.mode, model: s.model, frameSource: s.frameSource,"
        " trackedFrames: s.trackedFrames, detectFrames: s.detectFrames, display: s.display,"
        " uiState: t && t.dataset.state, message: (document.querySelector('[data-message]') || {}).innerText}; }"
    )


# What the camera shows on the page, so a page that never finds the person says whether there was one
# to find: the video's size, play state and track, the mean level (0-255) of the video read three ways
# (drawImage, createImageBitmap, VideoFrame: what the page's own reads would get), and of the test clip's
# own canvas with its decode counts ('source', 'clip': see engines.camera_preload).
CAMERA_PROBE = """async () => {
  const v = document.querySelector('video');
  if (!v || !v.videoWidth) return null;
  const mean = (source) => {
    const c = document.createElement('canvas');
    c.width = 64; c.height = 48;
    const x = c.getContext('2d');
    x.drawImage(source, 0, 0, 64, 48);
    const d = x.getImageData(0, 0, 64, 48).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
    return Math.round(sum / (d.length / 4) / 3);
  };
  const attempt = async (read) => { try { return await read(); } catch (e) { return String(e).slice(0, 80); } };
  const track = v.srcObject && v.srcObject.getVideoTracks ? v.srcObject.getVideoTracks()[0] : null;
  const source = window.__fittingRoomCameraCanvas;
  return {
    size: [v.videoWidth, v.videoHeight], paused: v.paused, readyState: v.readyState, time: v.currentTime,
    track: track && {state: track.readyState, muted: track.muted, enabled: track.enabled},
    drawn: await attempt(() => mean(v)),
    bitmap: await attempt(async () => mean(await createImageBitmap(v))),
    videoFrame: await attempt(async () => { const f = new VideoFrame(v); const b = await createImageBitmap(f); f.close(); return mean(b); }),
    source: source ? await attempt(() => mean(source)) : 'none',
    clip: window.__fittingRoomCameraStats,
  };
}"""


def wait_or_explain(browser, function: str):
    """``browser.wait_for(function)`` up to TRACKING_TIMEOUT; on timeout, fail with the page's state,
    what its camera shows and its console, and keep a screenshot of it."""
    try:
        return browser.wait_for(function, timeout=TRACKING_TIMEOUT)
    except TimeoutError as e:
        shot = browser.screenshot(f"timeout-{browser.name}")
        raise AssertionError(f"{e}; page: {stats(browser)}; camera: {browser.evaluate(CAMERA_PROBE)};"
                             f" console: {browser.console_errors()}; screenshot: {shot}") from None


def wait_tracking(browser, min_frames: int = 5) -> float:
    """Wait until the page tracks a body on the device; return the seconds it took."""
    started = time.monotonic()
    state = wait_or_explain(
        browser,
        "() => { const s = window.fittingRoomStats; if (!s) return null;"
        f" return (s.state === 'tracking' && s.trackedFrames >= {min_frames}) || s.state.startsWith('error')"
        " ? s.state : null; }",
    )
    assert state == "tracking", f"{browser.name}: {stats(browser)}; console: {browser.console_errors()}"
    return time.monotonic() - started


def assert_white_tee_on_torso(probe: dict) -> None:
    """The torso probe saw the white Essential Crew Tee covering the chest, and nothing off the body."""
    assert probe["covered"] > 0.9, probe
    assert probe["cornerAlpha"] == 0, probe
    assert min(probe["mean"]) > 170, probe  # the Essential Crew Tee is white


def test_live_tryon_tracks_on_device_with_garment_on_torso(live_server, demo_store, browser):
    browser.goto(f"{live_server.url}/p/{TEE}/try/")
    seconds = wait_tracking(browser)
    assert browser.evaluate("() => window.__fittingRoomCamera") == "test clip"
    state = stats(browser)
    assert state["path"] == "device", state
    # Neither engine has MediaStreamTrackProcessor: the page sends the worker one frame at a time.
    assert state["frameSource"] == "video", state
    probe = browser.evaluate(TORSO_PROBE)
    print(f"{browser.name} {browser.version}: tracking after {seconds:.1f} s, {state}, torso {probe}")
    assert_white_tee_on_torso(probe)
    assert probe["shoulderWidth"] > 80, probe
    assert "on-device" in browser.evaluate("() => document.querySelector('.stage-privacy').innerText").lower()
    browser.screenshot(f"live-tryon-{browser.name}")

    # Switch garment without reloading: the graphic tee replaces the white one.
    browser.evaluate("() => document.querySelector(\"[data-garment='sunset-graphic-tee']\").click()")
    browser.wait_for("() => document.querySelector('[data-tryon]').dataset.garment === 'sunset-graphic-tee'")
    browser.wait_for("() => window.fittingRoomStats.drawnFrames > 0")
    white = json.dumps(probe["mean"])
    switched = browser.wait_for(
        f"() => {{ const p = ({TORSO_PROBE})(), w = {white};"
        " return p.covered > 0.8 && p.mean && p.mean.some((v, i) => Math.abs(v - w[i]) > 20) ? p : null; }",
        timeout=20,
    )
    assert browser.evaluate("() => location.pathname") == "/p/sunset-graphic-tee/try/", switched

    # Snapshot: composed on the device.
    browser.evaluate("() => document.querySelector('[data-snapshot]').click()")
    browser.wait_for("() => document.querySelector('[data-tryon]').dataset.snapshot === 'ready'", timeout=30)
    size = browser.wait_for(
        "() => { const i = document.querySelector('[data-snapshot-image]');"
        " return i.complete && i.naturalWidth ? [i.naturalWidth, i.naturalHeight] : null; }", timeout=20
    )
    assert size == [640, 480]

    assert browser.csp_violations() == []
    assert browser.console_errors() == []


def test_denied_camera_permission_explains_how_to_fix(live_server, demo_store, engine_name, display):
    # Firefox: the engine's own permission machinery says no (permissions.default.camera = 2), with no
    # preload camera in between. WebKitGTK cannot be made to: a web view under WebDriver automation answers
    # every getUserMedia itself (WebAutomationSession grants it unless an Automation.setPermissions command
    # says otherwise, and WebKitWebDriver has no command for that: POST /session/{id}/permissions is
    # "unknown command"; the permission-request signal never fires). There the preload rejects the call
    # the way Safari does when the shopper taps "Don't Allow": a NotAllowedError.
    preload = "() => {}" if engine_name == "firefox" else WEBKIT_DENIES_CAMERA
    browser = engines.launch(engine_name, display, preload=preload, camera="deny")
    try:
        browser.goto(f"{live_server.url}/p/{TEE}/try/")
        state = browser.wait_for("() => { const s = document.querySelector('[data-tryon]').dataset.state;"
                                 " return s && s.startsWith('error') ? s : null; }", timeout=60)
        assert state == "error:denied", f"{browser.name}: {stats(browser)}; console: {browser.console_errors()}"
        text = browser.evaluate("() => document.querySelector('[data-message]').innerText")
        assert "Camera access was blocked" in text and "Retry" in text
        browser.screenshot(f"live-tryon-denied-{browser.name}")
    finally:
        browser.close()


def test_offline_reload_after_one_visit_still_tries_on(live_server, demo_store, browser):
    # The shop is reached through a relay the test can cut (netcut.py): neither engine's driver has an
    # offline switch. After one visit the service worker holds the page, the runtime, the model and the
    # garment, so a reload with the shop unreachable tracks again.
    relay = Relay(live_server.url)
    try:
        browser.goto(f"{relay.url}/p/{TEE}/try/")
        wait_tracking(browser)
        browser.wait_for("() => window.fittingRoomStats.offlineReady === true", timeout=60)
        browser.evaluate("() => { window.__beforeCut = true; return true; }")
        relay.cut()
        assert relay.refuses()
        browser.goto(f"{relay.url}/p/{TEE}/try/")
        assert browser.evaluate("() => window.__beforeCut === undefined")  # a new page, not the old one
        wait_tracking(browser)
        probe = browser.evaluate(TORSO_PROBE)
        print(f"{browser.name} offline: {stats(browser)}, torso {probe}")
        assert_white_tee_on_torso(probe)
        browser.screenshot(f"live-tryon-offline-{browser.name}")
    finally:
        relay.close()


def test_a_shopper_stepping_into_view_later_is_found(live_server, demo_store, engine_name, display, preload):
    # The page opens on an empty room (the shopper is still setting the phone down), searches, and
    # finds the shopper once they step into view, on the device, with the garment on them.
    away = f"() => {{ window.__fittingRoomCameraAway = true; ({preload})(); }}"
    browser = engines.launch(engine_name, display, preload=away)
    try:
        browser.goto(f"{live_server.url}/p/{TEE}/try/")
        wait_or_explain(browser, "() => { const s = window.fittingRoomStats;"
                                 " return s && s.state === 'searching' && s.detectFrames >= 10; }")
        searching = stats(browser)
        assert searching["trackedFrames"] == 0, searching
        assert "Step back so your shoulders are visible" in searching["message"], searching
        browser.evaluate("() => { window.__fittingRoomCameraAway = false; return true; }")
        wait_tracking(browser)
        assert_white_tee_on_torso(browser.evaluate(TORSO_PROBE))
    finally:
        browser.close()


def test_server_pose_path_with_consent_draws_the_garment_here(asgi_live_server, demo_store, engine_name, display, preload):
    # A device without WebAssembly: the page asks before any frame leaves it, then the server finds the
    # pose and this engine draws the garment on its own video (pose mode, the fallback's default).
    no_wasm = f"() => {{ delete window.WebAssembly; ({preload})(); }}"
    browser = engines.launch(engine_name, display, preload=no_wasm)
    try:
        browser.goto(f"{asgi_live_server.url}/p/{TEE}/try/")
        browser.wait_for("() => document.querySelector('[data-tryon]').dataset.consent === 'asked'")
        assert "frames from your camera are sent to our server" in browser.evaluate(
            "() => document.querySelector('[data-consent]').innerText")
        assert browser.evaluate("() => window.fittingRoomStats.path") != "server"
        browser.evaluate("() => document.querySelector('[data-consent-accept]').click()")
        wait_or_explain(
            browser,
            "() => { const s = window.fittingRoomStats;"
            " return s.path === 'server' && s.state === 'tracking' && s.serverFrames >= 5; }",
        )
        state = browser.evaluate("() => window.fittingRoomStats")
        assert state["serverMode"] == "pose", state["serverMode"]
        assert 0 < state["serverBytesPerFrame"] < 2000, state["serverBytesPerFrame"]
        assert "Server mode" in browser.evaluate("() => document.querySelector('[data-privacy]').innerText")
        probe = browser.wait_for(f"() => {{ const p = ({TORSO_PROBE})(); return p.covered > 0.9 ? p : null; }}",
                                 timeout=20)
        print(f"{browser.name} server path: {state['serverFrames']} frames, {state['serverBytesPerFrame']} B/frame,"
              f" torso {probe}")
        assert_white_tee_on_torso(probe)
        browser.screenshot(f"live-tryon-server-pose-{browser.name}")
        assert browser.csp_violations() == []
    finally:
        browser.close()
