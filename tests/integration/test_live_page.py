"""The live try-on page and its service worker, as served (the browser tests drive them)."""

from __future__ import annotations

import json
import re

import pytest

from catalog.services import overlay_set
from tests.images import rgba_png
from tests.integration.test_overlay_validation import TEE_ANCHORS

pytestmark = pytest.mark.django_db


def test_live_page_carries_garments_model_and_strict_csp(client, make_product):
    product = make_product(slug="navy-tee")
    overlay_set(product=product, png_bytes=rgba_png(), kind="tshirt", anchors=TEE_ANCHORS)
    make_product(slug="no-overlay")  # not offered in the switcher
    response = client.get("/p/navy-tee/try/?model=full")
    assert response.status_code == 200
    body = response.content.decode()
    config = json.loads(re.search(r'<script id="tryon-config" type="application/json">(.*?)</script>', body).group(1))
    assert config["current"] == "navy-tee" and config["model"] == "full"
    assert config["sync"] is True and config["worker"] is True  # ?sync=0 and ?worker=0: for tests and benchmarks
    assert config["model_url"].endswith("/static/vendor/models/pose_landmarker_full.task")
    assert [g["slug"] for g in config["garments"]] == ["navy-tee"]
    assert config["garments"][0]["anchors"]["left_shoulder"] == [230.0, 60.0]
    assert "On-device" in body and "<script>" not in body  # no inline scripts
    assert "'wasm-unsafe-eval'" in response.headers["Content-Security-Policy"]
    assert json.loads(re.search(r'id="tryon-config" type="application/json">(.*?)<', client.get("/p/navy-tee/try/?model=evil").content.decode()).group(1))["model"] == "lite"
    assert json.loads(re.search(r'id="tryon-config" type="application/json">(.*?)<', client.get("/p/navy-tee/try/?sync=0").content.decode()).group(1))["sync"] is False


def test_live_page_404_without_overlay(client, make_product):
    make_product(slug="plain")
    assert client.get("/p/plain/try/").status_code == 404


def test_service_worker_is_versioned_and_scoped_to_the_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    source = response.content.decode()
    assert "__VERSION__" not in source and re.search(r'const VERSION = "[0-9a-f]{16}";', source)
    assert client.head("/sw.js").status_code == 200
    assert client.post("/sw.js").status_code == 405
