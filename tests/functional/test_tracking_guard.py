"""The browser pose engine's tracking guard, with the real WASM model (pose-engine.js, VIDEO mode).

A shopper cannot be made to trip the guard on demand: MediaPipe holds an impossible body only
after a poor first detection (see tryon/tracking.py). So the engine gets a real TrackingGuard
whose threshold (10 shoulder widths) makes every torso with hips in view too short, and a photo
with hips in view: the engine must return no pose, reset tracking with a blank frame (it says
so on the console) at most every 500 ms of frame time, and find the person again once the
guard lets the pose through. The rule itself is held to the Python reference by the shared
vectors (tests/js/tracking_vectors.test.mjs).
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from django.templatetags.static import static
from PIL import Image

from tests import MEDIA_DIR
from tests.functional.conftest import PageProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGINE = """
async ({vendorBase, modelUrl}) => {
  const [{loadVision, createEngine}, {fetchModel}, {blockCrossOriginFetch}, {TrackingGuard}] = await Promise.all([
    import('/static/tryon/js/pose-engine.js'), import('/static/tryon/js/pose-model.js'),
    import('/static/tryon/js/pose-privacy.js'), import('/static/tryon/js/tracking.js')]);
  blockCrossOriginFetch(globalThis);
  const [runtime, model] = await Promise.all([loadVision(vendorBase), fetchModel(modelUrl)]);
  window.__guard = new TrackingGuard(500, 10);
  window.__engine = await createEngine(runtime, model, 'CPU', undefined, window.__guard);
  const img = new Image();
  img.src = document.body.dataset.photo;
  await img.decode();
  window.__canvas = document.createElement('canvas');
  window.__canvas.width = img.naturalWidth;
  window.__canvas.height = img.naturalHeight;
  window.__canvas.getContext('2d').drawImage(img, 0, 0);
  return true;
}
"""

DETECT = """
({t, strict}) => {
  window.__guard.minTorsoRatio = strict ? 10 : 1;
  const found = window.__engine.detect(window.__canvas, t);
  return {found: found !== null, resets: window.__guard.resets};
}
"""


def test_engine_skips_rejected_poses_and_resets_tracking(live_server, browser):
    rgb = np.asarray(Image.open(MEDIA_DIR / "fullbody_woman.png").convert("RGB").resize((384, 688)))
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    photo = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    problems = PageProblems(page)
    said = []
    page.on("console", lambda msg: said.append(msg.text) if "tracking reset" in msg.text else None)
    try:
        page.goto(live_server.url + "/")
        page.evaluate("(photo) => { document.body.dataset.photo = photo; }", photo)
        page.evaluate(ENGINE, {
            "vendorBase": static("vendor/mediapipe/tasks-vision/"),
            "modelUrl": static("vendor/models/pose_landmarker_lite.task"),
        })
        steps = [(0, False), (100, True), (200, True), (400, True), (700, True), (800, False), (900, False)]
        got = [page.evaluate(DETECT, {"t": t, "strict": strict}) for t, strict in steps]
        assert [g["found"] for g in got] == [True, False, False, False, False, True, True], got
        # A reset at 100 ms and at 700 ms (500 ms later), none in between.
        assert [g["resets"] for g in got] == [0, 1, 1, 1, 2, 2, 2], got
        assert len(said) == 2, said
        problems.assert_clean()
    finally:
        context.close()
