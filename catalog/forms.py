"""Admin forms: every upload is sniffed and bounded before anything is written."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.images import ImageRejected, inspect_image
from catalog.models import GarmentOverlay, ProductImage
from catalog.onboarding import overlay_problems
from catalog.services import overlay_inspect, overlay_png_normalise
from tryon import garments


def _anchor_help() -> str:
    lines = [f"{garments.KIND_LABELS[k]}: {', '.join(v)}" for k, v in garments.REQUIRED_ANCHORS.items()]
    return (
        'JSON object of anchor name to [x, y] pixel coordinates in the overlay, e.g. '
        '{"left_shoulder": [420, 120], ...}. The wearer\'s left is on the image\'s right. '
        "Required per kind — " + "; ".join(lines) + "."
    )


def parse_anchors(value) -> dict[str, list[float]]:
    """Return anchors as ``{name: [x, y]}`` or raise ``ValidationError``."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Anchors are not valid JSON: {exc.msg}.") from None
    if not isinstance(value, dict):
        raise forms.ValidationError("Anchors must be a JSON object of name → [x, y].")
    known = set(garments.LANDMARK_INDEX)
    parsed = {}
    for name, point in value.items():
        if name not in known:
            raise forms.ValidationError(f"Unknown anchor name “{name}”.")
        if (
            not isinstance(point, (list, tuple))
            or len(point) != 2
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in point)
        ):
            raise forms.ValidationError(f"Anchor “{name}” must be [x, y] with two numbers.")
        parsed[name] = [float(point[0]), float(point[1])]
    return parsed


class GarmentOverlayForm(forms.ModelForm):
    # A plain file field: our own sniffing gives clearer messages than forms.ImageField.
    image = forms.FileField(help_text="A transparent PNG (RGBA) of the garment seen from the front.")
    anchors = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 80}), help_text=_anchor_help())

    class Meta:
        model = GarmentOverlay
        fields = ["product", "image", "kind", "anchors"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["anchors"] = json.dumps(self.instance.anchors)
        self._image_size = (self.instance.width, self.instance.height) if self.instance.pk else None

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload is None or not hasattr(upload, "content_type"):
            return upload  # unchanged existing file
        try:
            info, data = overlay_inspect(upload)
        except ImageRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        self._image_size = (info.width, info.height)
        return SimpleUploadedFile(upload.name, overlay_png_normalise(data), content_type="image/png")

    def clean_anchors(self):
        return parse_anchors(self.cleaned_data.get("anchors"))

    def clean(self):
        cleaned = super().clean()
        kind, anchors = cleaned.get("kind"), cleaned.get("anchors")
        if kind and anchors is not None and self._image_size and all(self._image_size):
            for problem in overlay_problems(kind=kind, anchors=anchors, width=self._image_size[0], height=self._image_size[1]):
                self.add_error("anchors", problem)
        elif kind and anchors is not None:
            missing = garments.missing_anchors(kind, anchors)
            if missing:
                self.add_error("anchors", f"A {garments.KIND_LABELS[kind].lower()} needs anchors: {', '.join(missing)}.")
        return cleaned

    def save(self, commit=True):
        self.instance.width, self.instance.height = self._image_size
        return super().save(commit)


class ProductImageForm(forms.ModelForm):
    image = forms.FileField(help_text="JPEG, PNG or WebP.")

    class Meta:
        model = ProductImage
        fields = ["image", "alt", "position"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload is None or not hasattr(upload, "content_type"):
            return upload
        limits = settings.FITTINGROOM
        try:
            info, _ = inspect_image(
                upload,
                max_bytes=limits["PRODUCT_IMAGE_MAX_BYTES"],
                max_pixels=limits["PRODUCT_IMAGE_MAX_PIXELS"],
            )
        except ImageRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        upload.seek(0)
        self.instance.width, self.instance.height = info.width, info.height
        return upload
