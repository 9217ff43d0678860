"""Server-side pose estimation with MediaPipe's PoseLandmarker.

This is the fallback for clients that cannot run pose detection on the
device. It has no Django import: views and consumers wrap it.

Models are the ``pose_landmarker_{lite,full,heavy}.task`` bundles written by
``tools/build_pose_bundles.py`` (default ``static/vendor/models``). A bundle's
bytes are read once per process and shared; every :class:`PoseEstimator` owns
its own MediaPipe graph, so use one estimator per image job or per video
stream and close it when done (or use it as a context manager).

Landmarks follow MediaPipe's 33-point BlazePose topology (see
``tryon.garments.LANDMARK_INDEX``): ``left_*`` is the person's left, which is
on the image's right for a person facing the camera.

Example::

    with PoseEstimator(model_path_for(models_dir, "full")) as estimator:
        result = estimator.detect(rgb)  # uint8 HxWx3 RGB
        if result is not None:
            x, y, z, visibility = result.landmarks[11]  # left shoulder
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tryon.tracking import OK, RESET, TrackingGuard

VARIANTS = ("lite", "full", "heavy")
NUM_LANDMARKS = 33
MODES = ("image", "video")

# A landmark counts as visible for choosing among several people from here on.
_VISIBLE = 0.5

Landmark = tuple[float, float, float, float]


@dataclass
class PoseResult:
    """Hold the pose of one person.

    Attributes:
        landmarks: 33 ``(x, y, z, visibility)`` tuples. ``x`` and ``y`` are
            normalised to the image width and height (0..1, and may fall
            outside the image); ``z`` is depth relative to the hips, roughly
            in the scale of ``x``, smaller is nearer the camera; ``visibility``
            is MediaPipe's 0..1 likelihood that the point is visible.
        mask: The person segmentation mask as a float32 ``HxW`` array in
            [0, 1] at the input image size, or ``None`` when the estimator
            was created without ``segmentation=True``.
        num_people: How many people MediaPipe reported (at most
            ``num_poses``); ``landmarks`` and ``mask`` belong to the most
            prominent one.
    """

    landmarks: list[Landmark]
    mask: np.ndarray | None = None
    num_people: int = 1


def model_path_for(models_dir: str | os.PathLike, variant: str = "full") -> Path:
    """Return the path of the ``variant`` bundle (lite, full or heavy) in ``models_dir``."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown pose model variant {variant!r}; expected one of {VARIANTS}")
    return Path(models_dir) / f"pose_landmarker_{variant}.task"


