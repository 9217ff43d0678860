"""Create the demo store: categories, products with photos, variants, size charts and overlays.

Idempotent: products are keyed by slug and left alone when present, so running it
again changes nothing. ``--if-empty`` does nothing at all when any product exists.
"""

from __future__ import annotations

import functools
import io
import zlib
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from dataclasses import dataclass
from pathlib import Path

from catalog import demo_art
from catalog.images import encode_jpeg
from catalog.models import Category, Product, SizeChartRow, Variant
from catalog.onboarding import overlay_propose, overlay_save
from catalog.services import overlay_set, product_image_add

DEMO_STAFF_USERNAME = "admin"
DEMO_STAFF_PASSWORD = "fittingroom-demo"
SIZES = ["XS", "S", "M", "L", "XL"]
CATEGORY_ORDER = ["Tops", "Jackets", "Dresses", "Bottoms"]

# Body measurements (cm) per size: chest, waist, hips; length per kind at size M, 2 cm a size:
# the garment's back length for tops, dresses and skirts, the leg's inseam for trousers (the
# body measure the size advice compares it with).
_BODY = {"XS": (82, 66, 88), "S": (88, 72, 94), "M": (96, 80, 100), "L": (104, 88, 106), "XL": (112, 96, 112)}
_LENGTH = {"tshirt": 68, "longsleeve": 68, "jacket": 70, "dress": 98, "trousers": 80, "skirt": 58}




PHOTOS_DIR = Path(__file__).resolve().parents[2] / "demo_photos"


@dataclass(frozen=True)
class RealGarment:
    """A demo product whose try-on garment is onboarded from its real product photo."""

    slug: str
    name: str
    category: str
    price: str
    description: str
    colour: str
    photo: str  # stem in catalog/demo_photos: <photo>_front.jpg and <photo>_back.jpg


REAL_GARMENTS: list[RealGarment] = [
    RealGarment("bandana-camp-shirt", "Bandana Camp Shirt", "Tops", "45.00",
                "A short-sleeve camp-collar shirt in blue bandana-print cotton, boxy and relaxed.", "Bandana blue",
                "camp_shirt"),
    RealGarment("oxford-button-down-shirt", "Oxford Button-Down Shirt", "Tops", "55.00",
                "A long-sleeve button-down in light-blue oxford cloth, with a chest pocket and a curved hem.",
                "Light blue", "oxford_shirt"),
    RealGarment("light-wash-trucker-jacket", "Light Wash Trucker Jacket", "Jackets", "89.00",
                "The classic denim trucker jacket in a faded light wash, with button chest pockets.", "Light wash",
                "denim_jacket"),
    RealGarment("studded-denim-jacket", "Studded Denim Jacket", "Jackets", "129.00",
                "Black distressed denim with studs, chains and a frayed hem.", "Black", "studded_jacket"),
    RealGarment("dark-straight-jeans", "Dark Straight Jeans", "Bottoms", "79.00",
                "Straight-leg jeans in dark indigo denim with whiskering and a five-pocket cut.", "Dark indigo",
                "jeans"),
    RealGarment("high-rise-leggings", "High-Rise Leggings", "Bottoms", "39.00",
                "High-rise leggings in a black stretch jersey that holds its shape.", "Black", "leggings"),
]


@functools.lru_cache(maxsize=None)
def _onboarded(garment: RealGarment) -> tuple:
    """Return the real garment's onboarding proposal (once per process) and its photos' bytes."""
    front = (PHOTOS_DIR / f"{garment.photo}_front.jpg").read_bytes()
    back = (PHOTOS_DIR / f"{garment.photo}_back.jpg").read_bytes()
    proposal = overlay_propose(data=front, hint=f"{garment.name} {garment.category}")
    if proposal.needs_review or proposal.kind is None:
        raise RuntimeError(f"demo photo {garment.photo}_front.jpg needs review: {proposal.needs_review}")
    return proposal, front, back


@functools.lru_cache(maxsize=None)
def _art(spec) -> tuple[bytes, dict, bytes, bytes]:
    """Return the spec's overlay PNG, anchors, product photo and detail photo (JPEG), rendered once per process."""
    overlay_img, anchors = demo_art.render_overlay(spec)
    return _png(overlay_img), anchors, encode_jpeg(demo_art.render_product_photo(spec), quality=88), encode_jpeg(demo_art.render_detail_photo(spec), quality=88)


