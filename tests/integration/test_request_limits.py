"""Oversized and over-long request bodies are refused early, in JSON, with one log line and no traceback.

Two layers do it (``fittingroom.bodylimit``): Django middleware, before sessions and CSRF parse the
form (what the test client drives), and an ASGI guard in front of Django (what Daphne drives),
which refuses a declared length without reading the body and a streamed one as soon as it passes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.services import overlay_set
from fittingroom.asgi import application  # imported once here: django.setup() in it resets logging
from tests.images import jpeg, rgba_png
from tests.integration.test_overlay_validation import TEE_ANCHORS

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # The attack was run against DEBUG on: that is where Django's technical 400 page leaked settings.
    settings.DEBUG = True
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def garment(make_product):
    product = make_product(slug="navy-tee")
    overlay_set(product=product, png_bytes=rgba_png(300, 360, colour=(20, 40, 200, 255)), kind="tshirt", anchors=TEE_ANCHORS)
    return product


def _photo():
    return SimpleUploadedFile("me.jpg", jpeg(), content_type="image/jpeg")


def _timed_post(client, url, data):
    start = time.perf_counter()
    response = client.post(url, data)
    return response, time.perf_counter() - start


def _assert_clean_refusal(response, caplog, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == code and body["message"]
    assert b"Traceback" not in response.content and b"settings" not in response.content.lower()
    refusals = [r for r in caplog.records if r.name == "fittingroom.requests"]
    assert len(refusals) == 1, [r.getMessage() for r in caplog.records]
    assert code in refusals[0].getMessage()
    assert all(r.exc_info is None and r.exc_text is None for r in caplog.records), "no traceback in the log"
    assert not [r for r in caplog.records if r.name == "django.request"], "Django's own error line is not logged too"


def test_twelve_megabyte_text_field_on_photo_tryon_is_json_413_at_once(client, garment, caplog):
    caplog.set_level(logging.INFO)
    response, seconds = _timed_post(
        client, f"/p/{garment.slug}/photo-try-on/", {"photo": _photo(), "note": "x" * (12 * MB)}
    )
    _assert_clean_refusal(response, caplog, 413, "too_large")
    assert "10 MB" in response.json()["message"]
    assert seconds < 0.5, f"took {seconds:.2f} s"


def test_three_megabyte_text_field_under_the_photo_limit_is_still_json_413(client, garment, caplog):
    # Under the endpoint's 10 MB, but no text field needs more than DATA_UPLOAD_MAX_MEMORY_SIZE.
    caplog.set_level(logging.INFO)
    response, seconds = _timed_post(
        client, f"/p/{garment.slug}/photo-try-on/", {"photo": _photo(), "note": "x" * (3 * MB)}
    )
    _assert_clean_refusal(response, caplog, 413, "too_large")
    assert seconds < 0.5, f"took {seconds:.2f} s"


def test_fifteen_hundred_fields_on_photo_tryon_is_json_400_at_once(client, garment, caplog):
    caplog.set_level(logging.INFO)
    fields = {f"f{i}": "1" for i in range(1500)}
    response, seconds = _timed_post(client, f"/p/{garment.slug}/photo-try-on/", {"photo": _photo(), **fields})
    _assert_clean_refusal(response, caplog, 400, "too_many_fields")
    assert "1000" in response.json()["message"]
    assert seconds < 0.5, f"took {seconds:.2f} s"


def test_photo_tryon_with_ordinary_extra_fields_still_works(client, garment):
    # Over the limit is refused; under it the view answers as before (here: no person in a flat JPEG).
    response = client.post(f"/p/{garment.slug}/photo-try-on/", {"photo": _photo(), "note": "hello"})
    assert response.status_code == 422, response.content[:300]
    assert response.json()["error"] == "no_person"


def test_admin_login_with_fifteen_hundred_fields_is_json_400(client, caplog):
    caplog.set_level(logging.INFO)
    fields = {f"f{i}": "1" for i in range(1500)}
    response, seconds = _timed_post(client, "/admin/login/", {"username": "a", "password": "b", **fields})
    _assert_clean_refusal(response, caplog, 400, "too_many_fields")
    assert seconds < 0.5


def test_admin_post_over_the_admin_limit_is_json_413(client, settings, caplog):
    caplog.set_level(logging.INFO)
    settings.FITTINGROOM = {**settings.FITTINGROOM, "ADMIN_MAX_BODY_BYTES": 1 * MB}
    upload = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * MB), content_type="image/png")
    response, seconds = _timed_post(client, "/admin/catalog/garmentoverlay/add/", {"image": upload})
    _assert_clean_refusal(response, caplog, 413, "too_large")
    assert "1.0 MB" in response.json()["message"]
    assert seconds < 0.5


def test_post_elsewhere_gets_the_small_default_limit(client, garment, caplog):
    # Pages that take no upload (the product page, unknown paths) accept at most MAX_BODY_BYTES.
    caplog.set_level(logging.INFO)
    response = client.post(f"/p/{garment.slug}/", {"x": "y" * (300 * 1024)})
    _assert_clean_refusal(response, caplog, 413, "too_large")
    caplog.clear()
    response = client.post("/no/such/page/", {"x": "y" * (300 * 1024)})
    _assert_clean_refusal(response, caplog, 413, "too_large")


def test_small_post_elsewhere_is_answered_by_the_view(client, garment):
    # The product page is GET-only: a small POST gets the view's own 405, not a size refusal.
    assert client.post(f"/p/{garment.slug}/", {"x": "y"}).status_code == 405


def test_malformed_multipart_is_json_400(client, garment, caplog):
    caplog.set_level(logging.INFO)
    response = client.generic(
        "POST",
        f"/p/{garment.slug}/photo-try-on/",
        b"--x\r\nnot a part header\r\n",
        content_type="multipart/form-data",  # no boundary
    )
    _assert_clean_refusal(response, caplog, 400, "malformed_form")


# --- The ASGI guard, driven with the real application and ASGI messages, as Daphne drives it ----


def _scope(path: str, headers: list[tuple[bytes, bytes]]):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("203.0.113.9", 50000),
        "server": ("testserver", 80),
    }


def _drive(path: str, headers, chunks: list[bytes]):
    """Run the ASGI app; return (status, body, how many body chunks it asked for)."""
    sent: list[dict] = []
    asked = {"n": 0}

    async def receive():
        if asked["n"] < len(chunks):
            chunk = chunks[asked["n"]]
            asked["n"] += 1
            return {"type": "http.request", "body": chunk, "more_body": asked["n"] < len(chunks)}
        await asyncio.sleep(3600)  # a client that stops sending: only a disconnect would come

    async def send(message):
        sent.append(message)

    async def run():
        await asyncio.wait_for(application(_scope(path, headers), receive, send), timeout=30)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, asked["n"]


@pytest.mark.django_db(transaction=True)
def test_asgi_declared_oversize_is_refused_without_reading_the_body(garment, caplog):
    caplog.set_level(logging.INFO)
    headers = [(b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", str(50 * MB).encode())]
    status, body, asked = _drive(f"/p/{garment.slug}/photo-try-on/", headers, [b"x" * MB] * 50)
    assert status == 413 and json.loads(body)["error"] == "too_large"
    assert asked == 0, "not one byte of the body was read"
    assert len([r for r in caplog.records if r.name == "fittingroom.requests"]) == 1


@pytest.mark.django_db(transaction=True)
def test_asgi_streamed_body_is_stopped_as_soon_as_it_passes_the_limit(garment, caplog):
    caplog.set_level(logging.INFO)
    headers = [(b"content-type", b"multipart/form-data; boundary=x")]  # chunked: no Content-Length
    status, body, asked = _drive(f"/p/{garment.slug}/photo-try-on/", headers, [b"x" * MB] * 50)
    assert status == 413 and json.loads(body)["error"] == "too_large"
    assert asked == 11, f"read {asked} MB of a 50 MB body; the limit is 10 MB + 64 KiB"
    assert all(r.exc_info is None for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_asgi_body_under_the_limit_reaches_the_view(garment):
    # A small body reaches Django, which reads all of it and answers itself: here CSRF's 403,
    # since this client sent no token.
    status, body, asked = _drive(f"/p/{garment.slug}/photo-try-on/", [(b"content-type", b"text/plain")], [b"hello"])
    assert status == 403 and asked == 1
    assert b"too_large" not in body
