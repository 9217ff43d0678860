"""The admin's garment-from-photo pages: staff only, CSRF, clear refusals, validation before anything is replaced."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalog.models import GarmentDraft, GarmentOverlay, ProductImage
from tests.conftest import media_files

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "catalog" / "demo_photos"


def _upload(name="shirt.jpg", data=None):
    data = data if data is not None else (PHOTOS / "camp_shirt_front.jpg").read_bytes()
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _urls(product, draft=None):
    base = f"/admin/catalog/product/{product.pk}/garment-from-photo/"
    if draft is None:
        return base
    return f"{base}{draft.pk}/"


def _draft(admin_client, product, photo="camp_shirt_front.jpg"):
    response = admin_client.post(_urls(product), {"photo": _upload(data=(PHOTOS / photo).read_bytes())})
    assert response.status_code == 302, response.content[:500]
    return GarmentDraft.objects.get(product=product)


def test_the_product_page_links_to_the_flow(admin_client, make_product):
    product = make_product()
    page = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert f'href="{_urls(product)}"' in page and "Create try-on garment from photo" in page


def test_only_staff_with_change_permission(client, make_product):
    product = make_product()
    response = client.get(_urls(product))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = get_user_model().objects.create_user("clerk", password="a-long-test-password", is_staff=True)
    client.force_login(user)
    assert client.get(_urls(product)).status_code == 403
    assert client.post(_urls(product), {"photo": _upload()}).status_code == 403
    assert not GarmentDraft.objects.exists()


def test_posts_need_the_csrf_token(make_product):
    product = make_product()
    admin = get_user_model().objects.create_superuser("boss", "b@example.com", "a-long-test-password")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(_urls(product), {"photo": _upload()}).status_code == 403
    assert not GarmentDraft.objects.exists()


def test_upload_makes_a_draft_and_the_editor_shows_it(admin_client, make_product, media_root):
    product = make_product()
    draft = _draft(admin_client, product)
    assert draft.kind == "tshirt" and draft.needs_review == [] and len(draft.anchors) == 6
    page = admin_client.get(_urls(product, draft))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="fr-editor-svg"' in html and "catalog/js/garment-editor.js" in html
    config = json.loads(html.split('id="fr-editor-config" type="application/json">')[1].split("</script>")[0])
    assert config["kind"] == "tshirt" and config["anchors"] == draft.anchors
    assert config["preview_url"].endswith(f"/{draft.pk}/preview/")
    assert any(f.startswith("overlay-drafts/") for f in media_files(media_root))
    # Nothing replaced yet.
    assert not GarmentOverlay.objects.filter(product=product).exists()


def test_pick_one_of_the_products_photos(admin_client, make_product):
    from catalog.services import product_image_add

    product = make_product()
    image = product_image_add(product=product, data=(PHOTOS / "jeans_front.jpg").read_bytes(), filename="j.jpg")
    response = admin_client.post(_urls(product), {"product_image": image.pk})
    assert response.status_code == 302
    assert GarmentDraft.objects.get(product=product).kind == "trousers"
    other = make_product()
    response = admin_client.post(_urls(other), {"product_image": image.pk})
    assert response.status_code == 400 and "not one of this product" in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"this is not an image", "not a readable image"),
        ((ROOT / "tests" / "media" / "fullbody_woman.png").read_bytes(), "background is not plain"),
        (None, "Choose a photo"),
    ],
    ids=["not-an-image", "person-photo", "nothing"],
)
def test_bad_photos_get_a_clear_message_and_leave_nothing(admin_client, make_product, media_root, data, message):
    product = make_product()
    payload = {} if data is None else {"photo": _upload(data=data)}
    response = admin_client.post(_urls(product), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GarmentDraft.objects.exists() and media_files(media_root) == []


def test_preview_returns_the_fits_and_problems(admin_client, make_product):
    product = make_product()
    draft = _draft(admin_client, product)
    url = _urls(product, draft) + "preview/"
    response = admin_client.post(url, {"kind": "tshirt", "anchors": draft.anchors}, content_type="application/json")
    body = response.json()
    assert response.status_code == 200 and body["problems"] == []
    assert [p["body"] for p in body["previews"]] == ["woman", "astronaut", "grace"]
    assert all(p["src"].startswith("data:image/jpeg;base64,") for p in body["previews"])
    # Anchors that fold the mesh: problems, no pictures.
    folded = dict(draft.anchors, right_shoulder=draft.anchors["left_shoulder"])
    body = admin_client.post(url, {"kind": "tshirt", "anchors": folded}, content_type="application/json").json()
    assert body["problems"] and body["previews"] == []
    # Malformed requests.
    assert admin_client.post(url, "{not json", content_type="application/json").status_code == 400
    bad = admin_client.post(url, {"kind": "cape", "anchors": {}}, content_type="application/json")
    assert bad.status_code == 400 and "Unknown garment kind" in bad.json()["message"]
    bad = admin_client.post(url, {"kind": "tshirt", "anchors": {"nose_tip": [1, 2]}}, content_type="application/json")
    assert bad.status_code == 400
    assert admin_client.get(url).status_code == 405


def test_another_kind_gets_its_anchors(admin_client, make_product):
    product = make_product()
    draft = _draft(admin_client, product, "oxford_shirt_front.jpg")
    url = _urls(product, draft) + "anchors/"
    body = admin_client.post(url, {"kind": "tshirt"}, content_type="application/json").json()
    assert sorted(body["anchors"]) == sorted(["left_shoulder", "right_shoulder", "left_hip", "right_hip",
                                               "left_elbow", "right_elbow"])


def test_save_validates_then_replaces_the_old_overlay(admin_client, make_product, django_capture_on_commit_callbacks):
    from catalog.onboarding import overlay_propose, overlay_save

    product = make_product()
    old = overlay_propose(data=(PHOTOS / "oxford_shirt_front.jpg").read_bytes())
    overlay_save(product=product, rgba=old.rgba, kind=old.kind, anchors=old.anchors)
    before = GarmentOverlay.objects.get(product=product)
    draft = _draft(admin_client, product)
    # Missing an anchor: refused, the old overlay stays, the draft too.
    partial = {k: v for k, v in draft.anchors.items() if k != "left_elbow"}
    response = admin_client.post(_urls(product, draft), {"kind": "tshirt", "anchors": json.dumps(partial)})
    assert response.status_code == 400 and "needs anchors: left_elbow" in response.content.decode()
    assert GarmentOverlay.objects.get(product=product).image.name == before.image.name
    assert GarmentDraft.objects.filter(pk=draft.pk).exists()
    # Valid: saved, the draft goes.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_urls(product, draft), {"kind": "tshirt", "anchors": json.dumps(draft.anchors)})
    assert response.status_code == 302 and response["Location"] == f"/admin/catalog/product/{product.pk}/change/"
    after = GarmentOverlay.objects.get(product=product)
    assert after.kind == "tshirt" and after.image.name != before.image.name
    assert not GarmentDraft.objects.exists()
    # A draft that is gone: a 404 that says so.
    gone = admin_client.get(_urls(product, draft))
    assert gone.status_code == 404


def test_a_draft_belongs_to_its_product(admin_client, make_product):
    product, other = make_product(), make_product()
    draft = _draft(admin_client, product)
    assert admin_client.get(_urls(other, draft)).status_code == 404
    assert admin_client.post(_urls(other, draft) + "preview/", {"kind": "tshirt", "anchors": draft.anchors},
                             content_type="application/json").status_code == 404
