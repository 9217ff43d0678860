"""The demo store command: a believable catalog, idempotent, and only a local staff account."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import GarmentOverlay, Product, ProductImage, SizeChartRow, Variant
from tests.conftest import media_files

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Product, ProductImage, Variant, SizeChartRow, GarmentOverlay)]


def test_demo_store_is_complete_and_idempotent(settings, media_root):
    settings.DEBUG = True
    call_command("load_demo_store", verbosity=0)
    products, images, variants, chart_rows, overlays = first = _counts()
    assert products >= 10 and overlays == products and images == 2 * products
    assert chart_rows == 5 * products and variants >= 5 * products
    assert len(set(GarmentOverlay.objects.values_list("kind", flat=True))) >= 4
    assert Variant.objects.filter(stock=0).exists() and Variant.objects.filter(stock__gt=5).exists()
    files = media_files(media_root)
    assert len(files) == overlays + 2 * images  # photo + thumbnail each
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff and user.check_password("fittingroom-demo")

    call_command("load_demo_store", verbosity=0)
    call_command("load_demo_store", "--if-empty", verbosity=0)
    assert _counts() == first
    assert media_files(media_root) == files


def test_demo_store_has_real_garments_onboarded_from_their_photos(media_root):
    from catalog.management.commands.load_demo_store import REAL_GARMENTS

    call_command("load_demo_store", verbosity=0)
    kinds = {}
    for garment in REAL_GARMENTS:
        product = Product.objects.get(slug=garment.slug)
        overlay = product.overlay
        kinds[garment.photo] = overlay.kind
        # The overlay is the cut-out (transparent around the garment), not the photo.
        from PIL import Image

        with overlay.image.open("rb") as fh, Image.open(fh) as img:
            alpha = img.convert("RGBA").getchannel("A")
            assert alpha.getextrema() == (0, 255)
            assert alpha.getpixel((0, 0)) == 0
        assert product.images.count() == 2
    assert kinds == {"camp_shirt": "tshirt", "oxford_shirt": "longsleeve", "denim_jacket": "jacket",
                     "studded_jacket": "jacket", "jeans": "trousers", "leggings": "trousers"}


def test_if_empty_leaves_an_existing_catalog_alone(make_product):
    make_product()
    call_command("load_demo_store", "--if-empty", verbosity=0)
    assert Product.objects.count() == 1


def test_no_staff_account_outside_debug(settings):
    settings.DEBUG = False
    call_command("load_demo_store", verbosity=0)
    assert not get_user_model().objects.exists()
