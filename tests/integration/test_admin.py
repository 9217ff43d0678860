"""Admin: staff only; products editable with inlines; overlay uploads validated end to end."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import GarmentOverlay, Product
from tests.conftest import media_files
from tests.images import jpeg, rgba_png
from tests.integration.test_overlay_validation import TEE_ANCHORS


@pytest.mark.django_db
def test_anonymous_redirected_to_login(client):
    response = client.get("/admin/catalog/product/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_non_staff_user_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("shopper", password="pw-shopper-123"))
    response = client.get("/admin/catalog/product/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_sees_products_with_filters_and_search(admin_client, make_product):
    make_product(name="Breton Stripe Top")
    make_product(name="Denim Jacket")
    response = admin_client.get("/admin/catalog/product/", {"q": "breton"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Breton Stripe Top" in body and "Denim Jacket" not in body
    assert "By active" in body or "By Active" in body


@pytest.mark.django_db
def test_bulk_deactivate_and_activate(admin_client, make_product):
    a, b = make_product(), make_product()
    url = "/admin/catalog/product/"
    admin_client.post(url, {"action": "deactivate", "_selected_action": [a.pk, b.pk]})
    assert Product.objects.filter(is_active=True).count() == 0
    admin_client.post(url, {"action": "activate", "_selected_action": [a.pk]})
    assert list(Product.objects.filter(is_active=True)) == [a]


@pytest.mark.django_db
def test_overlay_admin_upload_shows_anchor_preview(admin_client, make_product, media_root):
    product = make_product()
    response = admin_client.post(
        "/admin/catalog/garmentoverlay/add/",
        {
            "product": product.pk,
            "kind": "tshirt",
            "anchors": json.dumps(TEE_ANCHORS),
            "image": SimpleUploadedFile("tee.png", rgba_png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    overlay = GarmentOverlay.objects.get()
    page = admin_client.get(f"/admin/catalog/garmentoverlay/{overlay.pk}/change/").content.decode()
    assert 'class="fr-overlay-preview"' in page
    assert page.count("<circle") == len(TEE_ANCHORS)


@pytest.mark.django_db
def test_overlay_admin_refuses_jpeg_and_writes_nothing(admin_client, make_product, media_root):
    product = make_product()
    response = admin_client.post(
        "/admin/catalog/garmentoverlay/add/",
        {
            "product": product.pk,
            "kind": "tshirt",
            "anchors": json.dumps(TEE_ANCHORS),
            "image": SimpleUploadedFile("tee.png", jpeg(), content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert "This is a JPEG file; upload one of: PNG." in response.content.decode()
    assert GarmentOverlay.objects.count() == 0 and media_files(media_root) == []


@pytest.mark.django_db
def test_product_admin_change_page_has_inlines(admin_client, make_product):
    product = make_product()
    page = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    for inline in ("variants", "images", "size_chart", "overlay"):
        assert f'id="{inline}-group"' in page, inline


@pytest.mark.django_db
def test_product_image_inline_builds_thumbnail(admin_client, make_product, media_root):
    product = make_product()
    url = f"/admin/catalog/product/{product.pk}/change/"
    data = {
        "category": product.category_id, "name": product.name, "slug": product.slug,
        "description": "", "price": "19.00", "currency": "EUR", "is_active": "on",
        "variants-TOTAL_FORMS": 0, "variants-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": 1, "images-INITIAL_FORMS": 0,
        "images-0-image": SimpleUploadedFile("p.jpg", jpeg(800, 1000), content_type="image/jpeg"),
        "images-0-alt": "front", "images-0-position": 0,
        "size_chart-TOTAL_FORMS": 0, "size_chart-INITIAL_FORMS": 0,
        "overlay-TOTAL_FORMS": 0, "overlay-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    image = product.images.get()
    assert image.thumbnail.name.endswith(".jpg")
    assert len(media_files(media_root)) == 2


def _chart_post(product, rows):
    data = {
        "category": product.category_id, "name": product.name, "slug": product.slug,
        "description": "", "price": "19.00", "currency": "EUR", "is_active": "on",
        "variants-TOTAL_FORMS": 0, "variants-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0,
        "size_chart-TOTAL_FORMS": len(rows), "size_chart-INITIAL_FORMS": 0,
        "overlay-TOTAL_FORMS": 0, "overlay-INITIAL_FORMS": 0,
    }
    for i, (size, chest, waist) in enumerate(rows):
        data.update({f"size_chart-{i}-size": size, f"size_chart-{i}-chest_cm": chest, f"size_chart-{i}-waist_cm": waist})
    return data


@pytest.mark.django_db
def test_a_size_chart_the_size_advice_cannot_read_is_refused_with_the_reason(admin_client, make_product):
    from catalog.models import SizeChartRow

    product = make_product()
    url = f"/admin/catalog/product/{product.pk}/change/"
    response = admin_client.post(url, _chart_post(product, [("S", "88", "72"), ("M", "96", ""), ("L", "94", "88")]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The chest must grow from size to size: M is 96 cm, L is 94 cm." in page
    assert "The waist is missing for M" in page
    assert SizeChartRow.objects.count() == 0  # nothing saved
    response = admin_client.post(url, _chart_post(product, [("S", "88", "72"), ("M", "96", "80"), ("L", "104", "88")]))
    assert response.status_code == 302
    assert list(product.size_chart.order_by("chest_cm").values_list("size", flat=True)) == ["S", "M", "L"]
