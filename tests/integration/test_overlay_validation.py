"""Overlay uploads: only real PNGs with alpha, bounded, with complete anchors inside the image."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.forms import GarmentOverlayForm
from catalog.models import GarmentOverlay
from tests.conftest import media_files
from tests.images import jpeg, png_bomb, rgb_png, rgba_png, truncated

TEE_ANCHORS = {
    "left_shoulder": [230, 60], "right_shoulder": [70, 60],
    "left_hip": [220, 300], "right_hip": [80, 300],
    "left_elbow": [280, 170], "right_elbow": [20, 170],
}


def _form(product, data: bytes, *, name="tee.png", content_type="image/png", kind="tshirt", anchors=None):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return GarmentOverlayForm(
        data={"product": product.pk, "kind": kind, "anchors": json.dumps(anchors or TEE_ANCHORS)},
        files={"image": upload},
    )


@pytest.mark.django_db
def test_valid_overlay_is_saved_as_rgba_png(make_product, media_root):
    product = make_product()
    form = _form(product, rgba_png())
    assert form.is_valid(), form.errors
    overlay = form.save()
    overlay.refresh_from_db()
    assert (overlay.width, overlay.height) == (300, 360)
    assert overlay.anchors["left_shoulder"] == [230.0, 60.0]
    assert media_files(media_root) == [f"overlays/{product.slug}.png"]
    garment = overlay.as_garment()
    assert garment["kind"] == "tshirt" and garment["width"] == 300


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, name, content_type, message",
    [
        pytest.param(jpeg(), "tee.png", "image/png", "JPEG", id="jpeg-named-png"),  # sniffed, not trusted
        pytest.param(rgb_png(), "tee.png", "image/png", "no alpha channel", id="no-alpha"),
        pytest.param(png_bomb(4000, 4000), "big.png", "image/png", "megapixels", id="16-megapixels"),
        pytest.param(png_bomb(4000, 8000), "tall.png", "image/png", "at most 4096", id="too-tall"),
        pytest.param(png_bomb(), "bomb.png", "image/png", "too large", id="decompression-bomb"),
        pytest.param(truncated(rgba_png(600, 700)), "cut.png", "image/png", "not a readable image", id="truncated"),
        pytest.param(b"", "empty.png", "image/png", "empty", id="zero-bytes"),
        pytest.param(b"<html>not an image</html>", "page.png", "text/html", "not a readable image", id="html"),
    ],
)
def test_bad_overlay_refused_and_nothing_left(make_product, media_root, data, name, content_type, message):
    product = make_product()
    form = _form(product, data, name=name, content_type=content_type)
    assert not form.is_valid()
    assert message in " ".join(form.errors.get("image", [])), form.errors
    assert GarmentOverlay.objects.count() == 0
    assert media_files(media_root) == []


@pytest.mark.django_db
def test_oversized_overlay_bytes_refused(make_product, media_root, settings):
    settings.FITTINGROOM = {**settings.FITTINGROOM, "OVERLAY_MAX_BYTES": 1000}
    form = _form(make_product(), rgba_png())
    assert not form.is_valid()
    assert "larger than" in form.errors["image"][0]
    assert media_files(media_root) == []


@pytest.mark.django_db
def test_anchor_outside_image_refused(make_product, media_root):
    anchors = dict(TEE_ANCHORS, left_elbow=[301, 170])
    form = _form(make_product(), rgba_png(), anchors=anchors)
    assert not form.is_valid()
    assert "outside the 300x360 image: left_elbow" in form.errors["anchors"][0]
    assert GarmentOverlay.objects.count() == 0 and media_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind, anchors, message",
    [
        ("longsleeve", TEE_ANCHORS, "left_wrist, right_wrist"),
        ("tshirt", {k: v for k, v in TEE_ANCHORS.items() if k != "left_hip"}, "left_hip"),
        ("tshirt", dict(TEE_ANCHORS, belly=[1, 2]), "Unknown anchor name"),
        ("tshirt", "{not json", "not valid JSON"),
        ("tshirt", dict(TEE_ANCHORS, left_hip=[1]), "two numbers"),
    ],
)
def test_incomplete_or_malformed_anchors_refused(make_product, media_root, kind, anchors, message):
    product = make_product()
    form = GarmentOverlayForm(
        data={"product": product.pk, "kind": kind, "anchors": anchors if isinstance(anchors, str) else json.dumps(anchors)},
        files={"image": SimpleUploadedFile("tee.png", rgba_png(), content_type="image/png")},
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors["anchors"]), form.errors
    assert GarmentOverlay.objects.count() == 0 and media_files(media_root) == []


@pytest.mark.django_db
def test_replacing_overlay_leaves_one_file(make_product, media_root, django_capture_on_commit_callbacks):
    from catalog.services import overlay_set

    product = make_product()
    with django_capture_on_commit_callbacks(execute=True):
        overlay_set(product=product, png_bytes=rgba_png(), kind="tshirt", anchors=TEE_ANCHORS)
    first = media_files(media_root)
    assert first == [f"overlays/{product.slug}.png"]
    with django_capture_on_commit_callbacks(execute=True):
        overlay_set(product=product, png_bytes=rgba_png(320, 380), kind="tshirt", anchors=TEE_ANCHORS)
        # Until the replacement commits, the old file is still there.
        assert set(first) < set(media_files(media_root))
    overlay = GarmentOverlay.objects.get()
    assert media_files(media_root) == [overlay.image.name] and overlay.width == 320
    product.delete()
    assert media_files(media_root) == []