def _model_bytes(path: str | os.PathLike) -> bytes:
    """Return the bytes of the model at ``path``, read once per process.

    The cache key includes the file's size and modification time, so a
    rebuilt bundle is picked up without restarting the process.
    """
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"pose model not found: {resolved} (build it with "
            "`python tools/build_pose_bundles.py`)"
        ) from None
    return _read_model(str(resolved), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_model(path: str, size: int, mtime_ns: int) -> bytes:
    """Read and return a model file (cached by path, size and mtime)."""
    return Path(path).read_bytes()


def _as_rgb(image: np.ndarray) -> np.ndarray:
    """Return ``image`` as a C-contiguous uint8 HxWx3 RGB array.

    Grayscale ``HxW`` and ``HxWx1`` inputs are replicated into three channels.
    Raise ValueError for anything else.
    """
    if not isinstance(image, np.ndarray):
        raise ValueError(f"expected a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ValueError(f"expected dtype uint8, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        image = np.repeat(image[:, :, np.newaxis], 3, axis=2)
    elif image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f"expected an HxWx3 RGB or HxW grayscale image, got shape {image.shape}"
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"empty image, shape {image.shape}")
    return np.ascontiguousarray(image)


def _prominence(landmarks: list[Landmark]) -> float:
    """Return the area of the bounding box of a pose's visible landmarks.

    Coordinates are clipped to the image, so a person mostly out of frame
    ranks low. With fewer than two visible landmarks all of them are used.
    """
    points = np.array([(x, y) for x, y, _, v in landmarks if v >= _VISIBLE])
    if len(points) < 2:
        points = np.array([(x, y) for x, y, _, _ in landmarks])
    points = np.clip(points, 0.0, 1.0)
    width, height = points.max(axis=0) - points.min(axis=0)
    return float(width * height)


def _blank_frame():
    """Return a mid-grey 256x256 MediaPipe image (nobody in it)."""
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat

    return Image(ImageFormat.SRGB, np.full((256, 256, 3), 128, np.uint8))


def _close_landmarker(landmarker) -> None:
    """Close a MediaPipe landmarker (used as a finalizer)."""
    landmarker.close()


# Estimators still open, closed by _close_all_at_exit.
_open_estimators: weakref.WeakSet[PoseEstimator] = weakref.WeakSet()
_exit_hook_lock = threading.Lock()
_exit_hook_registered = False


def _close_all_at_exit() -> None:
    """Close every estimator still open when the interpreter shuts down."""
    for estimator in list(_open_estimators):
        estimator.close()


def _register_exit_hook() -> None:
    """Arrange for open estimators to be closed at interpreter exit.

    MediaPipe runs its C calls on a ThreadPoolExecutor, which refuses work
    once ``concurrent.futures`` has shut down in ``threading._shutdown``, and
    that happens before ``atexit`` handlers and garbage collection run. So
    the hook goes into the same (private, stable since 3.9) threading-atexit
    list; registered after the executor module, it runs before it.
    """
    global _exit_hook_registered
    with _exit_hook_lock:
        if _exit_hook_registered:
            return
        register = getattr(threading, "_register_atexit", None)
        if register is not None:
            try:
                register(_close_all_at_exit)
            except RuntimeError:  # already shutting down
                return
        _exit_hook_registered = True


def _to_pose_result(result) -> PoseResult | None:
    """Return the most prominent pose of a MediaPipe PoseLandmarkerResult, or None."""
    poses = [
        [(lm.x, lm.y, lm.z, lm.visibility if lm.visibility is not None else 0.0)
         for lm in pose]
        for pose in result.pose_landmarks
    ]
    if not poses:
        return None
    best = max(range(len(poses)), key=lambda i: _prominence(poses[i]))
    mask = None
    masks = result.segmentation_masks or []
    if best < len(masks):
        view = masks[best].numpy_view()
        mask = np.array(view.reshape(view.shape[:2]), dtype=np.float32, copy=True)
    return PoseResult(landmarks=poses[best], mask=mask, num_people=len(poses))


class PoseEstimator:
    """Find the most prominent person's pose in images or video frames.

    One estimator wraps one MediaPipe PoseLandmarker graph. It is not meant
    to be shared between streams: calls are serialised by a lock, but VIDEO
    mode tracks the person across frames and needs one timeline per stream.

    Args:
        model_path: A ``.task`` bundle, see :func:`model_path_for`.
        mode: ``"image"`` for independent images (:meth:`detect`) or
            ``"video"`` for frames of one stream (:meth:`detect_video`), which
            tracks the person and skips the person detector between frames.
        segmentation: Also return the person segmentation mask.
        num_poses: How many people MediaPipe may report. With more than one,
            the result is the person whose visible landmarks span the largest
            bounding box (the nearest, most complete person in frame).
        min_confidence: Threshold for detection, presence and tracking, 0..1.

    Raises:
        FileNotFoundError: The model file does not exist.
        ValueError: An argument is out of range.
        RuntimeError: MediaPipe cannot load the model (e.g. a bare .tflite).
    """

    def __init__(
        self,
        model_path: str | os.PathLike,
        *,
        mode: str = "image",
        segmentation: bool = False,
        num_poses: int = 1,
        min_confidence: float = 0.5,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if not isinstance(num_poses, int) or num_poses < 1:
            raise ValueError(f"num_poses must be a positive int, got {num_poses!r}")
        if not 0.0 <= float(min_confidence) <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence!r}")

        model = _model_bytes(model_path)
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker as mp_pose
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
            VisionTaskRunningMode,
        )

        running_mode = VisionTaskRunningMode.IMAGE if mode == "image" else VisionTaskRunningMode.VIDEO
        options = mp_pose.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model),
            running_mode=running_mode,
            num_poses=num_poses,
            min_pose_detection_confidence=float(min_confidence),
            min_pose_presence_confidence=float(min_confidence),
            min_tracking_confidence=float(min_confidence),
            output_segmentation_masks=bool(segmentation),
        )
        self.mode = mode
        self.segmentation = bool(segmentation)
        self._lock = threading.Lock()
        self._last_timestamp_ms: int | None = None
        self._guard = TrackingGuard()
        self._landmarker = mp_pose.PoseLandmarker.create_from_options(options)
        # Close the graph at garbage collection or interpreter exit at the
        # latest: MediaPipe's own __del__ fails during interpreter shutdown.
        # (PoseLandmarker.close() at exit must run before threading shuts the
        # executors down, hence the exit hook.)
        self._finalizer = weakref.finalize(self, _close_landmarker, self._landmarker)
        self._finalizer.atexit = False  # too late by then: see _register_exit_hook
        _open_estimators.add(self)
        _register_exit_hook()

    @property
    def closed(self) -> bool:
        """Return whether :meth:`close` has run."""
        return not self._finalizer.alive

    @property
    def tracking_resets(self) -> int:
        """Return how often video tracking was reset because it held an impossible pose."""
        return self._guard.resets

    @property
    def last_timestamp_ms(self) -> int | None:
        """Return the timestamp actually used for the last video frame."""
        return self._last_timestamp_ms

    def detect(self, rgb: np.ndarray) -> PoseResult | None:
        """Return the most prominent pose in an image, or None if nobody is found.

        ``rgb`` is a uint8 ``HxWx3`` RGB array; ``HxW`` or ``HxWx1`` grayscale
        is accepted too. Raise ValueError for other arrays and RuntimeError if
        the estimator is closed or was created with ``mode="video"``.
        """
        image = self._to_mp_image(rgb)
        with self._lock:
            self._check_usable("image")
            result = self._landmarker.detect(image)
        return _to_pose_result(result)

    def detect_video(self, rgb: np.ndarray, timestamp_ms: int) -> PoseResult | None:
        """Return the most prominent pose in a video frame, or None if nobody is found.

        Frames of one stream must come in order. MediaPipe needs strictly
        increasing timestamps, so a timestamp not above the previous one is
        replaced by the previous one plus 1 ms (see :attr:`last_timestamp_ms`).
        A pose that tracking locked onto an impossible body is not returned
        (None), and the tracker is reset so that a later frame detects the
        person afresh; see :mod:`tryon.tracking` (:attr:`tracking_resets`
        counts the resets). Input rules and errors are those of :meth:`detect`.
        """
        image = self._to_mp_image(rgb)
        timestamp = int(timestamp_ms)
        with self._lock:
            self._check_usable("video")
            if self._last_timestamp_ms is not None and timestamp <= self._last_timestamp_ms:
                timestamp = self._last_timestamp_ms + 1
            result = self._landmarker.detect_for_video(image, timestamp)
            self._last_timestamp_ms = timestamp
            pose = _to_pose_result(result)
            if pose is None:
                return None
            height, width = rgb.shape[:2]
            decision = self._guard.check(pose.landmarks, width, height, timestamp)
            if decision == RESET:
                # A blank frame makes the tracker lose the person: the next frame runs the detector afresh.
                self._last_timestamp_ms = timestamp + 1
                self._landmarker.detect_for_video(_blank_frame(), self._last_timestamp_ms)
        return pose if decision == OK else None

    def close(self) -> None:
        """Release the MediaPipe graph; calling it again does nothing."""
        with self._lock:
            self._finalizer()
            _open_estimators.discard(self)

    def __enter__(self) -> PoseEstimator:
        """Return the estimator itself."""
        return self

    def __exit__(self, *exc_info) -> None:
        """Close the estimator."""
        self.close()

    def _check_usable(self, mode: str) -> None:
        """Raise RuntimeError unless the estimator is open and in ``mode``."""
        if self.closed:
            raise RuntimeError("PoseEstimator is closed")
        if self.mode != mode:
            method = "detect" if self.mode == "image" else "detect_video"
            raise RuntimeError(f"this PoseEstimator was created with mode={self.mode!r}; use {method}()")

    @staticmethod
    def _to_mp_image(rgb: np.ndarray):
        """Validate ``rgb`` and return it as a MediaPipe SRGB image."""
        from mediapipe.tasks.python.vision.core.image import Image, ImageFormat

        return Image(ImageFormat.SRGB, _as_rgb(rgb))
