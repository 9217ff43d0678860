"""manage.py import_garments: many products from their photos; a bad photo never stops the batch or half-saves."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from catalog.models import GarmentOverlay
from tests.conftest import media_files

pytestmark = pytest.mark.django_db

PHOTOS = Path(__file__).resolve().parents[2] / "catalog" / "demo_photos"


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_garments", *args, stdout=out, stderr=err)
        failed = None
    except CommandError as exc:
        failed = str(exc)
    return out.getvalue(), err.getvalue(), failed


def test_folder_import_saves_good_photos_and_reports_bad_ones(tmp_path, make_product, media_root):
    shirt = make_product(slug="camp-shirt", name="Camp Shirt")
    jeans = make_product(slug="jeans", name="Jeans")
    broken = make_product(slug="broken", name="Broken")
    shutil.copy(PHOTOS / "camp_shirt_front.jpg", tmp_path / "camp-shirt_front.jpg")
    shutil.copy(PHOTOS / "camp_shirt_back.jpg", tmp_path / "camp-shirt_back.jpg")  # back views are skipped
    shutil.copy(PHOTOS / "jeans_front.jpg", tmp_path / "jeans.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    shutil.copy(PHOTOS / "leggings_front.jpg", tmp_path / "no-such-product.jpg")
    # A photo of a person: refused with a reason, the batch goes on.
    shutil.copy(Path(__file__).resolve().parents[1] / "media" / "fullbody_woman.png", tmp_path / "person.png")
    make_product(slug="person", name="Person")

    out, err, failed = _run(str(tmp_path))
    assert failed == "2 saved, 0 proposed (dry run), 3 not imported, of 5."
    assert "5/5" not in err and "4/5" in err  # the progress bar went through every photo
    shirt.refresh_from_db(), jeans.refresh_from_db()
    assert shirt.overlay.kind == "tshirt" and jeans.overlay.kind == "trousers"
    assert not GarmentOverlay.objects.filter(product=broken).exists()
    lines = out.splitlines()
    assert lines[0].split() == ["product", "photo", "kind", "confidence", "anchors", "status"]
    table = "\n".join(lines)
    assert "camp-shirt" in table and "saved" in table and "no product" in table and "refused" in table
    assert "No product with slug “no-such-product”." in table
    assert "person wearing the garment" in table or "background is not plain" in table
    assert "anchors: left_elbow=" in table
    assert sorted(f for f in media_files(media_root) if f.startswith("overlays/")) == [
        f"overlays/{shirt.slug}.png", f"overlays/{jeans.slug}.png"]


def test_csv_import_and_a_review_keeps_the_old_overlay(tmp_path, make_product):
    from catalog.onboarding import overlay_propose, overlay_save

    product = make_product(slug="jacket", name="Jacket")
    good = overlay_propose(data=(PHOTOS / "denim_jacket_front.jpg").read_bytes())
    overlay_save(product=product, rgba=good.rgba, kind=good.kind, anchors=good.anchors)
    before = GarmentOverlay.objects.get(product=product)
    # The same jacket cut off at the bottom: onboarding flags it, nothing is replaced.
    img = Image.open(PHOTOS / "denim_jacket_front.jpg").crop((0, 0, 1024, 900))
    img.save(tmp_path / "cut.jpg", quality=92)
    (tmp_path / "list.csv").write_text("slug,photo\njacket,cut.jpg\n", encoding="utf-8")
    out, _, failed = _run(str(tmp_path / "list.csv"))
    assert failed and "1 not imported" in failed
    assert "needs review" in out and "touches the photo's bottom edge" in out
    after = GarmentOverlay.objects.get(product=product)
    assert (after.image.name, after.anchors, after.updated_at) == (before.image.name, before.anchors, before.updated_at)


def test_dry_run_saves_nothing(tmp_path, make_product):
    make_product(slug="shirt", name="Oxford Shirt")
    shutil.copy(PHOTOS / "oxford_shirt_front.jpg", tmp_path / "shirt.jpg")
    out, _, failed = _run(str(tmp_path), "--dry-run")
    assert failed is None and "longsleeve" in out and "proposed" in out
    assert not GarmentOverlay.objects.exists()


def test_huge_and_wrong_inputs_get_clear_messages(tmp_path, make_product):
    make_product(slug="huge", name="Huge")
    Image.fromarray(np.full((10000, 10000, 3), 230, np.uint8)).save(tmp_path / "huge.png", compress_level=1)
    out, _, failed = _run(str(tmp_path))
    assert "refused" in out and "pixels" in out and failed
    with pytest.raises(CommandError, match="not a folder or a .csv"):
        call_command("import_garments", str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match="no photos found"):
        call_command("import_garments", str(empty))
