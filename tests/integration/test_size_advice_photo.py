"""Size advice from a photo over HTTP: real pose model and mask, real photos, every bad input."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import SizeChartRow, Variant
from catalog.services import overlay_set
from tests import MEDIA_DIR
from tests.conftest import media_files
from tests.images import corrupted, jpeg, rgba_png, standing_jpeg
from tests.integration.test_overlay_validation import TEE_ANCHORS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_photo_rate_limit")]

CHART = {"XS": (82, 66, 88), "S": (88, 72, 94), "M": (96, 80, 100), "L": (104, 88, 106), "XL": (112, 96, 112)}
# Adult ranges (cm) published for ANSUR II, men and women together: chest 69-150, waist 52-150,
# hips 75-137 (the survey's own minimum and maximum, tests/data/ansur2).
ADULT = {"chest": (69, 150), "waist": (52, 150), "hips": (75, 137)}


@pytest.fixture
def dress(make_product):
    product = make_product(slug="sun-dress")
    overlay_set(product=product, png_bytes=rgba_png(300, 360), kind="dress", anchors=TEE_ANCHORS)
    for i, (size, (chest, waist, hips)) in enumerate(CHART.items()):
        Variant.objects.create(product=product, size=size, colour="Blue", sku=f"DRESS-{size}", stock=5)
        SizeChartRow.objects.create(product=product, size=size, chest_cm=chest, waist_cm=waist, hips_cm=hips)
    return product


@pytest.fixture(scope="module")
def standing():
    return standing_jpeg()


def _post(client, product, photo: bytes | None, *, name="me.jpg", content_type="image/jpeg", **fields):
    data = {k: v for k, v in fields.items() if v is not None}
    if photo is not None:
        data["photo"] = SimpleUploadedFile(name, photo, content_type=content_type)
    return client.post(f"/p/{product.slug}/size-advice/", data)


def test_a_whole_body_photo_and_a_height_get_a_size(client, dress, standing, media_root):
    response = _post(client, dress, standing, height="170", weight="64")
    assert response.status_code == 200, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["measured"] is True and body["reading"]["status"] == "ok"
    measurements = body["measurements"]
    for zone, (low, high) in ADULT.items():
        m = measurements[zone]
        assert low <= m["value"] <= high and m["low"] < m["value"] < m["high"], (zone, m)
    assert measurements["waist"]["camera"] == "used" and measurements["hips"]["camera"] == "used"
    advice = body["advice"]
    assert advice["status"] == "ok" and advice["size"] in CHART and advice["message"].startswith(advice["size"])
    assert 0 < advice["confidence"] < 1
    assert media_files(media_root) == [f"overlays/{dress.slug}.png"]  # the photo is not kept


def test_the_same_person_at_three_scales_and_crops_agrees_within_the_stated_uncertainty(client, dress):
    values = {zone: [] for zone in ADULT}
    sds = {zone: [] for zone in ADULT}
    for width, height, crop in ((640, 480, None), (960, 720, None), (480, 360, (27, 20, 560, 420))):
        body = _post(client, dress, standing_jpeg(width=width, height=height, crop=crop), height="170").json()
        assert body["measured"], body["reading"]
        for zone in ADULT:
            values[zone].append(body["measurements"][zone]["value"])
            sds[zone].append(body["measurements"][zone]["sd"])
    for zone in ("waist", "hips"):  # the zones the camera measures on this photo
        spread = max(values[zone]) - min(values[zone])
        assert spread <= 3.0 and spread <= min(sds[zone]), (zone, values[zone], sds[zone])


@pytest.mark.parametrize(
    ("photo", "status", "says"),
    [
        ("astronaut.png", "step_back", "Step back until your head and feet are in view"),
        ("fullbody_woman.png", "arms_away", "Hold your arms a little away from your body"),
    ],
)
def test_a_photo_that_cannot_be_measured_gets_the_instruction_never_a_size(client, dress, photo, status, says):
    data = (MEDIA_DIR / photo).read_bytes()
    body = _post(client, dress, data, name=photo, content_type="image/png", height="165").json()
    assert body["measured"] is False and body["advice"] is None and body["measurements"] is None
    assert body["reading"]["status"] == status and says in body["reading"]["message"]


@pytest.mark.parametrize(
    ("fields", "code", "says"),
    [
        ({}, "bad_height", "Enter your height"),
        ({"height": "0"}, "bad_height", "A height of 0 cm is outside 100–250 cm"),
        ({"height": "300"}, "bad_height", "A height of 300 cm is outside"),
        ({"height": "tall"}, "bad_height", "Enter your height as a number"),
        ({"height": "170", "weight": "-60"}, "bad_weight", "Weight must be more than 0"),
        ({"height": "170", "weight": "heavy"}, "bad_weight", "Enter your weight as a number"),
        ({"height": "170", "sex": "robot"}, "bad_sex", "Choose female, male"),
    ],
)
def test_bad_body_inputs_get_a_clear_400(client, dress, standing, fields, code, says):
    response = _post(client, dress, standing, **fields)
    assert response.status_code == 400
    assert response.json()["error"] == code and says in response.json()["message"]


def test_bad_requests_get_typed_errors_and_leave_nothing(client, dress, media_root):
    assert _post(client, dress, None, height="170").json()["error"] == "missing_photo"
    response = _post(client, dress, b"this is not an image", name="me.jpg", height="170")
    assert 400 <= response.status_code < 500 and response.json()["error"]
    response = _post(client, dress, corrupted(jpeg()), height="170")  # decodes, with nobody in it
    assert response.status_code == 200 and response.json()["reading"]["status"] == "no_person"
    response = client.post(f"/p/{dress.slug}/size-advice/", b"{}", content_type="application/json")
    assert response.status_code == 415 and response.json()["error"] == "unsupported_media_type"
    assert client.get(f"/p/{dress.slug}/size-advice/").status_code == 405
    assert client.post("/p/no-such-garment/size-advice/", {"height": "170"}).status_code == 404
    assert media_files(media_root) == [f"overlays/{dress.slug}.png"]


def test_no_size_chart_says_so(client, dress, standing):
    dress.size_chart.all().delete()
    advice = _post(client, dress, standing, height="170").json()["advice"]
    assert advice["status"] == "no_chart" and advice["size"] is None
    assert advice["message"] == "This product has no size chart, so we cannot advise a size."


def test_csrf_is_enforced(dress, standing):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/p/{dress.slug}/size-advice/",
                           {"photo": SimpleUploadedFile("me.jpg", standing, content_type="image/jpeg"), "height": "170"})
    assert response.status_code == 403
