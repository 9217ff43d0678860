"""Tests for tools/build_pose_bundles.py: the bundles it writes load and work.

Media credits: tests/media/README.md (astronaut.png: NASA, public domain via
scikit-image; fullbody_woman.png: openvto, MIT).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
MEDIA = REPO / "tests" / "media"
NODE_MODULES = REPO / "node_modules" / "@mediapipe" / "pose"
SCRIPT = REPO / "tools" / "build_pose_bundles.py"
VARIANTS = ("lite", "full", "heavy")

LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_ANKLE, RIGHT_ANKLE = 27, 28


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_pose_bundles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_pose_bundles", module)
    spec.loader.exec_module(module)
    return module


builder = _load_builder()

pytestmark = pytest.mark.skipif(
    not (NODE_MODULES / "pose_landmark_lite.tflite").is_file(),
    reason="npm @mediapipe/pose is not installed (run `npm install`)",
)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """Build the bundles once per test session (shared with test_pose.py)."""
    out = tmp_path_factory.getbasetemp() / "pose_models"
    missing = tuple(v for v in VARIANTS if not (out / f"pose_landmarker_{v}.task").is_file())
    if missing:
        builder.build_bundles(NODE_MODULES, out, missing)
    return out


def _rgb(name: str) -> np.ndarray:
    return np.asarray(Image.open(MEDIA / name).convert("RGB"))


def _detect(bundle: Path, rgb: np.ndarray):
    """Run MediaPipe's own PoseLandmarker (IMAGE mode) on ``rgb``."""
    import mediapipe as mp
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker as mp_pose
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
        VisionTaskRunningMode,
    )

    options = mp_pose.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(bundle)),
        running_mode=VisionTaskRunningMode.IMAGE,
    )
    with mp_pose.PoseLandmarker.create_from_options(options) as landmarker:
        return landmarker.detect(mp.Image(mp.ImageFormat.SRGB, np.ascontiguousarray(rgb)))


def _model_metadata(model: bytes):
    """Return the ModelMetadata stored in a TFLite model's TFLITE_METADATA buffer."""
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
    from mediapipe.tasks.metadata import schema_py_generated as tflite_fb

    assert model[4:8] == b"TFL3"
    tfl = tflite_fb.Model.GetRootAsModel(model, 0)
    names = {tfl.Metadata(i).Name(): tfl.Metadata(i).Buffer() for i in range(tfl.MetadataLength())}
    assert b"TFLITE_METADATA" in names, names
    data = tfl.Buffers(names[b"TFLITE_METADATA"]).DataAsNumpy().tobytes()
    assert data[4:8] == b"M001"
    return meta_fb, tfl, meta_fb.ModelMetadata.GetRootAsModelMetadata(data, 0)


@pytest.mark.parametrize("variant", VARIANTS)
def test_bundle_is_aligned_stored_zip_with_normalised_models(models_dir, variant):
    path = models_dir / f"pose_landmarker_{variant}.task"
    raw = path.read_bytes()
    expected = {
        "pose_detector.tflite": (127.5, 127.5, 224),
        "pose_landmarks_detector.tflite": (0.0, 255.0, 256),
    }
    with zipfile.ZipFile(path) as zf:
        assert [i.filename for i in zf.infolist()] == list(expected)
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            assert start % 4 == 0, f"{info.filename} data at offset {start}"
            model = raw[start:start + info.file_size]
            assert model == zf.read(info)

            meta_fb, tfl, metadata = _model_metadata(model)
            graph = tfl.Subgraphs(0)
            assert list(graph.Tensors(graph.Inputs(0)).ShapeAsNumpy()) == [
                1, expected[info.filename][2], expected[info.filename][2], 3]
            subgraph = metadata.SubgraphMetadata(0)
            assert subgraph.InputTensorMetadataLength() == 1
            assert subgraph.OutputTensorMetadataLength() == graph.OutputsLength()
            tensor = subgraph.InputTensorMetadata(0)
            unit = tensor.ProcessUnits(0)
            assert unit.OptionsType() == meta_fb.ProcessUnitOptions.NormalizationOptions
            norm = meta_fb.NormalizationOptions()
            norm.Init(unit.Options().Bytes, unit.Options().Pos)
            mean, std, _ = expected[info.filename]
            assert norm.MeanAsNumpy().tolist() == [mean] * 3
            assert norm.StdAsNumpy().tolist() == [std] * 3


