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
