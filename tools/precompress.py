#!/usr/bin/env python3
"""Write brotli (.br) and gzip (.gz) copies of the big files a first visit downloads.

WhiteNoise serves ``file.br`` or ``file.gz`` in place of ``file`` to a browser that accepts
that encoding (with or without collectstatic), so the WASM runtime goes over the network at
about a fifth of its size and the pose model at four fifths (measured: bench/browser.py).
Brotli at its best quality is slow (half a minute for the 13 MB runtime), so each copy is made
once and again only when its source changes; set-up (tools/setup.sh) runs this.

    .venv/bin/python tools/precompress.py [--check]
"""

from __future__ import annotations

import gzip
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
# What a browser loads: the runtime (SIMD module build; the non-SIMD build for old Safari),
# its loaders and bundle, and the lite (default) and full models. The heavy model is opt-in.
FILES = [
    "mediapipe/tasks-vision/vision_bundle.mjs",
    "mediapipe/tasks-vision/wasm/vision_wasm_module_internal.js",
    "mediapipe/tasks-vision/wasm/vision_wasm_module_internal.wasm",
    "mediapipe/tasks-vision/wasm/vision_wasm_nosimd_internal.js",
    "mediapipe/tasks-vision/wasm/vision_wasm_nosimd_internal.wasm",
    "models/pose_landmarker_lite.task",
    "models/pose_landmarker_full.task",
]


def stale(source: Path) -> bool:
    mtime = source.stat().st_mtime_ns
    return any(not out.exists() or out.stat().st_mtime_ns < mtime for out in (Path(f"{source}.br"), Path(f"{source}.gz")))


def compress(source: Path) -> tuple[str, int, int, int]:
    data = source.read_bytes()
    for suffix, packed in ((".gz", gzip.compress(data, compresslevel=9, mtime=0)), (".br", brotli.compress(data, quality=11))):
        tmp = Path(f"{source}{suffix}.tmp")
        tmp.write_bytes(packed)
        os.replace(tmp, f"{source}{suffix}")
    return str(source.relative_to(ROOT)), len(data), Path(f"{source}.br").stat().st_size, Path(f"{source}.gz").stat().st_size


def main(argv: list[str]) -> int:
    sources = [VENDOR / f for f in FILES]
    missing = [s for s in sources if not s.exists()]
    if missing:
        print(f"missing (run tools/setup.sh): {', '.join(str(m) for m in missing)}", file=sys.stderr)
        return 1
    todo = [s for s in sources if stale(s)]
    if "--check" in argv:
        return 1 if todo else 0
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, size, br, gz in pool.map(compress, todo):
            print(f"     compressed  {name}  {size / 1e6:.1f} MB -> br {br / 1e6:.2f} MB, gz {gz / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
