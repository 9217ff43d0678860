"""Admin pages for "Create try-on garment from photo": upload or pick, check and drag anchors, preview, save.

Thin views on the product's admin (staff only, the product's change
permission, CSRF on every POST): they parse input, call
:mod:`catalog.onboarding` and render. The editor's behaviour is in
``static/catalog/js/garment-editor.js``.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from catalog.images import ImageRejected
from catalog.models import GarmentDraft, Product
from catalog.onboarding import (
    OnboardingRefused,
    draft_anchors_for,
    draft_create,
    draft_preview,
    draft_save,
)
from tryon import garments


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _BadRequest("The request is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _BadRequest("The request must be a JSON object.")
    return body


class _BadRequest(Exception):
    pass


def _kind_and_anchors(body: dict) -> tuple[str, dict]:
    """Return ``(kind, anchors)`` from an editor request, or raise _BadRequest with a message."""
    from catalog.forms import parse_anchors
    from django import forms

    kind = body.get("kind")
    if kind not in garments.KIND_LABELS:
        raise _BadRequest(f"Unknown garment kind “{kind}”.")
    try:
        anchors = parse_anchors(body.get("anchors", {}))
    except forms.ValidationError as exc:
        raise _BadRequest(" ".join(exc.messages)) from None
    return kind, anchors


class GarmentFromPhotoMixin:
    """Adds the onboarding pages to a ModelAdmin of :class:`Product`."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<int:product_id>/garment-from-photo/", wrap(self.garment_photo_view), name="catalog_product_garment_photo"),
            path("<int:product_id>/garment-from-photo/<int:draft_id>/", wrap(self.garment_draft_view),
                 name="catalog_product_garment_draft"),
            path("<int:product_id>/garment-from-photo/<int:draft_id>/preview/", wrap(self.garment_preview_view),
                 name="catalog_product_garment_preview"),
            path("<int:product_id>/garment-from-photo/<int:draft_id>/anchors/", wrap(self.garment_anchors_view),
                 name="catalog_product_garment_anchors"),
        ]
        return own + super().get_urls()

    # --- helpers -------------------------------------------------------------

    def _product(self, request, product_id) -> Product:
        product = get_object_or_404(Product.objects.select_related("category"), pk=product_id)
        if not self.has_change_permission(request, product):
            raise PermissionDenied
        return product

    def _draft(self, request, product_id, draft_id) -> GarmentDraft:
        product = self._product(request, product_id)
        draft = GarmentDraft.objects.filter(pk=draft_id, product=product).select_related("product").first()
        if draft is None:
            raise Http404("This draft is gone (saved, or older than a day): start again from the photo.")
        return draft

    def _context(self, request, product, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": product,
            "product": product,
            "has_view_permission": True,
            **extra,
        }

    # --- views ---------------------------------------------------------------

    def garment_photo_view(self, request, product_id):
        """Upload a photo, or pick one of the product's, and onboard it into a draft."""
        product = self._product(request, product_id)
        error = None
        if request.method == "POST":
            data = None
            upload = request.FILES.get("photo")
            picked = request.POST.get("product_image")
            if upload is not None:
                data = upload.read()
            elif picked:
                image = product.images.filter(pk=picked).first()
                if image is None:
                    error = "That photo is not one of this product's."
                else:
                    with image.image.open("rb") as fh:
                        data = fh.read()
            else:
                error = "Choose a photo to upload or one of the product's photos."
            if data is not None:
                kind = request.POST.get("kind") or None
                try:
                    draft = draft_create(product=product, data=data, kind=kind)
                except (ImageRejected, OnboardingRefused) as exc:
                    error = str(exc)
                else:
                    return redirect("admin:catalog_product_garment_draft", product_id=product.pk, draft_id=draft.pk)
        context = self._context(
            request, product, title=f"Try-on garment from a photo: {product.name}",
            images=list(product.images.all()), error=error, kinds=garments.KIND_CHOICES,
        )
        return TemplateResponse(request, "admin/catalog/product/garment_photo.html", context, status=400 if error else 200)

    def garment_draft_view(self, request, product_id, draft_id):
        """Show the draft's editor (GET) or save it as the overlay (POST)."""
        draft = self._draft(request, product_id, draft_id)
        product = draft.product
        errors = []
        kind, anchors = draft.kind, draft.anchors
        if request.method == "POST":
            try:
                kind, anchors = _kind_and_anchors({"kind": request.POST.get("kind"),
                                                   "anchors": request.POST.get("anchors", "{}")})
                draft_save(draft=draft, kind=kind, anchors=anchors)
            except (_BadRequest, OnboardingRefused) as exc:
                errors.append(str(exc))
            else:
                messages.success(request, f"The try-on garment of “{product.name}” was saved from the photo.")
                return redirect("admin:catalog_product_change", product.pk)
        base = reverse("admin:catalog_product_garment_draft", kwargs={"product_id": product.pk, "draft_id": draft.pk})
        editor = {
            "image": draft.image.url, "width": draft.width, "height": draft.height, "kind": kind,
            "anchors": anchors, "required": {k: list(v) for k, v in garments.REQUIRED_ANCHORS.items()},
            "preview_url": base + "preview/", "anchors_url": base + "anchors/",
        }
        context = self._context(
            request, product, title=f"Check the try-on garment: {product.name}", draft=draft,
            editor=editor, kinds=garments.KIND_CHOICES, kind=kind, errors=errors,
            confidence=round(draft.kind_confidence * 100), anchors_json=json.dumps(anchors),
        )
        return TemplateResponse(request, "admin/catalog/product/garment_draft.html", context, status=400 if errors else 200)

    def garment_preview_view(self, request, product_id, draft_id):
        """POST {kind, anchors}: return the garment fitted on the sample bodies, or the problems."""
        if request.method != "POST":
            return JsonResponse({"error": "method_not_allowed"}, status=405)
        draft = self._draft(request, product_id, draft_id)
        try:
            kind, anchors = _kind_and_anchors(_json_body(request))
        except _BadRequest as exc:
            return JsonResponse({"error": "bad_request", "message": str(exc)}, status=400)
        return JsonResponse(draft_preview(draft=draft, kind=kind, anchors=anchors))

    def garment_anchors_view(self, request, product_id, draft_id):
        """POST {kind}: return the anchors read from the cut-out for that kind."""
        if request.method != "POST":
            return JsonResponse({"error": "method_not_allowed"}, status=405)
        draft = self._draft(request, product_id, draft_id)
        try:
            body = _json_body(request)
            kind = body.get("kind")
            if kind not in garments.KIND_LABELS:
                raise _BadRequest(f"Unknown garment kind “{kind}”.")
            anchors, reasons = draft_anchors_for(draft=draft, kind=kind)
        except (_BadRequest, OnboardingRefused) as exc:
            return JsonResponse({"error": "bad_request", "message": str(exc)}, status=400)
        return JsonResponse({"kind": kind, "anchors": anchors, "needs_review": reasons})
