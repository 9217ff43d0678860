"""Size advice from one photo and the shopper's height: the server's twin of the live page's.

No Django import. The same steps as the live page (static/tryon/js/size-advice.js) with the
same code in Python: the pose and the person mask of the photo (``detect``), the body's widths
(:func:`tryon.bodymeasure.read_frame`), the girths (:func:`tryon.sizing.estimate`) and the size
(:func:`tryon.sizing.recommend`). A photo that cannot be measured (head and chest only, arms
against the body, turned away) gets the instruction that would fix it and no size.
"""

from __future__ import annotations

from tryon import bodymeasure, sizing
from tryon.photo import PhotoLimits, decode_photo


def advise_from_photo(
    data: bytes, *, detect, limits: PhotoLimits, height_cm: float, weight_kg: float | None, sex: str | None,
    chart: list[dict], kind: str, sizes: list[str],
) -> dict:
    """Return ``{"measured", "reading": {status, message, blocked}, "measurements", "advice"}``.

    ``detect`` maps RGB pixels to a pose with its mask (or None). ``measured`` is False, with no
    measurements and no advice, when the photo cannot be measured; ``reading`` then says why.
    Raises :class:`catalog.images.ImageRejected` for a bad image.
    """
    rgb = decode_photo(data, limits)
    pose = detect(rgb)
    height, width = rgb.shape[:2]
    model = sizing.load_model()
    key = sex or "any"
    reading = bodymeasure.read_frame(
        pose.landmarks if pose else None, pose.mask if pose else None, width, height, height_cm,
        model["levels"][key], model["width_range"][key],
    )
    ok = reading["status"] == "ok"
    summary = {"status": reading["status"], "message": "Measured." if ok else reading["message"], "blocked": reading["blocked"]}
    if not ok:
        return {"measured": False, "reading": summary, "measurements": None, "advice": None}
    observed = bodymeasure.observed_widths([reading["widths"]])
    measurements = sizing.estimate(height_cm, weight_kg, sex, observed)
    advice = sizing.recommend(measurements, chart, kind, sizes)
    return {"measured": True, "reading": summary, "measurements": measurements, "advice": advice}