def test_detector_comes_from_the_loader_manifest(tmp_path):
    detector = builder.read_detector(NODE_MODULES)
    assert len(detector) == 2962288 and detector[4:8] == b"TFL3"

    # A manifest pointing elsewhere is followed, and a non-model range is refused.
    data = (NODE_MODULES / builder.PACKED_DATA).read_bytes()
    (tmp_path / builder.PACKED_DATA).write_bytes(b"x" * 16 + data)
    loader = (NODE_MODULES / builder.PACKED_LOADER).read_text()
    shifted = loader.replace('"start": 0, "end": 2962288', '"start": 16, "end": 2962304')
    shifted = shifted.replace('"remote_package_size": 2962288', '"remote_package_size": 2962304')
    assert shifted != loader
    (tmp_path / builder.PACKED_LOADER).write_text(shifted)
    assert builder.read_detector(tmp_path) == detector

    (tmp_path / builder.PACKED_LOADER).write_text(shifted.replace('"start": 16', '"start": 0'))
    with pytest.raises(builder.BuildError, match="not a TFLite model"):
        builder.read_detector(tmp_path)


@pytest.mark.parametrize("variant", VARIANTS)
def test_bundle_finds_astronaut_shoulders(models_dir, variant):
    result = _detect(models_dir / f"pose_landmarker_{variant}.task", _rgb("astronaut.png"))
    assert len(result.pose_landmarks) == 1
    pose = result.pose_landmarks[0]
    assert len(pose) == 33
    left, right = pose[LEFT_SHOULDER], pose[RIGHT_SHOULDER]
    # The person's left shoulder is on the image's right.
    assert left.x == pytest.approx(0.60, abs=0.05)
    assert right.x == pytest.approx(0.22, abs=0.05)
    for shoulder in (left, right):
        assert 0.40 < shoulder.y < 0.56
        assert shoulder.visibility > 0.9


@pytest.mark.parametrize("variant", VARIANTS)
def test_bundle_finds_full_body_hips_and_ankles(models_dir, variant):
    result = _detect(models_dir / f"pose_landmarker_{variant}.task", _rgb("fullbody_woman.png"))
    assert len(result.pose_landmarks) == 1
    pose = result.pose_landmarks[0]
    for index in (LEFT_HIP, RIGHT_HIP, LEFT_ANKLE, RIGHT_ANKLE):
        assert pose[index].visibility > 0.8, index
    shoulders_y = (pose[LEFT_SHOULDER].y + pose[RIGHT_SHOULDER].y) / 2
    hips_y = (pose[LEFT_HIP].y + pose[RIGHT_HIP].y) / 2
    ankles_y = (pose[LEFT_ANKLE].y + pose[RIGHT_ANKLE].y) / 2
    assert 0.2 < shoulders_y < hips_y < ankles_y < 1.0
    assert ankles_y > 0.8
    assert pose[LEFT_HIP].x > pose[RIGHT_HIP].x
    assert pose[LEFT_ANKLE].x > pose[RIGHT_ANKLE].x


def test_cli_is_deterministic_and_skips_up_to_date_bundles(models_dir, tmp_path):
    out = tmp_path / "models"
    cmd = [sys.executable, str(SCRIPT), "--node-modules", str(NODE_MODULES), "--out", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert len(lines) == 3 and all(line.split()[0] == "built" for line in lines), lines
    for variant in VARIANTS:
        name = f"pose_landmarker_{variant}.task"
        # Another process, another directory: the same bytes.
        assert (out / name).read_bytes() == (models_dir / name).read_bytes(), name
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    outcomes = builder.build_bundles(NODE_MODULES, out)
    assert [o.status for o in outcomes] == ["up to date"] * 3
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == mtimes

    (out / "pose_landmarker_lite.task").write_bytes(b"stale")
    outcomes = builder.build_bundles(NODE_MODULES, out, ("lite",))
    assert [o.status for o in outcomes] == ["updated"]
    assert (out / "pose_landmarker_lite.task").read_bytes() == (
        models_dir / "pose_landmarker_lite.task").read_bytes()


def test_build_does_not_depend_on_the_clock(models_dir, tmp_path, monkeypatch):
    import time

    monkeypatch.setattr(time, "time", lambda: 1_000_000_000.0)  # 2001
    builder.build_bundles(NODE_MODULES, tmp_path, ("lite",))
    name = "pose_landmarker_lite.task"
    assert (tmp_path / name).read_bytes() == (models_dir / name).read_bytes()


def test_cli_reports_missing_inputs(tmp_path, capsys):
    status = builder.main(["--node-modules", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert status != 0
    err = capsys.readouterr().err
    assert "missing input" in err and "pose_landmark_heavy.tflite" in err
    assert not (tmp_path / "out").exists()
