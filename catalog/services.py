"""Writes to the catalog: overlays and product images, validated and normalised."""

from __future__ import annotations

import io
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from catalog.images import ImageRejected, cover_thumbnail, encode_jpeg, inspect_image
from catalog.models import GarmentOverlay, Product, ProductImage

THUMBNAIL_SIZE = (480, 600)


def _limits() -> dict:
    return settings.FITTINGROOM


def overlay_png_normalise(data: bytes) -> bytes:
    """Return ``data`` re-encoded as an RGBA PNG with no metadata."""
    with Image.open(io.BytesIO(data)) as img:
        rgba = img.convert("RGBA")
    out = io.BytesIO()
    rgba.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def overlay_inspect(fileobj):
    """Validate an overlay upload: a PNG with an alpha channel within limits."""
    limits = _limits()
    info, data = inspect_image(
        fileobj,
        max_bytes=limits["OVERLAY_MAX_BYTES"],
        max_pixels=limits["OVERLAY_MAX_PIXELS"],
        max_side=limits["OVERLAY_MAX_SIDE"],
        formats=("PNG",),
    )
    if not info.has_alpha:
        raise ImageRejected(
            f"The PNG has no alpha channel (mode {info.mode}); export the garment on a transparent background."
        )
    return info, data


@transaction.atomic
def overlay_set(*, product: Product, png_bytes: bytes, kind: str, anchors: dict) -> GarmentOverlay:
    """Create or replace ``product``'s overlay from already validated PNG bytes."""
    overlay = GarmentOverlay.objects.select_for_update().filter(product=product).first()
    if overlay is None:
        overlay = GarmentOverlay(product=product)
    normalised = overlay_png_normalise(png_bytes)
    with Image.open(io.BytesIO(normalised)) as img:
        overlay.width, overlay.height = img.size
    overlay.kind = kind
    overlay.anchors = {name: [int(round(x)), int(round(y))] for name, (x, y) in anchors.items()}
    overlay.image.save(f"{product.slug}.png", ContentFile(normalised), save=False)
    # The replaced file is deleted once this commits (catalog.signals): a
    # failure anywhere before leaves the previous overlay whole.
    overlay.save()
    return overlay


def product_thumbnail_build(image: ProductImage) -> None:
    """(Re)build ``image``'s thumbnail from its stored picture."""
    with image.image.open("rb") as fh, Image.open(fh) as img:
        thumb = cover_thumbnail(img, THUMBNAIL_SIZE)
    stem = PurePath(image.image.name).stem
    if image.thumbnail:
        image.thumbnail.delete(save=False)
    image.thumbnail.save(f"{stem}.jpg", ContentFile(encode_jpeg(thumb, quality=82)), save=False)


@transaction.atomic
def product_image_add(*, product: Product, data: bytes, filename: str, alt: str = "", position: int = 0) -> ProductImage:
    """Validate and store a product photo with its thumbnail."""
    limits = _limits()
    info, _ = inspect_image(
        io.BytesIO(data),
        max_bytes=limits["PRODUCT_IMAGE_MAX_BYTES"],
        max_pixels=limits["PRODUCT_IMAGE_MAX_PIXELS"],
    )
    image = ProductImage(product=product, alt=alt, position=position, width=info.width, height=info.height)
    image.image.save(filename, ContentFile(data), save=False)
    product_thumbnail_build(image)
    image.save()
    return image
