"""One connection's server-rendered live try-on: JPEG frame in, composited JPEG out.

The pure half of the WebSocket fallback (:mod:`tryon.consumers` is the async
half). No Django import: the consumer passes limits from settings and a
factory for the pose estimator, tests and benchmarks pass their own.

A binary frame is ``FRAME_HEADER`` (a big-endian uint32 frame id chosen by the
client) followed by one baseline or progressive JPEG. :func:`split_frame` and
:func:`check_jpeg` are cheap and run on the event loop; the CPU work runs in
worker threads as three stages the consumer pipelines:
:meth:`LiveSession.decode` (any thread, any order), :meth:`LiveSession.detect`
(pose; one frame at a time, in stream order) and :meth:`LiveSession.render`
(fit, composite, encode; may overlap the next frame's pose). A session owns
one VIDEO-mode :class:`~tryon.pose.PoseEstimator` created on the first frame,
and must be closed in a worker thread too.

Nothing is stored: frames live in memory for the duration of one call.
"""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from tryon.geometry import fit_garment
from tryon.pipeline import fit_and_composite

FRAME_HEADER = struct.Struct(">I")  # client frame id (e.g. a timestamp in ms, mod 2**32)
MAX_FRAME_ID = 2**32 - 1

_IMREAD_RGB = getattr(cv2, "IMREAD_COLOR_RGB", cv2.IMREAD_COLOR)
_SOI = b"\xff\xd8"
_EOI = b"\xff\xd9"
# Start-of-frame markers carry the image size (all SOFn except DHT C4, JPG C8, DAC CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset(range(0xD0, 0xD8)) | {0x01}  # RSTn, TEM: no length field


class EstimatorUnavailable(Exception):
    """The pose estimator could not be created (e.g. the model file is missing)."""


class FrameRejected(Exception):
    """A frame or message the client must fix; ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class LiveLimits:
    """Per-frame limits of the live try-on."""

    max_bytes: int = 512 * 1024
    max_width: int = 1280
    max_height: int = 1280
    jpeg_quality: int = 80


@dataclass(frozen=True)
class Garment:
    """What a frame is dressed in: overlay pixels (BGRA, read-only) and the fit description."""

    slug: str
    overlay_bgra: np.ndarray
    description: dict


@dataclass
class LiveResult:
    """One processed frame: the reply's JSON fields and the JPEG to send back."""

    frame_id: int
    found: bool
    landmarks: list[list[float]] | None
    timings: dict[str, float]
    jpeg: bytes
    width: int = 0
    height: int = 0
    extra: dict = field(default_factory=dict)

    def message(self) -> dict:
        """Return the JSON ``result`` message for this frame."""
        return {
            "type": "result",
            "frame": self.frame_id,
            "found": self.found,
            "landmarks": self.landmarks,
            "width": self.width,
            "height": self.height,
            "timings": self.timings,
            **self.extra,
        }

    def binary(self) -> bytes:
        """Return the binary reply: the frame id header and the JPEG."""
        return FRAME_HEADER.pack(self.frame_id) + self.jpeg


@dataclass
class Analysed:
    """A frame between the stages of :class:`LiveSession`: decoded pixels (RGB) and, once detected, its pose."""

    frame_id: int
    jpeg: bytes
    pixels: np.ndarray | None
    pose: object
    width: int
    height: int
    timings: dict[str, float]
    busy: float  # seconds of decode + pose


