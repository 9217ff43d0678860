"""Storefront views: parse the request, call a selector, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.models import Product
from catalog.selectors import product_detail, product_list

PAGE_SIZE = 24
SIZE_ORDER = ["XS", "S", "M", "L", "XL", "XXL"]


@require_safe
def catalog_index(request):
    category = request.GET.get("category") or None
    query = (request.GET.get("q") or "").strip()[:100]
    page = Paginator(product_list(category_slug=category, query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/index.html",
        {"page": page, "products": page.object_list, "category": category, "query": query},
    )


@require_safe
def product_page(request, slug: str):
    try:
        product = product_detail(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No such product.") from None
    variants = list(product.variants.all())
    sizes: dict[str, int] = {}
    for variant in variants:
        sizes[variant.size] = sizes.get(variant.size, 0) + variant.stock
    size_list = sorted(sizes.items(), key=lambda item: SIZE_ORDER.index(item[0]) if item[0] in SIZE_ORDER else 99)
    colours = sorted({v.colour for v in variants})
    overlay = getattr(product, "overlay", None)
    # The size the live page's size advice chose (?size=M): the only thing it ever sends.
    wanted = request.GET.get("size", "")
    selected = wanted if wanted in sizes else None
    return render(
        request,
        "catalog/product.html",
        {
            "product": product,
            "images": list(product.images.all()),
            "sizes": size_list,
            "colours": colours,
            "in_stock": any(stock > 0 for _, stock in size_list),
            "size_chart": list(product.size_chart.all()),
            "overlay": overlay,
            "selected_size": selected,
        },
    )
