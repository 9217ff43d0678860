"""Reads for the storefront, each a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet, Sum

from catalog.models import Category, Product, ProductImage, SizeChartRow, Variant


def category_list() -> QuerySet[Category]:
    """Return categories that have at least one active product."""
    return Category.objects.filter(products__is_active=True).distinct().order_by("position", "name")


def product_list(*, category_slug: str | None = None, query: str | None = None) -> QuerySet[Product]:
    """Return active products for the catalog grid with category, first image and overlay kind."""
    products = (
        Product.objects.active()
        .select_related("category", "overlay")
        .annotate(stock=Sum("variants__stock"))
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
    )
    if category_slug:
        products = products.filter(category__slug=category_slug)
    if query:
        words = query.split()[:6]
        for word in words:
            products = products.filter(
                Q(name__icontains=word) | Q(description__icontains=word) | Q(category__name__icontains=word)
            )
    return products.order_by("category__position", "name")


def product_detail(*, slug: str) -> Product:
    """Return one active product with everything its page shows, or raise ``Product.DoesNotExist``."""
    return (
        Product.objects.active()
        .select_related("category", "overlay")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            Prefetch("variants", queryset=Variant.objects.order_by("colour", "id")),
            Prefetch("size_chart", queryset=SizeChartRow.objects.order_by("id")),
        )
        .get(slug=slug)
    )


def tryon_garments() -> QuerySet[Product]:
    """Return active products that have an overlay, for garment switchers, with their sizes."""
    return (
        Product.objects.active()
        .filter(overlay__isnull=False)
        .select_related("overlay", "category")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            Prefetch("variants", queryset=Variant.objects.order_by("colour", "id")),
            Prefetch("size_chart", queryset=SizeChartRow.objects.order_by("id")),
        )
        .order_by("category__position", "name")
    )


def _size_order(size: str) -> int:
    order = [s for s, _ in Variant.SIZE_CHOICES]
    return order.index(size) if size in order else len(order)


def size_advice_input(product: Product) -> dict:
    """Return what the size advice needs of a product: its chart (smallest size first) and sizes sold.

    ``{"sizes": ["XS", ...], "chart": [{"size", "chest", "waist", "hips", "length"}, ...]}`` with
    centimetres as floats, None where the chart is silent. Uses prefetched rows when there are.
    """
    sizes = sorted({v.size for v in product.variants.all()}, key=_size_order)

    def cm(value):
        return None if value is None else float(value)

    rows = sorted(product.size_chart.all(), key=lambda r: _size_order(r.size))
    chart = [
        {"size": r.size, "chest": cm(r.chest_cm), "waist": cm(r.waist_cm), "hips": cm(r.hips_cm), "length": cm(r.length_cm)}
        for r in rows
    ]
    return {"sizes": sizes, "chart": chart}
