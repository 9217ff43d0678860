"""Create or update try-on garments for many products from their product photos.

    manage.py import_garments DIR        # DIR/<slug>.jpg (or <slug>_front.jpg, <slug>-front.png, ...)
    manage.py import_garments LIST.csv   # rows of slug,photo (photo relative to the CSV)

Every photo goes through the admin's onboarding (cut-out, kind, anchors, the
hand-made overlay's validation). A photo that fails or needs review is
reported and skipped: one bad photo never stops the batch, and each product's
overlay is replaced in one transaction, or not at all. Ends with a table per
photo (kind, confidence, anchors, review reasons) and exits non-zero when any
photo was not imported.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.images import ImageRejected
from catalog.models import Product
from catalog.onboarding import OnboardingRefused, overlay_onboard, overlay_propose, product_hint

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
FRONT_SUFFIXES = ("_front", "-front", " front")


def _slug_of(path: Path) -> str | None:
    """Return the product slug a photo's name gives, or None for a back view."""
    stem = path.stem
    for suffix in FRONT_SUFFIXES:
        if stem.lower().endswith(suffix):
            return stem[: -len(suffix)]
    if stem.lower().endswith(("_back", "-back")):
        return None
    return stem


def _rows_from_dir(folder: Path) -> list[tuple[str, Path]]:
    rows = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in PHOTO_SUFFIXES or not path.is_file():
            continue
        slug = _slug_of(path)
        if slug is None:
            continue
        # <slug>_front wins over a bare <slug> photo.
        if slug not in rows or path.stem != slug:
            rows[slug] = path
    return sorted(rows.items())


def _rows_from_csv(path: Path) -> list[tuple[str, Path]]:
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for i, row in enumerate(csv.reader(fh), start=1):
            if not row or row[0].strip().startswith("#"):
                continue
            if i == 1 and [c.strip().lower() for c in row[:2]] == ["slug", "photo"]:
                continue
            if len(row) < 2:
                raise CommandError(f"{path}:{i}: expected two columns, slug and photo.")
            rows.append((row[0].strip(), (path.parent / row[1].strip()).resolve()))
    return rows


class Command(BaseCommand):
    help = "Create or update try-on garments from product photos (a folder of <slug>.jpg or a CSV of slug,photo)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="a folder of photos named by product slug, or a CSV of slug,photo")
        parser.add_argument("--dry-run", action="store_true", help="propose and report, save nothing")

    def handle(self, *args, source, dry_run=False, **options):
        src = Path(source)
        if src.is_dir():
            rows = _rows_from_dir(src)
        elif src.is_file() and src.suffix.lower() == ".csv":
            rows = _rows_from_csv(src)
        else:
            raise CommandError(f"{source}: not a folder or a .csv file.")
        if not rows:
            raise CommandError(f"{source}: no photos found (expected .jpg, .png or .webp named by product slug).")
        results = []
        for i, (slug, photo) in enumerate(rows, start=1):
            self._progress(i, len(rows), slug)
            results.append(self._one(slug, photo, dry_run))
        self._progress_done()
        self._table(results)
        failed = [r for r in results if r["status"] not in ("saved", "proposed")]
        saved = sum(r["status"] == "saved" for r in results)
        summary = f"{saved} saved, {len(results) - saved - len(failed)} proposed (dry run), {len(failed)} not imported, of {len(results)}."
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _one(self, slug: str, photo: Path, dry_run: bool) -> dict:
        result = {"slug": slug, "photo": photo.name, "kind": "", "confidence": "", "anchors": 0, "points": "",
                  "status": "", "review": []}
        product = Product.objects.select_related("category").filter(slug=slug).first()
        if product is None:
            result.update(status="no product", review=[f"No product with slug “{slug}”."])
            return result
        try:
            data = photo.read_bytes()
        except OSError as exc:
            result.update(status="unreadable", review=[f"Cannot read {photo}: {exc.strerror or exc}."])
            return result
        try:
            if dry_run:
                proposal = overlay_propose(data=data, hint=product_hint(product))
                saved = None
            else:
                outcome = overlay_onboard(product=product, data=data)
                proposal, saved = outcome.proposal, outcome.overlay
        except (ImageRejected, OnboardingRefused) as exc:
            result.update(status="refused", review=[str(exc)])
            return result
        result.update(
            kind=proposal.kind or "",
            confidence=f"{proposal.kind_confidence:.0%}" if proposal.kind else "",
            anchors=len(proposal.anchors),
            points=" ".join(f"{k}={round(x)},{round(y)}" for k, (x, y) in sorted(proposal.anchors.items())),
            review=list(proposal.needs_review),
        )
        if saved is not None:
            result["status"] = "saved"
        elif dry_run and not proposal.needs_review:
            result["status"] = "proposed"
        else:
            result["status"] = "needs review"
        return result

    def _progress(self, i: int, n: int, slug: str) -> None:
        width = 24
        filled = round(width * (i - 1) / n)
        line = f"[{'#' * filled}{'.' * (width - filled)}] {i - 1}/{n} {slug}"
        if sys.stderr.isatty():
            sys.stderr.write("\r" + line.ljust(70))
            sys.stderr.flush()
        else:
            self.stderr.write(line)

    def _progress_done(self) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()

    def _table(self, results: list[dict]) -> None:
        headers = ["product", "photo", "kind", "confidence", "anchors", "status"]
        keys = ["slug", "photo", "kind", "confidence", "anchors", "status"]
        widths = [max(len(h), *(len(str(r[k])) for r in results)) for h, k in zip(headers, keys)]
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
        self.stdout.write("  ".join("-" * w for w in widths))
        for r in results:
            self.stdout.write("  ".join(str(r[k]).ljust(w) for k, w in zip(keys, widths)))
            if r["points"]:
                self.stdout.write(f"    anchors: {r['points']}")
            for reason in r["review"]:
                self.stdout.write(f"    ! {reason}")