def split_frame(data: bytes, limits: LiveLimits) -> tuple[int, bytes]:
    """Return ``(frame_id, jpeg_bytes)`` of a binary message, or raise :class:`FrameRejected`."""
    if len(data) > limits.max_bytes:
        raise FrameRejected(
            "too_large",
            f"A frame may be at most {limits.max_bytes // 1024} KiB; send a smaller or more compressed JPEG.",
        )
    if len(data) < FRAME_HEADER.size + 4:
        raise FrameRejected(
            "bad_header",
            f"A frame is a {FRAME_HEADER.size}-byte big-endian frame id followed by JPEG bytes.",
        )
    (frame_id,) = FRAME_HEADER.unpack_from(data)
    return frame_id, bytes(data[FRAME_HEADER.size:])


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Return ``(width, height)`` from a JPEG's start-of-frame segment without decoding it.

    Raise :class:`FrameRejected` when the bytes are not a complete JPEG
    (missing start or end marker, or no frame header before the scan).
    """
    if not jpeg.startswith(_SOI):
        raise FrameRejected("bad_image", "The frame is not a JPEG image.")
    if not jpeg.rstrip(b"\x00").endswith(_EOI):
        raise FrameRejected("bad_image", "The JPEG is incomplete (it may have been cut off).")
    pos, n = 2, len(jpeg)
    while pos + 4 <= n:
        if jpeg[pos] != 0xFF:
            break
        marker = jpeg[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", jpeg, pos + 2)
        if length < 2:
            break
        if marker in _SOF_MARKERS:
            if pos + 9 > n:
                break
            height, width = struct.unpack_from(">HH", jpeg, pos + 5)
            if width == 0 or height == 0:
                break
            return width, height
        if marker == 0xDA:  # start of scan before any frame header
            break
        pos += 2 + length
    raise FrameRejected("bad_image", "The JPEG is damaged: its size cannot be read.")


def check_jpeg(jpeg: bytes, limits: LiveLimits) -> tuple[int, int]:
    """Return the JPEG's ``(width, height)`` after checking them against ``limits`` (no decoding)."""
    width, height = jpeg_size(jpeg)
    if width > limits.max_width or height > limits.max_height:
        raise FrameRejected(
            "too_large",
            f"Frames may be at most {limits.max_width}x{limits.max_height} pixels; this one is {width}x{height}.",
        )
    return width, height


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 2)


