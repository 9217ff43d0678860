"""Server/browser render parity: for the same frame both draw the garment in the same place.

For each test photo the server's PoseEstimator (IMAGE mode, lite model) runs once; for each
demo garment the server mask is ``tryon.render.garment_mask`` of the mesh from
``tryon.geometry.fit_garment`` and the browser mask is what ``fitGarment`` (geometry.js) and
``drawMesh`` (draw.js) paint on a frame-sized canvas in headless Chromium, alpha >= 128 in both.
The masks must overlap with IoU >= 0.95. The IoU table (and the JS/Python mesh difference) is
printed and written to ``artifacts/parity/iou.json``, with a diff image per pair
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
from PIL import Image

from tests import MEDIA_DIR
from tests.functional.conftest import ARTIFACTS, PageProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GARMENTS = [
    "essential-crew-tee-white",  # tshirt
    "breton-stripe-long-sleeve",  # longsleeve
    "indigo-denim-jacket",  # jacket
    "navy-polka-dot-tea-dress",  # dress
]
PHOTOS = ["astronaut.png", "fullbody_woman.png"]
FRAME_WIDTH = 640
MIN_IOU = 0.95
MIN_COVER = 0.02  # each mask covers more than this share of the frame
OUT = ARTIFACTS / "parity"

# Runs in the page: import the browser's own modules, fit and draw exactly as the live view does
# (identity transform), and return the alpha >= 128 mask as base64 bytes (one byte per pixel).
BROWSER_MASK = """
async ({overlayUrl, landmarks, width, height, garment}) => {
  const [{fitGarment}, {drawMesh}] = await Promise.all([
    import('/static/tryon/js/geometry.js'), import('/static/tryon/js/draw.js')]);
  const img = new Image();
  img.src = overlayUrl;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const mesh = fitGarment(landmarks, width, height, garment);
  if (mesh === null) return null;
  drawMesh(ctx, img, mesh);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = rgba[4 * i + 3] >= 128 ? 1 : 0;
  let bin = '';
  for (let i = 0; i < mask.length; i += 0x8000) bin += String.fromCharCode.apply(null, mask.subarray(i, i + 0x8000));
  return {mask: btoa(bin), dst: mesh.dst, image: [img.naturalWidth, img.naturalHeight]};
}
"""


def scaled_photo(name: str) -> np.ndarray:
    """Return test photo ``name`` as RGB pixels scaled to FRAME_WIDTH wide."""
    with Image.open(MEDIA_DIR / name) as img:
        img = img.convert("RGB")
        height = round(img.height * FRAME_WIDTH / img.width)
        return np.asarray(img.resize((FRAME_WIDTH, height), Image.Resampling.LANCZOS)).copy()


@pytest.fixture(scope="module")
def frames():
    """Return ``{photo: (rgb frame ~640 wide, landmarks)}``: the server's pose, run once per photo."""
    from tryon.pose import PoseEstimator, model_path_for

    out = {}
    with PoseEstimator(model_path_for(settings.FITTINGROOM["MODELS_DIR"], "lite"), mode="image") as estimator:
        for name in PHOTOS:
            rgb = scaled_photo(name)
            pose = estimator.detect(rgb)
            assert pose is not None, f"no person found in {name}"
            out[name] = (rgb, [list(map(float, p)) for p in pose.landmarks])
    return out


@pytest.fixture(scope="module")
def overlay_art():
    """Return ``{slug: (spec, png bytes, anchors)}`` for the demo garments (drawn once)."""
    from catalog import demo_art

    art = {}
    for slug in GARMENTS:
        spec = demo_art.garment_by_slug(slug)
        img, anchors = demo_art.render_overlay(spec)
        buf = io.BytesIO()
        img.save(buf, "PNG")
        art[slug] = (spec, buf.getvalue(), anchors)
    return art


@pytest.fixture
def overlays(overlay_art):
    """Create one product per garment with its overlay (served from /media/); return ``{slug: overlay}``."""
    from decimal import Decimal

    from catalog.models import Category, Product
    from catalog.services import overlay_set

    out = {}
    for slug, (spec, png, anchors) in overlay_art.items():
        category, _ = Category.objects.get_or_create(slug="parity", defaults={"name": "Parity"})
        product = Product.objects.create(
            category=category, name=spec.name, slug=slug, description="", price=Decimal("1.00")
        )
        out[slug] = overlay_set(product=product, png_bytes=png, kind=spec.kind, anchors=anchors)
    return out


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def save_diff(path, server: np.ndarray, browser: np.ndarray) -> None:
    diff = np.zeros((*server.shape, 3), np.uint8)
    diff[server & browser] = (255, 255, 255)
    diff[server & ~browser] = (255, 0, 0)
    diff[~server & browser] = (0, 96, 255)
    Image.fromarray(diff).save(path)


