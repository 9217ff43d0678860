"""Photo try-on over HTTP: real pose model, real photos, and every kind of bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import GarmentOverlay
from catalog.services import overlay_set
from tests import MEDIA_DIR
from tests.conftest import media_files
from tests.images import corrupted, jpeg, png_bomb, rgba_png, truncated
from tests.integration.test_overlay_validation import TEE_ANCHORS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_photo_rate_limit")]


@pytest.fixture
def garment(make_product):
    product = make_product(slug="navy-tee")
    overlay_set(product=product, png_bytes=rgba_png(300, 360, colour=(20, 40, 200, 255)), kind="tshirt", anchors=TEE_ANCHORS)
    return product


def _post(client, product, data: bytes, name="me.jpg", content_type="image/jpeg", **extra):
    return client.post(
        f"/p/{product.slug}/photo-try-on/",
        {"photo": SimpleUploadedFile(name, data, content_type=content_type)},
        **extra,
    )


def _astronaut_jpeg(exif: bytes | None = None) -> bytes:
    img = Image.open(MEDIA_DIR / "astronaut.png").convert("RGB")
    out = io.BytesIO()
    if exif is None:
        img.save(out, "JPEG", quality=92)
    else:
        img.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def _exif_with_gps_and_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    return exif.tobytes()


def test_photo_tryon_returns_fitted_jpeg_without_metadata(client, garment, media_root):
    original = _astronaut_jpeg(_exif_with_gps_and_orientation(1))
    response = _post(client, garment, original)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    out = Image.open(io.BytesIO(response.content))
    assert out.size == (512, 512)
    assert not out.getexif(), "EXIF must not be echoed back"
    assert b"SecretCam" not in response.content
    # The blue garment lands on the chest between the shoulders (about x 0.22..0.60, y > 0.5).
    px = np.asarray(out.convert("RGB")).astype(int)
    chest = px[300:420, 170:280]
    blue = (chest[..., 2] > 150) & (chest[..., 0] < 80)
    assert blue.mean() > 0.5
    assert media_files(media_root) == [f"overlays/{garment.slug}.png"]  # nothing new on disk
    assert GarmentOverlay.objects.count() == 1


def test_exif_orientation_is_honoured(client, garment):
    # The same photo stored rotated, with an EXIF tag saying "rotate 90° CW to display".
    img = Image.open(MEDIA_DIR / "astronaut.png").convert("RGB").transpose(Image.Transpose.ROTATE_90)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92, exif=_exif_with_gps_and_orientation(6))
    response = _post(client, garment, out.getvalue())
    assert response.status_code == 200, response.content[:300]
    px = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB")).astype(int)
    chest = px[300:420, 170:280]
    assert ((chest[..., 2] > 150) & (chest[..., 0] < 80)).mean() > 0.5


def test_no_person_is_a_clear_422(client, garment):
    response = _post(client, garment, jpeg(640, 480))
    assert response.status_code == 422
    assert response.json() == {
        "error": "no_person",
        "message": "We couldn't find a person in this photo. Try one where you face the camera, shoulders in view.",
    }


@pytest.mark.parametrize(
    "data, name, content_type, status, code",
    [
        pytest.param(b"", "empty.jpg", "image/jpeg", 400, None, id="zero-bytes"),
        pytest.param(b"GIF89a not really", "x.jpg", "image/jpeg", 400, "unreadable", id="not-an-image"),
        pytest.param(truncated(jpeg(1200, 900), 0.4), "cut.jpg", "image/jpeg", 400, "unreadable", id="truncated-jpeg"),
        pytest.param(png_bomb(10000, 10000), "huge.png", "image/png", 413, "too_many_pixels", id="100-megapixels"),
        pytest.param(png_bomb(20000, 100), "wide.png", "image/png", 413, "too_many_pixels", id="absurd-dimensions"),
        pytest.param(corrupted(rgba_png(200, 200)), "bad.png", "image/png", 400, "unreadable", id="corrupt-png-data"),
        pytest.param(b"%PDF-1.4 fake", "doc.pdf", "application/pdf", 400, "unreadable", id="pdf"),
    ],
)
def test_bad_photos_get_clear_4xx_and_leave_nothing(client, garment, media_root, data, name, content_type, status, code):
    before = media_files(media_root)
    response = _post(client, garment, data, name=name, content_type=content_type)
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["message"] and "Traceback" not in body["message"]
    if code:
        assert body["error"] == code
    assert media_files(media_root) == before


def test_wrong_request_content_type_is_415(client, garment):
    response = client.post(f"/p/{garment.slug}/photo-try-on/", data=_astronaut_jpeg(), content_type="image/jpeg")
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_oversized_upload_is_413(client, garment, settings):
    settings.FITTINGROOM = {**settings.FITTINGROOM, "PHOTO_MAX_BYTES": 100_000}
    response = _post(client, garment, b"\xff\xd8" + b"0" * 300_000)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_get_not_allowed_and_unknown_product_404(client, garment):
    assert client.get(f"/p/{garment.slug}/photo-try-on/").status_code == 405
    assert _post(client, garment.__class__(slug="nope"), jpeg()).status_code == 404


def test_csrf_is_enforced(garment):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = _post(strict, garment, _astronaut_jpeg())
    assert response.status_code == 403


def test_rate_limited_per_client(client, garment, settings):
    settings.FITTINGROOM = {**settings.FITTINGROOM, "PHOTO_RATE_LIMIT": "2/60"}
    codes = [_post(client, garment, jpeg(64, 64)).status_code for _ in range(3)]
    assert codes[:2] == [422, 422] and codes[2] == 429
    other = _post(client, garment, jpeg(64, 64), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 422
