"""Forearms in front of the garment: the browser erases what the server keeps, in the same place.

For bodies whose forearm crosses the torso (tests/vectors/occlusion), the server's
``tryon.render.arm_occlusion_mask`` (without a person mask) and what the page's occlusion.js
erases from an opaque canvas (``occludingForearms`` + ``eraseOccluders``) must cover the same
pixels to within two pixels all round, and nothing is erased where the server keeps nothing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.functional.conftest import PageProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "occlusion"
W, H = 640, 480

ERASED = """
async ({landmarks, kind, scale, width, height}) => {
  const {occludingForearms, eraseOccluders} = await import('/static/tryon/js/occlusion.js');
  const canvas = document.createElement('canvas');
  canvas.width = width; canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, width, height);
  eraseOccluders(ctx, occludingForearms(landmarks, kind, scale));
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = rgba[4 * i + 3] < 128 ? 1 : 0;
  let s = '';
  for (let i = 0; i < mask.length; i += 8192) s += String.fromCharCode(...mask.subarray(i, i + 8192));
  return btoa(s);
}
"""


def test_browser_erases_the_forearms_the_server_keeps(live_server, browser):
    from tryon.render import arm_occlusion_mask

    cases = [c for f in sorted(VECTORS.glob("*.json")) for c in json.loads(f.read_text())["cases"]]
    context = browser.new_context(viewport={"width": 400, "height": 300})
    page = context.new_page()
    problems = PageProblems(page)
    compared = 0
    try:
        page.goto(live_server.url + "/")
        for case in cases:
            server = arm_occlusion_mask((H, W), case["landmarks"], None, garment_kind=case["kind"],
                                        scale=case["scale"]) > 0
            got = page.evaluate(ERASED, {**case, "width": W, "height": H})
            erased = np.frombuffer(base64.b64decode(got), np.uint8).reshape(H, W) > 0
            if not server.any():
                assert not erased.any(), case["kind"]
                continue
            compared += 1
            # The same shapes, rasterised by two conventions (OpenCV includes boundary pixels, a
            # canvas antialiases them): they agree to within two pixels all round.
            iou = (server & erased).sum() / (server | erased).sum()
            grow = np.ones((5, 5), np.uint8)
            server_only = server & ~(cv2.dilate(erased.astype(np.uint8), grow) > 0)
            erased_only = erased & ~(cv2.dilate(server.astype(np.uint8), grow) > 0)
            assert iou >= 0.9 and not server_only.any() and not erased_only.any(), (
                case["kind"], round(float(iou), 4), int(server_only.sum()), int(erased_only.sum()))
    finally:
        context.close()
    problems.assert_clean()
    assert compared >= 5