def browser_mask(page, overlay, landmarks: list, width: int, height: int, garment: dict, what: str) -> tuple:
    """Return the browser's alpha >= 128 mask of ``overlay`` fitted to ``landmarks``, and what BROWSER_MASK gave."""
    drawn = page.evaluate(
        BROWSER_MASK,
        {"overlayUrl": overlay.image.url, "landmarks": landmarks, "width": width, "height": height, "garment": garment},
    )
    assert drawn is not None, f"fitGarment gave no mesh for {what}"
    return np.frombuffer(base64.b64decode(drawn["mask"]), np.uint8).reshape(height, width) > 0, drawn


def pair_row(slug: str, garment: dict, photo: str, server: np.ndarray, browser: np.ndarray, mesh: dict,
             browser_dst: list, diff_path) -> dict:
    """Return the table row comparing one garment's server and browser masks on one photo; save its diff image."""
    h, w = server.shape
    save_diff(diff_path, server, browser)
    return {
        "garment": slug, "kind": garment["kind"], "photo": photo, "frame": [w, h],
        "iou": round(iou(server, browser), 4),
        "server_cover": round(float(server.mean()), 4), "browser_cover": round(float(browser.mean()), 4),
        "server_only_px": int((server & ~browser).sum()), "browser_only_px": int((~server & browser).sum()),
        "mesh_max_diff_px": float(np.abs(np.asarray(browser_dst) - np.asarray(mesh["dst"])).max()),
        "estimated": mesh["estimated"],
    }


def print_pairs(rows: list[dict]) -> None:
    print(f"{'garment':28} {'photo':20} {'IoU':>7} {'server%':>8} {'browser%':>8} {'srv-only':>8} {'brw-only':>8} {'mesh Δpx':>9}")
    for r in rows:
        print(f"{r['garment']:28} {r['photo']:20} {r['iou']:7.4f} {100 * r['server_cover']:8.2f} {100 * r['browser_cover']:8.2f}"
              f" {r['server_only_px']:8d} {r['browser_only_px']:8d} {r['mesh_max_diff_px']:9.2g}")


def assert_pairs_match(rows: list[dict]) -> None:
    """Every garment on every photo: both masks cover the frame, and they overlap with IoU >= MIN_IOU."""
    assert len(rows) == len(GARMENTS) * len(PHOTOS)
    for r in rows:
        assert r["server_cover"] > MIN_COVER and r["browser_cover"] > MIN_COVER, r
    short = [r for r in rows if r["iou"] < MIN_IOU]
    assert not short, f"server and browser masks differ (IoU < {MIN_IOU}): {short}"


def test_server_and_browser_draw_the_same_garment_mask(live_server, browser, frames, overlays):
    from tryon.geometry import fit_garment
    from tryon.overlays import overlay_pixels
    from tryon.render import garment_mask

    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(live_server.url + "/")

    rows = []
    try:
        for slug, overlay in overlays.items():
            garment = overlay.as_garment()
            rgba = overlay_pixels(overlay, order="RGBA")
            for photo, (rgb, landmarks) in frames.items():
                h, w = rgb.shape[:2]
                mesh = fit_garment(landmarks, w, h, garment)
                assert mesh is not None, (slug, photo)
                server = garment_mask((h, w), rgba, mesh) > 0

                browser, got = browser_mask(page, overlay, landmarks, w, h, garment, f"{slug} on {photo}")
                assert got["image"] == [rgba.shape[1], rgba.shape[0]]
                rows.append(pair_row(slug, garment, photo, server, browser, mesh, got["dst"],
                                     OUT / f"{slug}--{photo.rsplit('.', 1)[0]}.png"))
    finally:
        context.close()

    elapsed = time.perf_counter() - started
    (OUT / "iou.json").write_text(json.dumps({"min_iou": MIN_IOU, "seconds": round(elapsed, 1), "pairs": rows}, indent=2))
    print()
    print_pairs(rows)

    problems.assert_clean()
    assert_pairs_match(rows)


# Runs in the page: draw the frame, then the garment over it shaded by that frame (as the live
# view's snapshot does: SceneShading on a layer) and flat; and the shading alone (a white canvas
# shaded over the mesh's box: 255 * S). Return the three as RGB.
BROWSER_COMPOSITE = """
async ({overlayUrl, frameUrl, landmarks, width, height, garment, shading}) => {
  const [{fitGarment}, {drawMesh, SceneShading}] = await Promise.all([
    import('/static/tryon/js/geometry.js'), import('/static/tryon/js/draw.js')]);
  const load = async (url) => { const img = new Image(); img.src = url; await img.decode(); return img; };
  const [img, frame] = await Promise.all([load(overlayUrl), load(frameUrl)]);
  const mesh = fitGarment(landmarks, width, height, garment);
  if (mesh === null) return null;
  const shader = new SceneShading(shading);
  const out = {};
  for (const what of ['shaded', 'flat', 'shade']) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(frame, 0, 0);
    if (what === 'shaded') shader.drawMesh(ctx, img, mesh, shader.measure(canvas, width, height, mesh));
    else if (what === 'flat') drawMesh(ctx, img, mesh);
    else {
      const shade = shader.measure(canvas, width, height, mesh);
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      shader.apply(ctx, shade);
    }
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) { rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2]; }
    let bin = '';
    for (let i = 0; i < rgb.length; i += 0x8000) bin += String.fromCharCode.apply(null, rgb.subarray(i, i + 0x8000));
    out[what] = btoa(bin);
  }
  return out;
}
"""
# The shading itself (255 * S over the garment's box, no garment): the browser's canvas halvings,
# shadeCells and bilinear enlargement against tryon.render.shading_map, in levels of 255.
MAX_SHADE_MEAN_DIFF = 0.5
MAX_SHADE_P99_DIFF = 3
# Shaded composites, over the inside of both garment masks (eroded: the edges differ with the
# masks, which the test above holds). The flat composites already differ a little where a print's
# edges are resampled differently (up to 4.5 levels of 255 on average for the Breton stripes); the
# shaded ones may differ by no more than MAX_SHADED_EXTRA_DIFF more.
MAX_SHADED_EXTRA_DIFF = 0.5
ERODE_PX = 3


