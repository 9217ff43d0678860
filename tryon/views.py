"""Try-on endpoints: parse, call a service, respond. Errors are JSON with a code and a message."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from catalog.images import ImageRejected
from catalog.models import Product
from catalog.selectors import size_advice_input, tryon_garments
from fittingroom.bodylimit import MB, max_body
from fittingroom.http import json_error as _error
from tryon import ratelimit, sizing
from tryon.overlays import overlay_pixels
from tryon.photo import NoPersonFound
from tryon.render import shading_params
from tryon.services import photo_size_advice, photo_tryon

# Multipart overhead allowed on top of the photo itself.
_ENVELOPE = 64 * 1024


def _photo_body_limit(cfg: dict) -> tuple[int, str]:
    return cfg["PHOTO_MAX_BYTES"] + _ENVELOPE, f"The photo is larger than {cfg['PHOTO_MAX_BYTES'] // MB} MB."


def _photo_post(request, slug: str, *, scope: str, busy: str, products):
    """The checks both photo endpoints make first, in this order: the client's rate in ``scope``,
    a multipart body, an active product with an overlay. Return ``(product, None)`` or
    ``(None, error response)``; raise Http404 for an unknown garment."""
    if not ratelimit.hit(scope, ratelimit.client_key(request), settings.FITTINGROOM["PHOTO_RATE_LIMIT"]):
        return None, _error(429, "rate_limited", busy)
    if (request.content_type or "") != "multipart/form-data":
        return None, _error(415, "unsupported_media_type", "Send the photo as multipart/form-data in a field named “photo”.")
    product = products.filter(slug=slug, overlay__isnull=False).first()
    if product is None:
        raise Http404("No such garment.")
    return product, None


def _photo_data(request) -> tuple[bytes | None, HttpResponse | None]:
    """Return the uploaded photo's bytes (at most one more than allowed, for the decoder to refuse), or an error."""
    upload = request.FILES.get("photo")
    if upload is None:
        return None, _error(400, "missing_photo", "Choose a photo first.")
    return upload.read(settings.FITTINGROOM["PHOTO_MAX_BYTES"] + 1), None


@max_body(_photo_body_limit)  # checked before any middleware parses the form (fittingroom.bodylimit)
@require_POST
def photo_tryon_view(request, slug: str):
    product, refused = _photo_post(
        request, slug, scope="photo", busy="Too many try-ons in a short time. Please wait a minute and try again.",
        products=Product.objects.active().select_related("overlay"),
    )
    if refused:
        return refused
    data, refused = _photo_data(request)
    if refused:
        return refused
    try:
        jpeg = photo_tryon(data=data, overlay_rgba=overlay_pixels(product.overlay), garment=product.overlay.as_garment())
    except ImageRejected as exc:
        return _error(exc.status, exc.code, str(exc))
    except NoPersonFound as exc:
        return _error(422, "no_person", str(exc))
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{product.slug}-try-on.jpg"'
    response["Cache-Control"] = "no-store"
    return response


@max_body(_photo_body_limit)
@require_POST
def size_advice_view(request, slug: str):
    """Size advice from a whole-body photo and a height: JSON, nothing stored.

    Fields: ``photo`` (as for the photo try-on), ``height`` ("172", "5'8\""...), optional
    ``weight`` and ``sex``. A photo that cannot be measured gets ``measured: false`` and the
    instruction that would fix it, never a size.
    """
    product, refused = _photo_post(
        request, slug, scope="advice", busy="Too many requests in a short time. Please wait a minute and try again.",
        products=Product.objects.active().select_related("overlay").prefetch_related("variants", "size_chart"),
    )
    if refused:
        return refused
    try:
        height = sizing.parse_height(request.POST.get("height"))
        weight = sizing.parse_weight(request.POST.get("weight"))
        sex = sizing.parse_sex(request.POST.get("sex"))
    except sizing.BodyInputError as exc:
        return _error(400, f"bad_{exc.field}", exc.message)
    data, refused = _photo_data(request)
    if refused:
        return refused
    try:
        result = photo_size_advice(data=data, height_cm=height, weight_kg=weight, sex=sex,
                                   kind=product.overlay.kind, **size_advice_input(product))
    except ImageRejected as exc:
        return _error(exc.status, exc.code, str(exc))
    response = JsonResponse(result)
    response["Cache-Control"] = "no-store"
    return response


def _garment_entry(product) -> dict:
    overlay = product.overlay
    images = list(product.images.all())
    return {
        "thumb_url": images[0].thumbnail.url if images and images[0].thumbnail else "",
        "slug": product.slug,
        "name": product.name,
        "price": product.price_display,
        "overlay_url": overlay.image.url + f"?v={int(overlay.updated_at.timestamp())}",
        "tryon_url": reverse("tryon:live", kwargs={"slug": product.slug}),
        "product_url": product.get_absolute_url(),
        **size_advice_input(product),
        **overlay.as_garment(),
    }


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _capture_ms(request) -> int:
    try:
        return min(60_000, max(1_000, int(request.GET.get("capture_ms", "2000"))))
    except ValueError:
        return 2_000


def choose_model(request) -> str:
    """Return the browser model variant: ``?model=`` when valid, else lite (right for phones)."""
    wanted = request.GET.get("model", "")
    return wanted if wanted in ("lite", "full", "heavy") else "lite"


@require_safe
def live_tryon_view(request, slug: str):
    garments = list(tryon_garments())
    current = next((g for g in garments if g.slug == slug), None)
    if current is None:
        raise Http404("No such garment.")
    model = choose_model(request)
    config = {
        "current": slug,
        "garments": [_garment_entry(g) for g in garments],
        "vendor_base": static("vendor/mediapipe/tasks-vision/"),
        "model": model,
        "model_url": static(f"vendor/models/pose_landmarker_{model}.task"),
        # Its size: served compressed, the download's Content-Length does not say it.
        "model_bytes": _file_size(Path(settings.FITTINGROOM["MODELS_DIR"]) / f"pose_landmarker_{model}.task"),
        "sizing_model_url": static("tryon/sizing-model.json"),
        "worker": request.GET.get("worker") != "0",
        # ?sync=0 always shows the live video under the garment (for comparisons; see bench/registration.py).
        "sync": request.GET.get("sync") != "0",
        # The server fallback sends poses back and the page draws (?server=render: composited frames).
        "server_mode": "render" if request.GET.get("server") == "render" else "pose",
        # The scene's shading on the garment (static/tryon/shading.json, as the server draws it);
        # ?shading=0 draws the overlay's colours flat (for comparisons; see bench/browser.py).
        "shading": None if request.GET.get("shading") == "0" else dataclasses.asdict(shading_params()),
        # ?capture_ms= lengthens the size advice's capture (bench/size_advice.py times a loop that measures).
        "capture_ms": _capture_ms(request),
        "autostart": True,
    }
    return render(request, "tryon/live.html", {"product": current, "entries": config["garments"], "config": config})


@functools.lru_cache(maxsize=1)
def _service_worker_source() -> str:
    """Return the service worker with VERSION set from a hash of the static files it caches."""
    static_dir = Path(settings.BASE_DIR) / "static"
    digest = hashlib.sha256()
    for path in sorted(static_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(static_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    source = (static_dir / "tryon" / "sw.js").read_text()
    return source.replace("__VERSION__", digest.hexdigest()[:16])


@require_safe
def service_worker_view(request):
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