class LiveSession:
    """The pose timeline and pipeline of one live stream.

    Args:
        estimator_factory: Returns a new VIDEO-mode PoseEstimator; called on
            the first frame (in the worker thread).
        limits: Frame limits and the output JPEG quality.
        clock: Monotonic seconds; frame timestamps for the estimator are
            taken from it, so they increase whatever the client sends.
    """

    def __init__(
        self,
        estimator_factory: Callable[[], object],
        limits: LiveLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = estimator_factory
        self._limits = limits
        self._clock = clock
        self._estimator = None
        self._lock = threading.Lock()
        self._closed = False
        self.frames = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def decode(self, frame_id: int, jpeg: bytes) -> Analysed:
        """Stage zero of a frame: check and decode the JPEG (worker thread; any thread, any order).

        Decodes straight to RGB, the order the pose model takes; :meth:`render`
        turns it into BGR in place. Raise :class:`FrameRejected` for an
        undecodable or oversized JPEG.
        """
        started = time.perf_counter()
        width, height = check_jpeg(jpeg, self._limits)
        rgb = cv2.imdecode(np.frombuffer(jpeg, np.uint8), _IMREAD_RGB)
        if rgb is None or rgb.ndim != 3 or rgb.shape[:2] != (height, width):
            raise FrameRejected("bad_image", "The JPEG could not be decoded.")
        if _IMREAD_RGB == cv2.IMREAD_COLOR:  # OpenCV < 4.10: no RGB decoding
            cv2.cvtColor(rgb, cv2.COLOR_BGR2RGB, dst=rgb)
        decoded = time.perf_counter()
        return Analysed(frame_id, jpeg, rgb, None, width, height, {"decode": _ms(decoded - started)}, 0.0)

    def detect(self, frame: Analysed) -> Analysed:
        """Stage one of a frame: pose (worker thread; one frame at a time, in arrival order).

        VIDEO mode needs the frames of a stream in order on one estimator, so
        calls must not overlap; :meth:`render` of the previous frame and
        :meth:`decode` of the next may run meanwhile on other threads.
        """
        started = time.perf_counter()
        load = 0.0
        with self._lock:
            if self._closed:
                raise RuntimeError("LiveSession is closed")
            if self._estimator is None:
                try:
                    self._estimator = self._factory()
                except Exception as exc:
                    raise EstimatorUnavailable(str(exc)) from exc
                load = time.perf_counter() - started
            frame.pose = self._estimator.detect_video(frame.pixels, int(self._clock() * 1000.0))
            self.frames += 1
        posed = time.perf_counter()
        frame.timings["pose"] = _ms(posed - started - load)
        frame.busy = frame.timings["decode"] / 1000.0 + (posed - started - load)
        if load:
            frame.timings["load"] = _ms(load)  # the estimator was created for this (first) frame
        return frame

    def render(self, frame: Analysed, garment: Garment) -> LiveResult:
        """Stage two of a frame: fit, composite and encode (worker thread; needs no estimator).

        May run concurrently with :meth:`detect` of the next frame. Converts
        ``frame.pixels`` to BGR and draws on them in place.
        """
        began = time.perf_counter()
        pose = frame.pose
        bgr = cv2.cvtColor(frame.pixels, cv2.COLOR_RGB2BGR, dst=frame.pixels)  # in place
        frame.pixels = None  # drawn on below: no longer the decoded frame
        fitted = fit_and_composite(bgr, garment.overlay_bgra, garment.description, pose)
        rendered = time.perf_counter()

        if fitted.mesh is not None:
            ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self._limits.jpeg_quality])
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            out = buf.tobytes()
        else:
            out = frame.jpeg  # nothing drawn: the client's own frame goes back unchanged
        encoded = time.perf_counter()
        del bgr  # let the pixels go before the reply is sent

        landmarks = None
        if pose is not None:
            # 4 decimals are a tenth of a pixel at 1280 px; numpy rounds 33x4 values in a sixth of the time of round().
            landmarks = np.array(pose.landmarks, dtype=np.float64).round(4).tolist()
        timings = {
            "decode": frame.timings["decode"],
            "pose": frame.timings["pose"],
            "render": _ms(rendered - began),
            "encode": _ms(encoded - rendered),
            # Busy time of this frame: both stages, not the wait between them.
            "total": _ms(frame.busy + (encoded - began)),
        }
        if "load" in frame.timings:
            timings["load"] = frame.timings["load"]
        return LiveResult(
            frame_id=frame.frame_id,
            found=pose is not None,
            landmarks=landmarks,
            timings=timings,
            jpeg=out,
            width=frame.width,
            height=frame.height,
            extra={"fitted": fitted.mesh is not None},
        )

    def pose_only(self, frame: Analysed, garment: Garment) -> LiveResult:
        """Stage two in pose mode: the pose and whether the garment fits on it, nothing drawn.

        The phone draws the garment on its own video with the same geometry (its JavaScript
        twin), so no picture goes back: the reply is the ``result`` message alone.
        """
        began = time.perf_counter()
        pose = frame.pose
        frame.pixels = None
        landmarks = None
        fitted = False
        if pose is not None:
            landmarks = np.array(pose.landmarks, dtype=np.float64).round(4).tolist()
            fitted = fit_garment(landmarks, frame.width, frame.height, garment.description) is not None
        done = time.perf_counter()
        timings = {
            "decode": frame.timings["decode"], "pose": frame.timings["pose"], "render": _ms(done - began),
            "encode": 0.0, "total": _ms(frame.busy + (done - began)),
        }
        if "load" in frame.timings:
            timings["load"] = frame.timings["load"]
        return LiveResult(frame_id=frame.frame_id, found=pose is not None, landmarks=landmarks, timings=timings,
                          jpeg=b"", width=frame.width, height=frame.height, extra={"fitted": fitted})

    def warm(self) -> bool:
        """Create the estimator ahead of the first frame (worker thread); return whether it is ready.

        A failure is not raised here: the first frame reports it as :class:`EstimatorUnavailable`.
        """
        with self._lock:
            if self._closed:
                return False
            if self._estimator is None:
                try:
                    self._estimator = self._factory()
                except Exception:
                    return False
            return True

    def close(self) -> None:
        """Release the estimator (worker thread: it waits for a frame in progress); idempotent."""
        with self._lock:
            self._closed = True
            estimator, self._estimator = self._estimator, None
        if estimator is not None:
            estimator.close()
