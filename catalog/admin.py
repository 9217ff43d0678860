"""Django admin for store admins: products with their variants, photos, size chart and overlay."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join

from catalog.admin_onboarding import GarmentFromPhotoMixin
from catalog.forms import GarmentOverlayForm, ProductImageForm
from catalog.models import Category, GarmentOverlay, Product, ProductImage, SizeChartRow, Variant
from catalog.services import product_thumbnail_build
from catalog.sizecharts import chart_problems


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "product_count"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_product_count=Count("products"))

    @admin.display(description="products", ordering="_product_count")
    def product_count(self, obj):
        return obj._product_count


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["size", "colour", "sku", "stock"]


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 0
    fields = ["preview", "image", "alt", "position"]
    readonly_fields = ["preview"]

    @admin.display(description="preview")
    def preview(self, obj):
        if obj.pk and obj.thumbnail:
            return format_html('<img src="{}" alt="" width="96" height="120" class="fr-admin-thumb">', obj.thumbnail.url)
        return "—"


class SizeChartFormSet(BaseInlineFormSet):
    """The whole chart checked at once (catalog/sizecharts.py): the size advice needs it consistent."""

    def clean(self):
        super().clean()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("size"):
                continue
            rows.append({"size": data["size"], "chest": data.get("chest_cm"), "waist": data.get("waist_cm"),
                         "hips": data.get("hips_cm"), "length": data.get("length_cm")})
        problems = chart_problems(rows, [s for s, _ in Variant.SIZE_CHOICES])
        if problems:
            raise ValidationError(problems)


class SizeChartInline(admin.TabularInline):
    model = SizeChartRow
    formset = SizeChartFormSet
    extra = 0
    fields = ["size", "chest_cm", "waist_cm", "hips_cm", "length_cm"]


def overlay_preview_html(overlay: GarmentOverlay) -> str:
    """Return an inline SVG showing the overlay with its anchors drawn on it."""
    if not overlay or not overlay.pk or not overlay.image:
        return "—"
    w, h = overlay.width, overlay.height
    r = max(4, round(min(w, h) / 80))
    marks = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="#e4007c" stroke="#fff" stroke-width="{}"/>'
        '<text x="{}" y="{}" font-size="{}" fill="#222" stroke="#fff" stroke-width="0.6" paint-order="stroke">{}</text>',
        (
            (x, y, r, max(1, r // 3), x + r + 2, y + r // 2, r * 3, name.replace("_", " "))
            for name, (x, y) in sorted(overlay.anchors.items())
        ),
    )
    return format_html(
        '<svg class="fr-overlay-preview" viewBox="0 0 {w} {h}" width="{dw}" role="img" aria-label="Overlay with anchors">'
        '<defs><pattern id="chk" width="32" height="32" patternUnits="userSpaceOnUse">'
        '<rect width="32" height="32" fill="#eee"/><rect width="16" height="16" fill="#ccc"/>'
        '<rect x="16" y="16" width="16" height="16" fill="#ccc"/></pattern></defs>'
        '<rect width="{w}" height="{h}" fill="url(#chk)"/>'
        '<image href="{url}" width="{w}" height="{h}"/>{marks}</svg>',
        w=w, h=h, dw=min(360, w), url=overlay.image.url, marks=marks,
    )


class GarmentOverlayInline(admin.StackedInline):
    model = GarmentOverlay
    form = GarmentOverlayForm
    extra = 0
    max_num = 1
    fields = ["anchor_preview", "image", "kind", "anchors"]
    readonly_fields = ["anchor_preview"]

    @admin.display(description="overlay and anchors")
    def anchor_preview(self, obj):
        return overlay_preview_html(obj)


@admin.register(Product)
class ProductAdmin(GarmentFromPhotoMixin, admin.ModelAdmin):
    list_display = ["name", "category", "price_display", "currency", "is_active", "has_overlay", "total_stock"]
    list_filter = ["is_active", "category", "overlay__kind"]
    search_fields = ["name", "slug", "description", "variants__sku"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["category", "overlay"]
    actions = ["activate", "deactivate"]
    inlines = [VariantInline, ProductImageInline, SizeChartInline, GarmentOverlayInline]
    save_on_top = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_stock=Sum("variants__stock"))

    @admin.display(description="price", ordering="price")
    def price_display(self, obj):
        return obj.price_display

    @admin.display(description="stock", ordering="_stock")
    def total_stock(self, obj):
        return obj._stock or 0

    @admin.display(description="overlay", boolean=True)
    def has_overlay(self, obj):
        return hasattr(obj, "overlay")

    @admin.action(description="Activate selected products")
    def activate(self, request, queryset):
        n = queryset.update(is_active=True)
        self.message_user(request, f"{n} product(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected products")
    def deactivate(self, request, queryset):
        n = queryset.update(is_active=False)
        self.message_user(request, f"{n} product(s) deactivated.", messages.SUCCESS)

    def save_formset(self, request, form, formset, change):
        formset.save()
        if formset.model is ProductImage:
            for image_form in formset.forms:
                image = image_form.instance
                if image.pk and "image" in image_form.changed_data:
                    product_thumbnail_build(image)
                    image.save(update_fields=["thumbnail"])


@admin.register(GarmentOverlay)
class GarmentOverlayAdmin(admin.ModelAdmin):
    form = GarmentOverlayForm
    list_display = ["product", "kind", "width", "height", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["product__name"]
    list_select_related = ["product"]
    readonly_fields = ["anchor_preview"]
    fields = ["product", "anchor_preview", "image", "kind", "anchors"]

    @admin.display(description="overlay and anchors")
    def anchor_preview(self, obj):
        return overlay_preview_html(obj)
