"""Garment onboarding for the catalog: a product photo in, a validated try-on overlay out.

The admin's "Create try-on garment from photo", the ``import_garments`` command
and the demo store all go through these functions, so a garment onboarded in
any of them has passed the same checks as a hand-made overlay
(:func:`overlay_problems`). The computer vision is in :mod:`tryon.onboard`.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from PIL import Image, ImageOps

from catalog.images import ImageRejected, inspect_image
from catalog.models import GarmentOverlay, Product
from catalog.services import overlay_set
from tryon import garments
from tryon.geometry import garment_topology
from tryon.onboard import Proposal, onboard_photo

# Photos are onboarded at most this large (long side, px): the cut-out is
# sharp enough for a phone's screen and the time stays bounded.
ONBOARD_MAX_SIDE = 1600


class OnboardingRefused(ValueError):
    """The photo cannot become a garment; ``str(exc)`` is safe to show to a store admin."""


@dataclass
class Onboarded:
    """One photo's outcome: the proposal, and the overlay when it was saved."""

    proposal: Proposal
    overlay: GarmentOverlay | None


def garment_photo_decode(data: bytes) -> np.ndarray:
    """Return a product photo as uint8 RGB, at most ONBOARD_MAX_SIDE on its long side.

    Sniffed and bounded like every product image (JPEG, PNG or WebP); raise
    :class:`ImageRejected` with a message for the admin.
    """
    limits = settings.FITTINGROOM
    inspect_image(io.BytesIO(data), max_bytes=limits["PRODUCT_IMAGE_MAX_BYTES"],
                  max_pixels=limits["PRODUCT_IMAGE_MAX_PIXELS"])
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            # A transparent product PNG: flatten on white, the cut-out finds it again.
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            img = flat
        img = img.convert("RGB")
        if max(img.size) > ONBOARD_MAX_SIDE:
            img.thumbnail((ONBOARD_MAX_SIDE, ONBOARD_MAX_SIDE), Image.Resampling.LANCZOS)
        return np.asarray(img).copy()


_POSE_LOCK = threading.Lock()
_POSE = {}


def _find_pose(rgb: np.ndarray):
    """Return pose landmarks in ``rgb`` or None, with one lite landmarker per process (image mode)."""
    from tryon.pose import PoseEstimator, model_path_for

    with _POSE_LOCK:
        estimator = _POSE.get("lite")
        if estimator is None or estimator.closed:
            path = model_path_for(settings.FITTINGROOM["MODELS_DIR"], "lite")
            estimator = _POSE["lite"] = PoseEstimator(path, mode="image", segmentation=False)
        result = estimator.detect(rgb)
    return None if result is None else result.landmarks


def product_hint(product: Product | None) -> str:
    """Return the words of a product that may tell a shirt from a jacket."""
    if product is None:
        return ""
    return f"{product.name} {product.category.name if product.category_id else ''}"


def overlay_propose(*, data: bytes, kind: str | None = None, hint: str = "") -> Proposal:
    """Return the onboarding proposal for a product photo's bytes (nothing is written)."""
    if kind is not None and kind not in garments.KIND_LABELS:
        raise OnboardingRefused(f"Unknown garment kind “{kind}”.")
    return onboard_photo(garment_photo_decode(data), kind=kind, hint=hint, find_pose=_find_pose)


def overlay_problems(*, kind: str, anchors: dict, width: int, height: int) -> list[str]:
    """Return what stops ``anchors`` from making a usable garment of ``kind`` (empty when none).

    The one check for hand-made and onboarded overlays alike: every anchor the
    kind needs, inside the image, and a mesh that does not fold.
    """
    if kind not in garments.KIND_LABELS:
        return [f"Unknown garment kind “{kind}”."]
    problems = []
    missing = garments.missing_anchors(kind, anchors)
    if missing:
        problems.append(f"A {garments.KIND_LABELS[kind].lower()} needs anchors: {', '.join(missing)}.")
    outside = garments.anchors_outside(anchors, width, height)
    if outside:
        problems.append(f"Anchors outside the {width}x{height} image: {', '.join(outside)}.")
    if not problems:
        try:
            garment_topology({"kind": kind, "width": width, "height": height, "anchors": anchors})
        except ValueError as exc:
            problems.append(f"These anchors cannot fit the garment on a body ({exc}): move them apart or inside the garment.")
    return problems


def rgba_png(rgba: np.ndarray) -> bytes:
    """Return an RGBA array as PNG bytes."""
    out = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(out, "PNG", compress_level=6)
    return out.getvalue()


def overlay_save(*, product: Product, rgba: np.ndarray, kind: str, anchors: dict) -> GarmentOverlay:
    """Validate and store ``rgba`` as ``product``'s overlay, replacing the old one only when valid.

    Raise :class:`OnboardingRefused` listing the problems otherwise.
    """
    h, w = rgba.shape[:2]
    limits = settings.FITTINGROOM
    if max(w, h) > limits["OVERLAY_MAX_SIDE"] or w * h > limits["OVERLAY_MAX_PIXELS"]:
        raise OnboardingRefused(f"The cut-out ({w}x{h}) is larger than an overlay may be.")
    problems = overlay_problems(kind=kind, anchors=anchors, width=w, height=h)
    if problems:
        raise OnboardingRefused(" ".join(problems))
    return overlay_set(product=product, png_bytes=rgba_png(rgba), kind=kind, anchors=anchors)


def overlay_onboard(*, product: Product, data: bytes, kind: str | None = None) -> Onboarded:
    """Onboard a photo for ``product``: save the overlay when the proposal needs no review.

    A proposal with review reasons is returned unsaved (the old overlay stays).
    """
    proposal = overlay_propose(data=data, kind=kind, hint=product_hint(product))
    if proposal.needs_review or proposal.kind is None or proposal.rgba is None:
        return Onboarded(proposal, None)
    overlay = overlay_save(product=product, rgba=proposal.rgba, kind=proposal.kind, anchors=proposal.anchors)
    return Onboarded(proposal, overlay)