def _png(img) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


class Command(BaseCommand):
    help = "Load the demo catalog (idempotent) and, in DEBUG, a local staff account."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the catalog has products.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Product.objects.exists():
            self.stdout.write("Catalog already has products; demo store not loaded.")
            return
        created = 0
        for spec in demo_art.DEMO_GARMENTS:
            if not Product.objects.filter(slug=spec.slug).exists():
                self._create_product(spec)
                created += 1
        for garment in REAL_GARMENTS:
            if not Product.objects.filter(slug=garment.slug).exists():
                self._create_real_product(garment)
                created += 1
        total = len(demo_art.DEMO_GARMENTS) + len(REAL_GARMENTS)
        self.stdout.write(self.style.SUCCESS(f"Demo store: {created} product(s) created, {total - created} already present."))
        if settings.DEBUG:
            self._ensure_staff()

    @staticmethod
    def _category(name: str) -> Category:
        category, _ = Category.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "position": CATEGORY_ORDER.index(name) if name in CATEGORY_ORDER else 99},
        )
        return category

    @transaction.atomic
    def _create_real_product(self, garment: RealGarment) -> None:
        proposal, front, back = _onboarded(garment)
        product = Product.objects.create(
            category=self._category(garment.category), name=garment.name, slug=garment.slug,
            description=garment.description, price=Decimal(garment.price), currency="EUR",
        )
        overlay_save(product=product, rgba=proposal.rgba, kind=proposal.kind, anchors=proposal.anchors)
        product_image_add(product=product, data=front, filename=f"{garment.slug}-front.jpg", alt=f"{garment.name}, front", position=0)
        product_image_add(product=product, data=back, filename=f"{garment.slug}-back.jpg", alt=f"{garment.name}, back", position=1)
        self._stock_and_sizes(product, proposal.kind, [garment.colour])

    @transaction.atomic
    def _create_product(self, spec) -> None:
        category = self._category(spec.category)
        slug, kind = spec.slug, spec.kind
        product = Product.objects.create(
            category=category,
            name=spec.name,
            slug=slug,
            description=spec.description,
            price=Decimal(str(spec.price)),
            currency="EUR",
        )
        overlay_png, anchors, photo, detail = _art(spec)
        overlay_set(product=product, png_bytes=overlay_png, kind=kind, anchors=anchors)
        product_image_add(product=product, data=photo, filename=f"{slug}-front.jpg", alt=f"{product.name}, front", position=0)
        product_image_add(product=product, data=detail, filename=f"{slug}-detail.jpg", alt=f"{product.name}, detail", position=1)
        self._stock_and_sizes(product, kind, spec.colours or ["Default"])

    @staticmethod
    def _stock_and_sizes(product: Product, kind: str, colours: list[str]) -> None:
        slug = product.slug
        # Stock is varied but deterministic per product: some sizes run low or out.
        seed = zlib.crc32(slug.encode())
        for colour in colours:
            for i, size in enumerate(SIZES):
                stock = (seed >> (i * 3)) % 23
                stock = 0 if stock < 2 else stock
                Variant.objects.create(
                    product=product, size=size, colour=colour, stock=stock,
                    sku=f"{slug[:40]}-{slugify(colour)[:12]}-{size}".upper(),
                )
        for size in SIZES:
            chest, waist, hips = _BODY[size]
            step = SIZES.index(size) - 2
            SizeChartRow.objects.create(
                product=product, size=size,
                chest_cm=None if kind in ("trousers", "skirt") else chest,
                waist_cm=waist, hips_cm=hips, length_cm=_LENGTH.get(kind, 70) + step * 2,
            )

    def _ensure_staff(self) -> None:
        User = get_user_model()
        if User.objects.filter(username=DEMO_STAFF_USERNAME).exists():
            return
        User.objects.create_superuser(DEMO_STAFF_USERNAME, "admin@example.com", DEMO_STAFF_PASSWORD)
        self.stdout.write(f"Local staff account: {DEMO_STAFF_USERNAME} / {DEMO_STAFF_PASSWORD} (local use only).")
