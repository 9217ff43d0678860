"""Whole-pipeline server/browser parity: each side estimates the pose itself, then fits and draws.

``test_parity.py`` feeds the server's landmarks to both renderers. Here each side runs its own
pose estimation on the same pixels: the photo (scaled to 640 px wide) goes to the page as a PNG
data URL, is decoded onto a canvas (checked to hold exactly the server's RGB array) and given to
tasks-vision's PoseLandmarker (WASM, IMAGE mode, CPU delegate, lite model, loaded with our own
``pose-engine.js`` / ``pose-model.js`` from the vendored files); the server runs
``tryon.pose.PoseEstimator`` (IMAGE mode, the same lite bundle) on that RGB array. Then the
browser fits with geometry.js and draws with draw.js, the server fits with tryon.geometry and
rasterises with ``tryon.render.garment_mask``; the two garment masks (alpha >= 128) must
overlap with IoU >= 0.95.

The IoU table and the largest browser/server landmark difference (normalised coordinates;
shoulders, elbows, wrists and hips visible >= 0.5 on both sides) are printed and written to
``artifacts/parity/pose_iou.json``, with a diff image per pair ``pose--<garment>--<photo>.png``
(white: both, red: server only, blue: browser only).
"""

from __future__ import annotations

import base64
import io
import json
import time

import numpy as np
import pytest
from django.conf import settings
from django.templatetags.static import static
from PIL import Image

from tests.functional.conftest import PageProblems

