"""Tests for tryon.pose, the server-side pose estimator.

Media credits: tests/media/README.md (astronaut.png: NASA, public domain;
cameraman.png: CC0, both via scikit-image; fullbody_woman.png: openvto, MIT).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tryon import pose, tracking  # noqa: E402
from tryon.garments import LANDMARK_INDEX  # noqa: E402
from tryon.pose import PoseEstimator, PoseResult, model_path_for  # noqa: E402

MEDIA = REPO / "tests" / "media"
NODE_MODULES = REPO / "node_modules" / "@mediapipe" / "pose"
LEFT_SHOULDER = LANDMARK_INDEX["left_shoulder"]
RIGHT_SHOULDER = LANDMARK_INDEX["right_shoulder"]

pytestmark = pytest.mark.skipif(
    not (NODE_MODULES / "pose_landmark_lite.tflite").is_file(),
    reason="npm @mediapipe/pose is not installed (run `npm install`)",
)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """Build the lite bundle once per test session (shared with test_pose_bundles.py)."""
    out = tmp_path_factory.getbasetemp() / "pose_models"
    if not (out / "pose_landmarker_lite.task").is_file():
        spec = importlib.util.spec_from_file_location(
            "build_pose_bundles", REPO / "tools" / "build_pose_bundles.py")
        builder = sys.modules.setdefault("build_pose_bundles", importlib.util.module_from_spec(spec))
        spec.loader.exec_module(builder)
        builder.build_bundles(NODE_MODULES, out, ("lite",))
    return out


@pytest.fixture(scope="module")
def lite(models_dir) -> Path:
    return model_path_for(models_dir, "lite")


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return np.asarray(Image.open(MEDIA / "astronaut.png").convert("RGB"))


def _assert_astronaut_shoulders(result: PoseResult | None) -> None:
    assert result is not None
    left, right = result.landmarks[LEFT_SHOULDER], result.landmarks[RIGHT_SHOULDER]
    assert left[0] == pytest.approx(0.60, abs=0.05)  # person's left = image right
    assert right[0] == pytest.approx(0.22, abs=0.05)
    assert 0.40 < left[1] < 0.56 and 0.40 < right[1] < 0.56
    assert left[3] > 0.9 and right[3] > 0.9


def _frame_640x480(rgb: np.ndarray, x: int) -> np.ndarray:
    """Return a 640x480 frame with ``rgb`` scaled to 480x480 at column ``x``."""
    frame = np.full((480, 640, 3), 40, np.uint8)
    frame[:, x:x + 480] = np.asarray(Image.fromarray(rgb).resize((480, 480)))
    return frame


def test_model_path_for(tmp_path):
    assert model_path_for(tmp_path, "heavy") == tmp_path / "pose_landmarker_heavy.task"
    assert model_path_for(str(tmp_path)).name == "pose_landmarker_full.task"
    with pytest.raises(ValueError):
        model_path_for(tmp_path, "medium")
    with pytest.raises(FileNotFoundError, match="build_pose_bundles"):
        PoseEstimator(model_path_for(tmp_path, "lite"))


def test_bare_tflite_is_refused(tmp_path):
    bare = tmp_path / "pose_landmark_lite.tflite"
    bare.write_bytes((NODE_MODULES / "pose_landmark_lite.tflite").read_bytes())
    with pytest.raises(RuntimeError):
        PoseEstimator(bare)


def test_model_bytes_are_read_once(lite):
    assert pose._model_bytes(lite) is pose._model_bytes(str(lite))


def test_image_mode_finds_astronaut(lite, astronaut):
    with PoseEstimator(lite) as estimator:
        result = estimator.detect(astronaut)
    _assert_astronaut_shoulders(result)
    assert len(result.landmarks) == 33
    assert all(len(lm) == 4 and all(isinstance(v, float) for v in lm) for lm in result.landmarks)
    assert result.mask is None
    assert result.num_people == 1


def test_segmentation_mask(lite, astronaut):
    with PoseEstimator(lite, segmentation=True) as estimator:
        result = estimator.detect(astronaut)
    mask = result.mask
    assert mask.shape == astronaut.shape[:2] and mask.dtype == np.float32
    assert 0.0 <= mask.min() and mask.max() <= 1.0
    assert mask[300, 256] > 0.9  # chest
    assert max(mask[5, 5], mask[5, -5], mask[-5, 5]) < 0.1  # corners: background
    assert 0.2 < mask.mean() < 0.7


def test_grayscale_input(lite):
    gray = np.asarray(Image.open(MEDIA / "cameraman.png"))
    assert gray.ndim == 2 and gray.dtype == np.uint8
    with PoseEstimator(lite) as estimator:
        flat = estimator.detect(gray)
        single_channel = estimator.detect(gray[:, :, np.newaxis])
        rgb = estimator.detect(np.stack([gray] * 3, axis=-1))
    assert flat is not None
    assert flat.landmarks == single_channel.landmarks == rgb.landmarks
    nose, shoulder = flat.landmarks[0], flat.landmarks[LEFT_SHOULDER]
    assert nose[3] > 0.9 and shoulder[3] > 0.9
    assert 0.2 < nose[1] < 0.45  # head in the upper half, facing sideways


@pytest.mark.parametrize("kind", ["blank", "black", "noise"])
def test_no_person_gives_none(lite, kind):
    if kind == "noise":
        image = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    else:
        image = np.full((480, 640, 3), 128 if kind == "blank" else 0, np.uint8)
    with PoseEstimator(lite, segmentation=True) as estimator:
        assert estimator.detect(image) is None


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((64, 64, 3), np.float32),
        np.zeros((64, 64, 3), np.uint16),
        np.zeros((64, 64, 4), np.uint8),
        np.zeros((64, 64, 2), np.uint8),
        np.zeros((64,), np.uint8),
        np.zeros((1, 64, 64, 3), np.uint8),
        np.zeros((0, 64, 3), np.uint8),
        [[0, 0, 0]],
    ],
    ids=["float32", "uint16", "rgba", "2ch", "1d", "4d", "empty", "list"],
)
def test_bad_input_raises_value_error(lite, bad):
    with PoseEstimator(lite) as image_est, PoseEstimator(lite, mode="video") as video_est:
        with pytest.raises(ValueError):
            image_est.detect(bad)
        with pytest.raises(ValueError):
            video_est.detect_video(bad, 0)
        assert video_est.last_timestamp_ms is None


def test_bad_arguments(lite):
    with pytest.raises(ValueError):
        PoseEstimator(lite, mode="live")
    with pytest.raises(ValueError):
        PoseEstimator(lite, num_poses=0)
    with pytest.raises(ValueError):
        PoseEstimator(lite, min_confidence=1.5)


def test_video_mode_tracks_and_fixes_timestamps(lite, astronaut):
    with PoseEstimator(lite, mode="video", segmentation=True) as estimator:
        xs = []
        for i, offset in enumerate(range(0, 160, 20)):
            result = estimator.detect_video(_frame_640x480(astronaut, offset), i * 33)
            assert result is not None, f"frame {i}"
            assert result.mask.shape == (480, 640)
            xs.append(result.landmarks[LEFT_SHOULDER][0])
        assert estimator.last_timestamp_ms == 7 * 33
        # The person moves right by 20 px per frame; so does the shoulder.
        steps = np.diff(xs) * 640
        assert np.all(np.abs(steps - 20) < 6), steps

        frame = _frame_640x480(astronaut, 140)
        assert estimator.detect_video(frame, 7 * 33) is not None  # repeated
        assert estimator.last_timestamp_ms == 7 * 33 + 1
        assert estimator.detect_video(frame, 5) is not None  # going back
        assert estimator.last_timestamp_ms == 7 * 33 + 2
        estimator.detect_video(frame, 1000)
        assert estimator.last_timestamp_ms == 1000


def test_video_tracking_held_on_an_impossible_torso_is_reset(lite, monkeypatch):
    """Such a pose is not returned, and a blank frame resets tracking, at most every RESET_INTERVAL_MS."""
    woman = np.asarray(Image.open(MEDIA / "fullbody_woman.png").convert("RGB"))
    with PoseEstimator(lite, mode="video") as estimator:
        assert estimator.detect_video(woman, 0) is not None  # shoulders and hips in view, a plausible body
        calls = []
        real = estimator._landmarker.detect_for_video

        def spy(image, timestamp_ms):
            calls.append((image.width, image.height, timestamp_ms))
            return real(image, timestamp_ms)

        monkeypatch.setattr(estimator._landmarker, "detect_for_video", spy)
        monkeypatch.setattr(tracking, "MIN_TORSO_RATIO", 10.0)  # now every torso is too short
        assert estimator.detect_video(woman, 100) is None
        assert estimator.tracking_resets == 1
        assert calls == [(woman.shape[1], woman.shape[0], 100), (256, 256, 101)]  # the blank frame follows
        assert estimator.last_timestamp_ms == 101
        assert estimator.detect_video(woman, 300) is None  # dropped; no second reset within 500 ms
        assert estimator.tracking_resets == 1 and len(calls) == 3
        assert estimator.detect_video(woman, 700) is None
        assert estimator.tracking_resets == 2 and calls[-1] == (256, 256, 701)
        monkeypatch.undo()
        found = estimator.detect_video(woman, 800)  # the person detector finds her afresh
        assert found is not None and estimator.tracking_resets == 2


def test_mode_mismatch_raises(lite, astronaut):
    with PoseEstimator(lite, mode="video") as estimator:
        with pytest.raises(RuntimeError, match="detect_video"):
            estimator.detect(astronaut)
    with PoseEstimator(lite) as estimator:
        with pytest.raises(RuntimeError, match="detect\\(\\)"):
            estimator.detect_video(astronaut, 0)


def test_close_is_idempotent(lite, astronaut):
    estimator = PoseEstimator(lite)
    assert not estimator.closed
    estimator.close()
    estimator.close()
    assert estimator.closed
    with pytest.raises(RuntimeError, match="closed"):
        estimator.detect(astronaut)
    with PoseEstimator(lite) as estimator:
        pass
    assert estimator.closed
    estimator.close()


def test_unclosed_estimator_exits_cleanly(lite):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import numpy as np\n"
        "from tryon.pose import PoseEstimator\n"
        "e = PoseEstimator(sys.argv[2])\n"
        "e.detect(np.zeros((64, 64, 3), np.uint8))\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(REPO), str(lite)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr


def test_two_people_real_image(lite):
    woman = Image.open(MEDIA / "fullbody_woman.png").convert("RGB")
    for big_on_left in (True, False):
        canvas = Image.new("RGB", (900, 688), (200, 200, 200))
        big, small = woman.resize((384, 688)), woman.resize((268, 481))
        canvas.paste(big, (0 if big_on_left else 516, 0))
        canvas.paste(small, (480 if big_on_left else 40, 688 - 481))
        with PoseEstimator(lite, num_poses=2) as estimator:
            result = estimator.detect(np.asarray(canvas))
        assert result.num_people == 2
        centre_x = (result.landmarks[LEFT_SHOULDER][0] + result.landmarks[RIGHT_SHOULDER][0]) / 2
        assert (centre_x < 0.5) == big_on_left


def _fake_pose(x0, y0, size, visibility=0.99):
    """Return 33 landmarks spread over a size x size box at (x0, y0)."""
    grid = np.linspace(0.0, 1.0, 33)
    return [SimpleNamespace(x=x0 + size * g, y=y0 + size * grid[::-1][i], z=0.0, visibility=visibility)
            for i, g in enumerate(grid)]


def test_most_prominent_pose_is_chosen():
    small, large = _fake_pose(0.05, 0.05, 0.2), _fake_pose(0.4, 0.3, 0.5)
    off_frame = _fake_pose(0.9, 0.9, 0.8)  # mostly outside the image
    hidden = _fake_pose(0.0, 0.0, 1.0, visibility=0.1)
    hidden[0].visibility = hidden[1].visibility = 0.9  # two visible points, tiny box
    masks = [SimpleNamespace(numpy_view=lambda v=v: np.full((4, 6, 1), v, np.float32))
             for v in (0.1, 0.2, 0.3, 0.4)]
    fake = SimpleNamespace(pose_landmarks=[small, off_frame, hidden, large], segmentation_masks=masks)
    result = pose._to_pose_result(fake)
    assert result.num_people == 4
    assert result.landmarks[0][:2] == (large[0].x, large[0].y)
    assert result.mask.shape == (4, 6) and np.all(result.mask == np.float32(0.4))
    assert pose._to_pose_result(SimpleNamespace(pose_landmarks=[], segmentation_masks=None)) is None