def png_data_url(rgb: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_server_and_browser_shade_the_garment_alike(live_server, browser, frames, overlays):
    import dataclasses

    import cv2
    from tryon.geometry import fit_garment
    from tryon.overlays import overlay_pixels
    from tryon.render import composite, garment_mask, shading_map, shading_params

    OUT.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(live_server.url + "/")
    shading = dataclasses.asdict(shading_params())
    kernel = np.ones((2 * ERODE_PX + 1, 2 * ERODE_PX + 1), np.uint8)
    rows = []
    try:
        for slug, overlay in overlays.items():
            garment = overlay.as_garment()
            rgba = overlay_pixels(overlay, order="RGBA")
            for photo, (rgb, landmarks) in frames.items():
                h, w = rgb.shape[:2]
                mesh = fit_garment(landmarks, w, h, garment)
                server = composite(rgb.copy(), rgba, mesh)
                server_flat = composite(rgb.copy(), rgba, mesh, shading=False)
                got = page.evaluate(BROWSER_COMPOSITE, {
                    "overlayUrl": overlay.image.url, "frameUrl": png_data_url(rgb), "landmarks": landmarks,
                    "width": w, "height": h, "garment": garment, "shading": shading})
                assert got is not None, (slug, photo)
                browser_shaded, browser_flat, browser_shade = (
                    np.frombuffer(base64.b64decode(got[k]), np.uint8).reshape(h, w, 3) for k in ("shaded", "flat", "shade"))
                # The shading over the garment's box, both sides (the box as composite() takes it).
                d = np.asarray(mesh["dst"])
                x0, y0 = max(int(np.floor(d[:, 0].min())), 0), max(int(np.floor(d[:, 1].min())), 0)
                x1, y1 = min(int(np.ceil(d[:, 0].max())) + 1, w), min(int(np.ceil(d[:, 1].max())) + 1, h)
                server_shade = shading_map(rgb, (x0, y0, x1 - x0, y1 - y0), mesh["scale"]).astype(int)
                shade_diff = np.abs(server_shade - browser_shade[y0:y1, x0:x1, 0])
                inside = cv2.erode(garment_mask((h, w), rgba, mesh), kernel) > 0
                rows.append({
                    "garment": slug, "photo": photo, "pixels": int(inside.sum()),
                    "shade_min": int(server_shade.min()),
                    "shade_mean_diff": round(float(shade_diff.mean()), 3),
                    "shade_p99_diff": int(np.percentile(shade_diff, 99)),
                    "shaded_mean_diff": round(float(np.abs(server[inside].astype(int) - browser_shaded[inside]).mean()), 3),
                    "flat_mean_diff": round(float(np.abs(server_flat[inside].astype(int) - browser_flat[inside]).mean()), 3),
                    "server_shading_mean": round(float((server_flat[inside].astype(int) - server[inside]).mean()), 3),
                    "browser_shading_mean": round(float((browser_flat[inside].astype(int) - browser_shaded[inside]).mean()), 3),
                })
                stem = f"{slug}--{photo.rsplit('.', 1)[0]}"
                Image.fromarray(np.hstack([server, browser_shaded])).save(OUT / f"shaded-{stem}.png")
    finally:
        context.close()
    (OUT / "shading.json").write_text(json.dumps({"pairs": rows}, indent=2))
    print()
    for r in rows:
        print(r)
    problems.assert_clean()
    assert len(rows) == len(GARMENTS) * len(PHOTOS)
    for r in rows:
        assert r["pixels"] > 1000, r
        assert r["shade_min"] < 230 and r["server_shading_mean"] > 0.1, r  # the photos' folds do shade
        assert r["shade_mean_diff"] <= MAX_SHADE_MEAN_DIFF and r["shade_p99_diff"] <= MAX_SHADE_P99_DIFF, r
        assert r["shaded_mean_diff"] <= r["flat_mean_diff"] + MAX_SHADED_EXTRA_DIFF, r