# The garments, photos, overlay fixtures and mask helpers are those of the same-landmarks test.
from tests.functional.test_parity import (  # noqa: F401  (overlay_art, overlays: fixtures)
    MIN_IOU,
    OUT,
    PHOTOS,
    assert_pairs_match,
    browser_mask,
    overlay_art,
    overlays,
    pair_row,
    print_pairs,
    scaled_photo,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Landmarks compared between the two estimators (BlazePose indices), and the visibility needed.
COMPARED = {
    "left_shoulder": 11, "right_shoulder": 12, "left_elbow": 13, "right_elbow": 14,
    "left_wrist": 15, "right_wrist": 16, "left_hip": 23, "right_hip": 24,
}
VISIBLE = 0.5

# Runs in the page once: tasks-vision and its WASM through pose-engine.js's loadVision, the model
# bytes through pose-model.js's fetchModel, as the live view does; but an IMAGE-mode landmarker
# (createEngine makes a VIDEO-mode one, which tracks between frames), CPU delegate.
BROWSER_LANDMARKER = """
async ({vendorBase, modelUrl}) => {
  const [{loadVision}, {fetchModel}, {blockCrossOriginFetch}, {probeWebGL}] = await Promise.all([
    import('/static/tryon/js/pose-engine.js'), import('/static/tryon/js/pose-model.js'),
    import('/static/tryon/js/pose-privacy.js'), import('/static/tryon/js/pose-gpu.js')]);
  blockCrossOriginFetch(globalThis);
  const webgl = probeWebGL();
  const [runtime, model] = await Promise.all([loadVision(vendorBase), fetchModel(modelUrl)]);
  if (runtime.factory) globalThis.ModuleFactory = runtime.factory;
  window.__parityLandmarker = await runtime.vision.PoseLandmarker.createFromOptions(runtime.fileset, {
    baseOptions: {modelAssetBuffer: model, delegate: 'CPU'},
    runningMode: 'IMAGE',
    numPoses: 1,
    outputSegmentationMasks: false,
  });
  return {simd: runtime.simd, renderer: webgl.renderer, modelBytes: model.byteLength};
}
"""

# Runs in the page per photo: decode the PNG, paint it on a frame-sized canvas, detect on that
# canvas; return the landmarks and the canvas's RGB bytes (base64) to prove the pixels are the same.
BROWSER_POSE = """
async ({dataUrl}) => {
  const img = new Image();
  img.src = dataUrl;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.drawImage(img, 0, 0);
  const started = performance.now();
  const result = window.__parityLandmarker.detect(canvas);
  const inferenceMs = performance.now() - started;
  const pose = result.landmarks && result.landmarks[0];
  const landmarks = pose && pose.length ? pose.map((p) => [p.x, p.y, p.z, p.visibility ?? 0]) : null;
  if (typeof result.close === 'function') result.close();
  const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2];
  }
  let bin = '';
  for (let i = 0; i < rgb.length; i += 0x8000) bin += String.fromCharCode.apply(null, rgb.subarray(i, i + 0x8000));
  return {landmarks, rgb: btoa(bin), size: [canvas.width, canvas.height], inferenceMs};
}
"""


@pytest.fixture(scope="module")
def photos():
    """Return ``{photo: (rgb ~640 wide, PNG data URL of exactly those pixels, server landmarks or None)}``."""
    from tryon.pose import PoseEstimator, model_path_for

    out = {}
    with PoseEstimator(model_path_for(settings.FITTINGROOM["MODELS_DIR"], "lite"), mode="image") as estimator:
        for name in PHOTOS:
            rgb = scaled_photo(name)
            buf = io.BytesIO()
            Image.fromarray(rgb).save(buf, "PNG")  # no gAMA/iCCP chunk: the browser decodes it as is
            data_url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
            pose = estimator.detect(rgb)
            landmarks = None if pose is None else [list(map(float, p)) for p in pose.landmarks]
            out[name] = (rgb, data_url, landmarks)
    return out


def landmark_diffs(server: list, browser: list) -> dict:
    """Return ``{name: max(|dx|, |dy|)}`` (normalised) for the compared landmarks visible on both sides."""
    out = {}
    for name, i in COMPARED.items():
        s, b = server[i], browser[i]
        if s[3] >= VISIBLE and b[3] >= VISIBLE:
            out[name] = max(abs(s[0] - b[0]), abs(s[1] - b[1]))
    return out


def test_server_and_browser_pipelines_draw_the_same_garment_mask(live_server, browser, photos, overlays):
    from tryon.geometry import fit_garment
    from tryon.overlays import overlay_pixels
    from tryon.render import garment_mask

    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(live_server.url + "/")

    poses, rows = {}, []
    try:
        runtime = page.evaluate(BROWSER_LANDMARKER, {
            "vendorBase": static("vendor/mediapipe/tasks-vision/"),
            "modelUrl": static("vendor/models/pose_landmarker_lite.task"),
        })
        setup_seconds = time.perf_counter() - started

        for photo, (rgb, data_url, server_landmarks) in photos.items():
            h, w = rgb.shape[:2]
            got = page.evaluate(BROWSER_POSE, {"dataUrl": data_url})
            assert got["size"] == [w, h], photo
            decoded = np.frombuffer(base64.b64decode(got["rgb"]), np.uint8).reshape(h, w, 3)
            assert np.array_equal(decoded, rgb), f"the page decoded other pixels than the server's for {photo}"
            browser_landmarks = got["landmarks"]
            assert server_landmarks is not None, f"the server found no person in {photo}"
            assert browser_landmarks is not None, f"the browser found no person in {photo}"
            diffs = landmark_diffs(server_landmarks, browser_landmarks)
            assert diffs, f"no compared landmark visible on both sides in {photo}"
            poses[photo] = {
                "frame": [w, h],
                "browser_inference_ms": round(got["inferenceMs"], 1),
                "landmark_max_diff": round(max(diffs.values()), 5),
                "landmark_max_diff_px": round(max(diffs.values()) * max(w, h), 2),
                "landmark_diffs": {k: round(v, 5) for k, v in diffs.items()},
                "visibility": {
                    k: [round(server_landmarks[i][3], 3), round(browser_landmarks[i][3], 3)] for k, i in COMPARED.items()
                },
            }

            for slug, overlay in overlays.items():
                garment = overlay.as_garment()
                rgba = overlay_pixels(overlay, order="RGBA")
                mesh = fit_garment(server_landmarks, w, h, garment)
                assert mesh is not None, f"fit_garment gave no mesh for {slug} on {photo}"
                server = garment_mask((h, w), rgba, mesh) > 0

                browser, drawn = browser_mask(page, overlay, browser_landmarks, w, h, garment, f"{slug} on {photo}")
                rows.append(pair_row(slug, garment, photo, server, browser, mesh, drawn["dst"],
                                     OUT / f"pose--{slug}--{photo.rsplit('.', 1)[0]}.png"))
    finally:
        context.close()

    elapsed = time.perf_counter() - started
    (OUT / "pose_iou.json").write_text(json.dumps({
        "min_iou": MIN_IOU, "seconds": round(elapsed, 1), "browser_setup_seconds": round(setup_seconds, 1),
        "browser_runtime": runtime, "poses": poses, "pairs": rows,
    }, indent=2))
    print(f"\nbrowser landmarker: simd={runtime['simd']} renderer={runtime['renderer']!r}, "
          f"set up in {setup_seconds:.1f} s; total {elapsed:.1f} s")
    for photo, p in poses.items():
        worst = max(p["landmark_diffs"], key=p["landmark_diffs"].get)
        print(f"{photo:20} landmark max diff {p['landmark_max_diff']:.4f} ({p['landmark_max_diff_px']:.1f} px, {worst}),"
              f" browser inference {p['browser_inference_ms']:.0f} ms")
    print_pairs(rows)

    problems.assert_clean()
    assert_pairs_match(rows)
