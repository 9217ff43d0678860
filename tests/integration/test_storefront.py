"""Storefront pages: content, filters, and a fixed number of queries however many products."""

from __future__ import annotations

import pytest

from catalog.models import Category, Variant
from catalog.services import overlay_set, product_image_add
from tests.images import jpeg, rgba_png
from tests.integration.test_overlay_validation import TEE_ANCHORS


def _stocked(make_product, **kwargs):
    product = make_product(**kwargs)
    product_image_add(product=product, data=jpeg(800, 1000), filename="front.jpg", alt=f"{product.name} front")
    product_image_add(product=product, data=jpeg(800, 1000), filename="detail.jpg", position=1)
    for i, size in enumerate(["S", "M", "L"]):
        Variant.objects.create(product=product, size=size, colour="Navy", sku=f"{product.slug}-{size}", stock=i * 3)
    overlay_set(product=product, png_bytes=rgba_png(), kind="tshirt", anchors=TEE_ANCHORS)
    return product


@pytest.mark.django_db
def test_catalog_lists_active_products_with_thumbnails(client, make_product):
    shown = _stocked(make_product, name="Navy Crew Tee")
    make_product(name="Hidden Tee", is_active=False)
    body = client.get("/").content.decode()
    assert "Navy Crew Tee" in body and "Hidden Tee" not in body
    assert shown.images.first().thumbnail.url in body
    assert "Try on" in body


@pytest.mark.django_db
def test_catalog_query_count_does_not_grow(client, make_product, django_assert_num_queries):
    _stocked(make_product)
    with django_assert_num_queries(4) as ctx:  # count, page, images prefetch, categories nav
        client.get("/")
    for _ in range(5):
        _stocked(make_product)
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get("/")


@pytest.mark.django_db
def test_category_filter_and_search(client, make_product):
    bottoms = Category.objects.create(name="Bottoms", slug="bottoms", position=3)
    make_product(name="Indigo Jeans", category=bottoms, description="Straight leg denim")
    make_product(name="Sunny Tee")
    body = client.get("/", {"category": "bottoms"}).content.decode()
    assert "Indigo Jeans" in body and "Sunny Tee" not in body
    body = client.get("/", {"q": "denim"}).content.decode()
    assert "Indigo Jeans" in body and "Sunny Tee" not in body
    body = client.get("/", {"q": "zzzz-nothing"}).content.decode()
    assert "Nothing matches" in body


@pytest.mark.django_db
def test_product_page_shows_gallery_price_sizes_stock_and_try_on(client, make_product):
    product = _stocked(make_product, name="Navy Crew Tee")
    body = client.get(product.get_absolute_url()).content.decode()
    assert "Navy Crew Tee" in body and "€19.00" in body
    assert body.count('class="size') >= 3
    assert "Sold out" in body  # size S has no stock
    assert 'id="try-it-on"' in body
    assert body.count(f"/media/products/{product.slug}/") >= 2  # two gallery photos


@pytest.mark.django_db
def test_product_page_query_count(client, make_product, django_assert_num_queries):
    product = _stocked(make_product)
    with django_assert_num_queries(4):  # product+category+overlay, images, variants, size chart
        client.get(product.get_absolute_url())


@pytest.mark.django_db
def test_inactive_or_unknown_product_is_404(client, make_product):
    product = make_product(is_active=False)
    assert client.get(product.get_absolute_url()).status_code == 404
    assert client.get("/p/no-such-thing/").status_code == 404


@pytest.mark.django_db
def test_pages_send_strict_csp(client, make_product):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp
    assert "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp
