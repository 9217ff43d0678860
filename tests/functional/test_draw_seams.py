"""The browser's mesh drawing (draw.js drawMesh) leaves no seams between neighbouring triangles.

Each triangle is a separate clipped, antialiased draw; two neighbours meet at a shared edge
where each covers a pixel only partly. Unless every clip is grown past the edge (and the
image is sampled under the grown part), a light hairline shows along every shared edge: on
a phone, faint diagonal lines across a shirt along the torso grid's quad diagonals.

An opaque, one-colour overlay is drawn through a grid of long, thin triangles, rotated and
reduced (as a garment is drawn smaller than its art on a phone) and also enlarged, and every
pixel well inside the mesh's outline must be the overlay's colour, fully opaque.
"""

from __future__ import annotations

import pytest

from tests.functional.conftest import PageProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in the page: an opaque overlay, a quad grid of thin triangles mapped by a rotation and a
# scale, drawn on a white canvas; returns, for the pixels at least `inset` px inside the drawn
# outline, the lowest alpha and the largest difference from the overlay's colour.
DRAW_GRID = """
async ({scale, angle, cols, rows, inset}) => {
  const {drawMesh} = await import('/static/tryon/js/draw.js');
  const W = 900, H = 600, colour = [40, 90, 200];
  const art = new OffscreenCanvas(W, H);
  const a = art.getContext('2d');
  a.fillStyle = `rgb(${colour.join(',')})`;
  a.fillRect(0, 0, W, H);
  const image = await createImageBitmap(art);
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const size = Math.ceil(Math.hypot(W, H) * scale) + 40;
  const map = ([u, v]) => [size / 2 + scale * ((u - W / 2) * cos - (v - H / 2) * sin),
                           size / 2 + scale * ((u - W / 2) * sin + (v - H / 2) * cos)];
  const src = [], triangles = [];
  for (let r = 0; r <= rows; r++) for (let c = 0; c <= cols; c++) src.push([c * W / cols, r * H / rows]);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const i = r * (cols + 1) + c;
    triangles.push([i, i + 1, i + cols + 2], [i, i + cols + 2, i + cols + 1]);
  }
  const mesh = {src, dst: src.map(map), triangles};
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  // Draw on a transparent layer so a seam shows as alpha below 255 as well as in the colour.
  const layer = document.createElement('canvas');
  layer.width = layer.height = size;
  const lc = layer.getContext('2d');
  drawMesh(lc, image, mesh);
  const px = lc.getImageData(0, 0, size, size).data;
  // Inside test: the pixel centre mapped back to the overlay lies `inset` px (canvas) within it.
  let minAlpha = 255, maxDiff = 0, counted = 0;
  const m = inset / scale;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    const dx = (x + 0.5 - size / 2) / scale, dy = (y + 0.5 - size / 2) / scale;
    const u = dx * cos + dy * sin + W / 2, v = -dx * sin + dy * cos + H / 2;
    if (u < m || v < m || u > W - m || v > H - m) continue;
    const k = 4 * (y * size + x);
    counted++;
    minAlpha = Math.min(minAlpha, px[k + 3]);
    for (let ch = 0; ch < 3; ch++) maxDiff = Math.max(maxDiff, Math.abs(px[k + ch] - colour[ch]));
  }
  return {minAlpha, maxDiff, counted, size};
}
"""


@pytest.mark.parametrize("scale", [0.3, 0.55, 1.0, 1.7])
def test_mesh_is_drawn_without_seams(live_server, browser, scale):
    context = browser.new_context(viewport={"width": 400, "height": 300})
    page = context.new_page()
    problems = PageProblems(page)
    try:
        page.goto(live_server.url + "/")
        got = page.evaluate(DRAW_GRID, {"scale": scale, "angle": 0.29, "cols": 3, "rows": 9, "inset": 2})
    finally:
        context.close()
    problems.assert_clean()
    assert got["counted"] > 1000, got
    assert got["minAlpha"] == 255, f"a seam lets the background through at scale {scale}: {got}"
    assert got["maxDiff"] <= 4, f"a seam changes the colour at scale {scale}: {got}"
