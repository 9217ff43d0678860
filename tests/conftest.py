"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

# Async-unsafe ORM calls are fine in tests that drive the live server from a sync thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _isolated_media(request, tmp_path):
    """Give every test its own empty MEDIA_ROOT (pure unit tests may run with ``-p no:django``)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return None
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def no_photo_rate_limit(settings):
    """Lift the photo endpoints' rate limit and forget earlier counts, for tests that post many photos."""
    from django.core.cache import cache

    cache.clear()
    settings.FITTINGROOM = {**settings.FITTINGROOM, "PHOTO_RATE_LIMIT": "1000/60"}


@pytest.fixture
def media_root(settings):
    return settings.MEDIA_ROOT


def media_files(root) -> list[str]:
    """Return every file under ``root``, relative, sorted."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def make_product(db):
    from catalog.models import Category, Product

    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        n = counter["n"]
        category = kwargs.pop("category", None) or Category.objects.get_or_create(
            slug="tops", defaults={"name": "Tops"}
        )[0]
        defaults = {
            "name": f"Test Tee {n}",
            "slug": f"test-tee-{n}",
            "description": "A soft cotton tee.",
            "price": Decimal("19.00"),
            "category": category,
        }
        defaults.update(kwargs)
        return Product.objects.create(**defaults)

    return make
