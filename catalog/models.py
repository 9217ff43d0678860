"""Catalog: categories, products, variants, size charts, images and garment overlays."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from tryon import garments

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


class Category(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    currency = models.CharField(max_length=3, default="EUR", choices=[(c, c) for c in CURRENCY_SYMBOLS])
    is_active = models.BooleanField("active", default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"slug": self.slug})

    @property
    def price_display(self) -> str:
        symbol = CURRENCY_SYMBOLS.get(self.currency)
        return f"{symbol}{self.price:,.2f}" if symbol else f"{self.price:,.2f} {self.currency}"


def product_image_path(instance: "ProductImage", filename: str) -> str:
    return f"products/{instance.product.slug}/{filename}"


def product_thumb_path(instance: "ProductImage", filename: str) -> str:
    return f"products/{instance.product.slug}/thumbs/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path)
    thumbnail = models.ImageField(upload_to=product_thumb_path, blank=True, editable=False)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt = models.CharField("alt text", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt or self.image.name


class Variant(models.Model):
    SIZE_CHOICES = [(s, s) for s in ("XS", "S", "M", "L", "XL", "XXL")]

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    size = models.CharField(max_length=8, choices=SIZE_CHOICES)
    colour = models.CharField(max_length=40)
    sku = models.CharField("SKU", max_length=64, unique=True)
    stock = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["colour", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "size", "colour"], name="unique_variant_size_colour")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} — {self.colour} {self.size}"

    @property
    def size_rank(self) -> int:
        order = [s for s, _ in self.SIZE_CHOICES]
        return order.index(self.size) if self.size in order else len(order)


class SizeChartRow(models.Model):
    """Body measurements, in centimetres, that one size is made for."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="size_chart")
    size = models.CharField(max_length=8, choices=Variant.SIZE_CHOICES)
    chest_cm = models.DecimalField("chest (cm)", max_digits=5, decimal_places=1, null=True, blank=True)
    waist_cm = models.DecimalField("waist (cm)", max_digits=5, decimal_places=1, null=True, blank=True)
    hips_cm = models.DecimalField("hips (cm)", max_digits=5, decimal_places=1, null=True, blank=True)
    length_cm = models.DecimalField(
        "length (cm)", max_digits=5, decimal_places=1, null=True, blank=True,
        help_text="Trousers: the inseam, floor to crotch. Other garments: their back length.",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "size chart row"
        constraints = [models.UniqueConstraint(fields=["product", "size"], name="unique_size_chart_size")]

    def __str__(self) -> str:
        return f"{self.product.name} {self.size}"


def overlay_path(instance: "GarmentOverlay", filename: str) -> str:
    return f"overlays/{instance.product.slug}.png"


class GarmentOverlay(models.Model):
    """The garment seen from the front, as a transparent PNG, with its anchor points.

    ``anchors`` maps the names in :data:`tryon.garments.REQUIRED_ANCHORS` for
    ``kind`` to ``[x, y]`` pixel coordinates in the image.
    """

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="overlay")
    image = models.ImageField(upload_to=overlay_path)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    kind = models.CharField(max_length=20, choices=garments.KIND_CHOICES)
    anchors = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Overlay for {self.product}"

    def as_garment(self) -> dict:
        """Return the plain garment description the fit geometry takes."""
        return {
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "anchors": {name: [float(x), float(y)] for name, (x, y) in self.anchors.items()},
        }


def draft_path(instance: "GarmentDraft", filename: str) -> str:
    return f"overlay-drafts/{instance.product.slug}.png"


class GarmentDraft(models.Model):
    """A garment onboarded from a photo, being checked in the admin before it becomes the overlay.

    Holds the cut-out and the proposed kind and anchors; saving it goes through
    the same validation as a hand-made overlay (``catalog.onboarding``).
    Drafts older than a day are cleared when a new one is made.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="garment_drafts")
    image = models.ImageField(upload_to=draft_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=garments.KIND_CHOICES, blank=True)
    kind_confidence = models.FloatField(default=0.0)
    anchors = models.JSONField(default=dict)
    needs_review = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Draft garment for {self.product}"
