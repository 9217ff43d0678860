"""Fit a product's garment on photos, write the composites and print coverage and spill as JSON.

Usage (in the project's environment, after `make run` or `make setup` loaded the catalog):
    .venv/bin/python bench/fit_quality.py --product SLUG --out DIR IMAGE...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fittingroom.settings")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--product", required=True, help="product slug")
    parser.add_argument("--out", required=True, type=Path, help="folder for the composites")
    parser.add_argument("--model", default=None, help="pose model variant (default: settings)")
    parser.add_argument("images", nargs="+", type=Path)
    args = parser.parse_args(argv)

    import django

    django.setup()
    import numpy as np
    from django.conf import settings
    from PIL import Image, ImageOps

    from catalog.models import GarmentOverlay
    from tryon.overlays import overlay_pixels
    from tryon.pose import PoseEstimator, model_path_for
    from tryon.quality import measure_fit

    overlay = GarmentOverlay.objects.select_related("product").filter(product__slug=args.product).first()
    if overlay is None:
        parser.error(f"no product {args.product!r} with a garment overlay (run `make run` once to load the demo store)")
    rgba = overlay_pixels(overlay)
    garment = overlay.as_garment()
    args.out.mkdir(parents=True, exist_ok=True)
    variant = args.model or settings.FITTINGROOM["POSE_MODEL"]
    results = []
    with PoseEstimator(model_path_for(settings.FITTINGROOM["MODELS_DIR"], variant), mode="image", segmentation=True, num_poses=3) as estimator:
        for path in args.images:
            rgb = np.array(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
            pose = estimator.detect(rgb)
            entry = {"image": str(path), "person_found": pose is not None, "coverage": None, "spill": None}
            shown, coverage, spill = measure_fit(rgb, rgba, garment, pose)
            if coverage is not None:
                entry.update(coverage=round(coverage, 4), spill=round(spill, 4))
            Image.fromarray(shown).save(args.out / f"{path.stem}-{args.product}.jpg", quality=90)
            results.append(entry)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
