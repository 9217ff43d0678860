#!/usr/bin/env python3
"""Build MediaPipe PoseLandmarker ``.task`` bundles without a model hub.

The npm package ``@mediapipe/pose`` ships the BlazePose landmark models
(``pose_landmark_{lite,full,heavy}.tflite``) and, packed inside
``pose_solution_packed_assets.data``, the pose detector. MediaPipe's Tasks API
(Python and the browser's tasks-vision) wants them as a ``.task`` bundle: an
uncompressed zip holding ``pose_detector.tflite`` and
``pose_landmarks_detector.tflite``, each with TFLite metadata that declares how
to normalise the float32 image input.

This script writes ``pose_landmarker_{lite,full,heavy}.task``::

    python tools/build_pose_bundles.py [--node-modules DIR] [--out DIR]

Defaults are ``node_modules/@mediapipe/pose`` and ``static/vendor/models``
relative to the repository root. The output is deterministic (identical
inputs give byte-identical bundles), and a bundle whose bytes already match
is left untouched, so running the script again is cheap and safe.

Only the flatbuffer schema modules of the ``mediapipe`` wheel are used: its
high-level ``metadata_writers`` cannot be imported from the 1.2.x wheel, and
its ``create_model_asset_bundle`` stamps the current time into the zip.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NODE_MODULES = REPO_ROOT / "node_modules" / "@mediapipe" / "pose"
DEFAULT_OUT = REPO_ROOT / "static" / "vendor" / "models"

VARIANTS = ("lite", "full", "heavy")
DETECTOR_ENTRY = "pose_detector.tflite"
LANDMARKS_ENTRY = "pose_landmarks_detector.tflite"

PACKED_DATA = "pose_solution_packed_assets.data"
PACKED_LOADER = "pose_solution_packed_assets_loader.js"
DETECTOR_IN_PACKAGE = "pose_detection.tflite"

# Input normalisation: (pixel - mean) / std, per RGB channel.
DETECTOR_MEAN, DETECTOR_STD = 127.5, 127.5  # 224x224 input in [-1, 1]
LANDMARKS_MEAN, LANDMARKS_STD = 0.0, 255.0  # 256x256 input in [0, 1]

_TFLITE_IDENTIFIER = b"TFL3"
_METADATA_IDENTIFIER = b"M001"
_METADATA_FIELD = "TFLITE_METADATA"
# Only ImageProperties and NormalizationOptions are used: metadata schema 1.0.0.
_MIN_PARSER_VERSION = "1.0.0"
# The TFLite schema declares buffer data ``force_align: 16``; keep it.
_BUFFER_ALIGNMENT = 16
# Zip entries are stored (uncompressed) and aligned so the models can be used
# in place; MediaPipe needs 4, 16 keeps the tensor data 16-aligned as well.
_ZIP_ALIGNMENT = 16
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LICENSE = "Apache License, Version 2.0 (npm @mediapipe/pose)"


class BuildError(Exception):
    """Report a problem with the inputs that stops the build."""


@dataclass(frozen=True)
class BundleOutcome:
    """Describe what happened to one bundle."""

    variant: str
    path: Path
    status: str  # "built", "updated" or "up to date"
    size: int
    sha256: str


def _schema_modules():
    """Import and return the flatbuffers module and the two schema modules."""
    try:
        import flatbuffers
        from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
        from mediapipe.tasks.metadata import schema_py_generated as tflite_fb
    except ImportError as exc:  # pragma: no cover - environment problem
        raise BuildError(
            f"cannot import the TFLite schema modules ({exc}); "
            "install requirements.txt (mediapipe, flatbuffers) first"
        ) from exc
    return flatbuffers, meta_fb, tflite_fb


def read_detector(node_modules: Path) -> bytes:
    """Return ``pose_detection.tflite`` cut out of the packed assets file.

    The byte range is read from the Emscripten loader script that accompanies
    the data file, so a repackaged npm release cannot silently shift it.
    """
    loader = node_modules / PACKED_LOADER
    data_file = node_modules / PACKED_DATA
    text = loader.read_text(encoding="utf-8")
    match = re.search(r"loadPackage\((\{.*?\})\);", text, re.DOTALL)
    if not match:
        raise BuildError(f"{loader}: no loadPackage({{...}}) manifest found")
    try:
        manifest = json.loads(match.group(1))
    except json.JSONDecodeError as exc:
        raise BuildError(f"{loader}: cannot parse the package manifest: {exc}") from exc
    entries = [
        f for f in manifest.get("files", [])
        if str(f.get("filename", "")).endswith("/" + DETECTOR_IN_PACKAGE)
    ]
    if len(entries) != 1:
        raise BuildError(f"{loader}: expected one {DETECTOR_IN_PACKAGE} entry, found {len(entries)}")
    start, end = int(entries[0]["start"]), int(entries[0]["end"])
    data = data_file.read_bytes()
    expected_size = manifest.get("remote_package_size")
    if expected_size is not None and int(expected_size) != len(data):
        raise BuildError(
            f"{data_file}: size {len(data)} does not match the loader's "
            f"remote_package_size {expected_size}"
        )
    if not 0 <= start < end <= len(data):
        raise BuildError(f"{data_file}: bad byte range {start}..{end} for {len(data)} bytes")
    model = data[start:end]
    if model[4:8] != _TFLITE_IDENTIFIER:
        raise BuildError(f"{data_file}[{start}:{end}] is not a TFLite model")
    return model


def _aligned_buffer_type(tflite_fb):
    """Return a ``BufferT`` subclass that packs its data 16-byte aligned."""

    class AlignedBufferT(tflite_fb.BufferT):
        def Pack(self, builder):  # noqa: N802 - flatbuffers naming
            data = None
            if self.data is not None:
                payload = bytes(self.data)  # numpy uint8 view, bytes or list
                builder.StartVector(1, len(payload), _BUFFER_ALIGNMENT)
                builder.head -= len(payload)
                builder.Bytes[builder.head:builder.head + len(payload)] = payload
                try:
                    data = builder.EndVector()
                except TypeError:  # flatbuffers < 2.0 wants the length
                    data = builder.EndVector(len(payload))
            tflite_fb.BufferStart(builder)
            if data is not None:
                tflite_fb.BufferAddData(builder, data)
            tflite_fb.BufferAddOffset(builder, self.offset)
            tflite_fb.BufferAddSize(builder, self.size)
            return tflite_fb.BufferEnd(builder)

    return AlignedBufferT


def build_metadata(*, name: str, description: str, mean: float, std: float,
                   output_names: list[str]) -> bytes:
    """Return a ``ModelMetadata`` flatbuffer for a model with one RGB image input.

    The input gets ImageProperties (RGB) and per-channel NormalizationOptions;
    outputs get a name only, which is all MediaPipe's pose graphs need.
    """
    flatbuffers, meta_fb, _ = _schema_modules()

    props = meta_fb.ImagePropertiesT()
    props.colorSpace = meta_fb.ColorSpaceType.RGB
    content = meta_fb.ContentT()
    content.contentPropertiesType = meta_fb.ContentProperties.ImageProperties
    content.contentProperties = props

    norm = meta_fb.NormalizationOptionsT()
    norm.mean = [float(mean)] * 3
    norm.std = [float(std)] * 3
    unit = meta_fb.ProcessUnitT()
    unit.optionsType = meta_fb.ProcessUnitOptions.NormalizationOptions
    unit.options = norm

    stats = meta_fb.StatsT()
    stats.max = [(255.0 - mean) / std] * 3
    stats.min = [(0.0 - mean) / std] * 3

    image = meta_fb.TensorMetadataT()
    image.name = "image"
    image.description = "RGB image, (pixel - mean) / std per channel."
    image.content = content
    image.processUnits = [unit]
    image.stats = stats

    outputs = []
    for out_name in output_names:
        tensor = meta_fb.TensorMetadataT()
        tensor.name = out_name
        outputs.append(tensor)

    subgraph = meta_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image]
    subgraph.outputTensorMetadata = outputs

    model = meta_fb.ModelMetadataT()
    model.name = name
    model.description = description
    model.author = "Google (MediaPipe BlazePose)"
    model.license = _LICENSE
    model.subgraphMetadata = [subgraph]
    model.minParserVersion = _MIN_PARSER_VERSION

    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), _METADATA_IDENTIFIER)
    return bytes(builder.Output())


def add_image_metadata(model_bytes: bytes, *, name: str, description: str,
                       mean: float, std: float) -> bytes:
    """Return ``model_bytes`` with TFLite metadata on its single image input.

    The metadata is stored the way the TFLite metadata populator does it: as a
    model buffer referenced by a ``Metadata`` entry named ``TFLITE_METADATA``
    (replacing an existing one). Everything else in the model is kept.
    """
    flatbuffers, _, tflite_fb = _schema_modules()
    if model_bytes[4:8] != _TFLITE_IDENTIFIER:
        raise BuildError(f"{name}: not a TFLite flatbuffer")
    model = tflite_fb.ModelT.InitFromObj(tflite_fb.Model.GetRootAsModel(model_bytes, 0))
    if len(model.subgraphs or []) != 1:
        raise BuildError(f"{name}: expected 1 subgraph, found {len(model.subgraphs or [])}")
    graph = model.subgraphs[0]
    if len(graph.inputs) != 1:
        raise BuildError(f"{name}: expected one input tensor, found {len(graph.inputs)}")
    shape = list(graph.tensors[graph.inputs[0]].shape)
    if len(shape) != 4 or shape[-1] != 3:
        raise BuildError(f"{name}: input shape {shape} is not 1xHxWx3")
    output_names = [graph.tensors[i].name.decode("utf-8") for i in graph.outputs]

    metadata = build_metadata(name=name, description=description, mean=mean, std=std,
                              output_names=output_names)

    aligned = _aligned_buffer_type(tflite_fb)
    buffers = []
    for buf in model.buffers or []:
        if buf.offset > 1:
            raise BuildError(f"{name}: external buffers (offset/size) are not supported")
        copy = aligned()
        copy.data, copy.offset, copy.size = buf.data, buf.offset, buf.size
        buffers.append(copy)
    model.buffers = buffers

    metadata_buffer = aligned()
    metadata_buffer.data = metadata
    model.metadata = model.metadata or []
    for entry in model.metadata:
        if entry.name.decode("utf-8") == _METADATA_FIELD:
            model.buffers[entry.buffer] = metadata_buffer
            break
    else:
        model.buffers.append(metadata_buffer)
        entry = tflite_fb.MetadataT()
        entry.name = _METADATA_FIELD
        entry.buffer = len(model.buffers) - 1
        model.metadata.append(entry)

    builder = flatbuffers.Builder(len(model_bytes) + len(metadata) + 4096)
    builder.Finish(model.Pack(builder), _TFLITE_IDENTIFIER)
    return bytes(builder.Output())


class _AlignedZipFile(zipfile.ZipFile):
    """Write stored zip entries whose data starts on an aligned offset.

    Same technique as MediaPipe's ``model_asset_bundle_utils.AlignZipFile``:
    zero bytes are written before a local header so that the entry's data
    lands on a multiple of the alignment. Zip readers navigate by the central
    directory and ignore the gap.
    """

    def _writecheck(self, zinfo):  # zipfile hook, runs before each local header
        if zinfo.compress_type != zipfile.ZIP_STORED:
            raise ValueError("only stored (uncompressed) entries can be aligned")
        offset = self.fp.tell()
        data_start = offset + len(zinfo.FileHeader())
        padding = -data_start % _ZIP_ALIGNMENT
        if padding:
            self.fp.write(b"\x00" * padding)
            zinfo.header_offset = offset + padding
        super()._writecheck(zinfo)


def make_bundle(entries: list[tuple[str, bytes]]) -> bytes:
    """Return a deterministic, uncompressed, aligned zip of ``entries``."""
    out = io.BytesIO()
    with _AlignedZipFile(out, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, regardless of the build host
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def check_inputs(node_modules: Path) -> None:
    """Raise ``BuildError`` listing every missing input file."""
    needed = [node_modules / PACKED_DATA, node_modules / PACKED_LOADER]
    needed += [node_modules / f"pose_landmark_{v}.tflite" for v in VARIANTS]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise BuildError(
            "missing input file(s):\n  " + "\n  ".join(missing)
            + "\nrun `npm install` (package @mediapipe/pose) or pass --node-modules DIR"
        )


def _write_if_changed(path: Path, data: bytes) -> str:
    """Write ``data`` atomically unless ``path`` already holds it; return the status."""
    existed = path.is_file()
    if existed and path.stat().st_size == len(data) and path.read_bytes() == data:
        return "up to date"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return "updated" if existed else "built"


def build_bundles(node_modules: Path = DEFAULT_NODE_MODULES, out_dir: Path = DEFAULT_OUT,
                  variants: tuple[str, ...] = VARIANTS) -> list[BundleOutcome]:
    """Build ``pose_landmarker_<variant>.task`` for each variant into ``out_dir``.

    Each bundle is assembled in memory and written only if its bytes differ
    from the file already there.
    """
    node_modules, out_dir = Path(node_modules), Path(out_dir)
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise BuildError(f"unknown variant(s): {', '.join(sorted(unknown))}")
    check_inputs(node_modules)
    detector = add_image_metadata(
        read_detector(node_modules), name="pose_detector",
        description="BlazePose person detector, 224x224 RGB input.",
        mean=DETECTOR_MEAN, std=DETECTOR_STD)
    outcomes = []
    for variant in variants:
        raw = (node_modules / f"pose_landmark_{variant}.tflite").read_bytes()
        landmarks = add_image_metadata(
            raw, name=f"pose_landmarks_detector_{variant}",
            description=f"BlazePose GHUM 3D landmarks ({variant}), 256x256 RGB input.",
            mean=LANDMARKS_MEAN, std=LANDMARKS_STD)
        bundle = make_bundle([(DETECTOR_ENTRY, detector), (LANDMARKS_ENTRY, landmarks)])
        path = out_dir / f"pose_landmarker_{variant}.task"
        status = _write_if_changed(path, bundle)
        outcomes.append(BundleOutcome(variant, path, status, len(bundle),
                                      hashlib.sha256(bundle).hexdigest()))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Run the command line interface; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=DEFAULT_NODE_MODULES,
                        help="directory of the npm @mediapipe/pose package "
                             "(default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory (default: %(default)s)")
    parser.add_argument("--variant", action="append", choices=VARIANTS,
                        help="build only this variant (repeatable; default: all)")
    args = parser.parse_args(argv)
    try:
        outcomes = build_bundles(args.node_modules, args.out,
                                 tuple(args.variant) if args.variant else VARIANTS)
    except (BuildError, OSError) as exc:
        print(f"build_pose_bundles: error: {exc}", file=sys.stderr)
        return 1
    for o in outcomes:
        print(f"{o.status:>10}  {o.path}  {o.size / 1e6:.1f} MB  sha256 {o.sha256[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
