"""Garment onboarding for the catalog: a product photo in, a validated try-on overlay out.

The admin's "Create try-on garment from photo", the ``import_garments`` command
and the demo store all go through these functions, so a garment onboarded in
any of them has passed the same checks as a hand-made overlay
(:func:`overlay_problems`). The computer vision is in :mod:`tryon.onboard`.
"""

from __future__ import annotations

import base64
import functools
import io
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps

from catalog.images import ImageRejected, inspect_image
from catalog.models import GarmentDraft, GarmentOverlay, Product
from catalog.services import overlay_set
from tryon import garments
from tryon.geometry import garment_topology
from tryon.onboard import Proposal, onboard_photo, read_kind_and_anchors

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


# --- Drafts: the admin's check before a photo becomes the overlay ----------------

SAMPLE_BODIES_DIR = Path(__file__).resolve().parent / "sample_bodies"
SAMPLE_BODIES = ("woman", "astronaut", "grace")
DRAFT_MAX_AGE = timedelta(days=1)
PREVIEW_JPEG_QUALITY = 80


def _clean_anchors(anchors: dict) -> dict[str, list[float]]:
    return {k: [float(v[0]), float(v[1])] for k, v in anchors.items()}


@transaction.atomic
def draft_create(*, product: Product, data: bytes, kind: str | None = None) -> GarmentDraft:
    """Onboard ``data`` for ``product`` into a draft the admin checks before saving.

    Raise :class:`ImageRejected` or :class:`OnboardingRefused` when there is no
    cut-out to check (not an image, no garment, a person, a busy background).
    """
    proposal = overlay_propose(data=data, kind=kind, hint=product_hint(product))
    if proposal.rgba is None:
        raise OnboardingRefused(" ".join(proposal.needs_review) or "No garment found in the photo.")
    for stale in GarmentDraft.objects.filter(created_at__lt=timezone.now() - DRAFT_MAX_AGE):
        stale.delete()
    h, w = proposal.rgba.shape[:2]
    draft = GarmentDraft(product=product, width=w, height=h, kind=proposal.kind or "",
                         kind_confidence=proposal.kind_confidence,
                         anchors=_clean_anchors(proposal.anchors), needs_review=list(proposal.needs_review))
    draft.image.save(f"{product.slug}.png", ContentFile(rgba_png(proposal.rgba)), save=False)
    draft.save()
    return draft


_DRAFT_PIXELS: dict[str, np.ndarray] = {}
_DRAFT_LOCK = threading.Lock()


def draft_pixels(draft: GarmentDraft) -> np.ndarray:
    """Return the draft's cut-out as RGBA pixels (cached per process, a few drafts)."""
    key = draft.image.name
    with _DRAFT_LOCK:
        cached = _DRAFT_PIXELS.get(key)
    if cached is not None:
        return cached
    with draft.image.open("rb") as fh, Image.open(fh) as img:
        rgba = np.asarray(img.convert("RGBA")).copy()
    rgba.setflags(write=False)
    with _DRAFT_LOCK:
        while len(_DRAFT_PIXELS) >= 8:
            _DRAFT_PIXELS.pop(next(iter(_DRAFT_PIXELS)))
        _DRAFT_PIXELS[key] = rgba
    return rgba


def draft_anchors_for(*, draft: GarmentDraft, kind: str) -> tuple[dict, list[str]]:
    """Return the anchors read from the draft's cut-out for ``kind``, and any reasons to review."""
    if kind not in garments.KIND_LABELS:
        raise OnboardingRefused(f"Unknown garment kind “{kind}”.")
    mask = draft_pixels(draft)[..., 3] >= 128
    _, _, _, anchors, reasons, _ = read_kind_and_anchors(mask, kind)
    return _clean_anchors(anchors), reasons


@functools.lru_cache(maxsize=1)
def _sample_bodies() -> tuple:
    """Return the sample bodies with their poses (detected once per process)."""
    from tryon.pose import PoseEstimator, model_path_for

    bodies = []
    path = model_path_for(settings.FITTINGROOM["MODELS_DIR"], "full")
    with PoseEstimator(path, mode="image", segmentation=True) as estimator:
        for name in SAMPLE_BODIES:
            rgb = np.asarray(Image.open(SAMPLE_BODIES_DIR / f"{name}.jpg").convert("RGB")).copy()
            pose = estimator.detect(rgb)
            if pose is not None:
                bodies.append((name, rgb, pose))
    return tuple(bodies)


def draft_preview(*, draft: GarmentDraft, kind: str, anchors: dict) -> dict:
    """Return the garment with these anchors fitted on the sample bodies, or the problems that stop it.

    ``{"problems": [...], "previews": [{"body", "src"}], "ms": float}``; ``src``
    is a JPEG data URL.
    """
    from tryon.preview import preview_jpegs

    t0 = time.perf_counter()
    anchors = _clean_anchors(anchors)
    problems = overlay_problems(kind=kind, anchors=anchors, width=draft.width, height=draft.height)
    previews = []
    if not problems:
        garment = {"kind": kind, "width": draft.width, "height": draft.height, "anchors": anchors}
        for name, jpeg in preview_jpegs(draft_pixels(draft), garment, _sample_bodies(), quality=PREVIEW_JPEG_QUALITY):
            previews.append({"body": name, "src": "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()})
    return {"problems": problems, "previews": previews, "ms": round((time.perf_counter() - t0) * 1000.0, 1)}


@transaction.atomic
def draft_save(*, draft: GarmentDraft, kind: str, anchors: dict) -> GarmentOverlay:
    """Make the draft the product's overlay (validated like a hand-made one), then drop the draft."""
    overlay = overlay_save(product=draft.product, rgba=np.array(draft_pixels(draft)), kind=kind,
                           anchors=_clean_anchors(anchors))
    draft.delete()
    return overlay
