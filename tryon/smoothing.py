"""Smooth streams of pose landmarks with a One Euro filter.

MediaPipe's PoseLandmarker (0.10+) no longer smooths its landmarks: a shopper
standing still sees the garment shiver. A One Euro filter (Casiez, Roussel and
Vogel, CHI 2012) is a low-pass filter whose cutoff rises with speed: heavy
smoothing while still, little lag while moving.

Per coordinate, with ``dt`` the time since the previous frame in seconds::

    alpha(fc)   = 1 / (1 + tau / dt),  tau = 1 / (2 pi fc)
    dx          = (x - x_hat_prev) / dt
    dx_hat      = dx_hat_prev + alpha(d_cutoff) * (dx - dx_hat_prev)
    fc          = min_cutoff + beta * |dx_hat|
    x_hat       = x_hat_prev + alpha(fc) * (x - x_hat_prev)

Coordinates are MediaPipe's normalised ``x`` and ``y`` (speeds in frame
widths / heights per second); ``z`` and visibility pass through unfiltered.

Parameters (measured by ``tests/unit/test_smoothing.py`` on a synthetic pose at
30 fps with Gaussian noise of sigma 0.004 on x and y, MediaPipe's typical
jitter):

* ``min_cutoff = 0.1`` Hz: a still shopper's landmarks are averaged over about
  1.6 s; jitter drops from 0.0040 to about 0.0010 (4.1-4.4x over five noise
  seeds). A higher floor lets the garment shiver: 1 Hz, the paper's default,
  reaches only 2.8x.
* ``beta = 8`` per (frame width / s): the cutoff rises with speed, so at a
  walking-pace 0.3 frame widths per second the garment trails the body by
  1.0 frame (1.9 frames at 0.1 /s, where that is under 0.7 % of the frame;
  0.4 frames at 1 /s).
* ``d_cutoff = 0.7`` Hz: smooths the speed estimate enough that noise alone
  barely raises the cutoff, yet a shopper who starts moving is caught up
  within 2-3 frames.

A gap of more than ``reset_gap_ms`` (500 ms: a dropped camera or a hidden
tab) restarts the filter, as stale state would drag the garment across the
frame. A frame with the same timestamp as the previous one returns the
previous output; a timestamp going backwards restarts the filter.

``static/tryon/js/smoothing.js`` is the JavaScript twin (same operations, same
vectors in ``tests/vectors/smoothing``).
"""

from __future__ import annotations

import math

MIN_CUTOFF = 0.1
BETA = 8.0
D_CUTOFF = 0.7
RESET_GAP_MS = 500.0


def _alpha(cutoff, dt):
    """Return the smoothing factor of a first-order low-pass at ``cutoff`` Hz for step ``dt`` s."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class LandmarkSmoother:
    """Filter each landmark's ``x`` and ``y`` with a One Euro filter.

    Use one smoother per video stream (per person). ``apply`` returns a new
    list of ``[x, y, z, visibility]``; the input is not modified.
    """

    def __init__(self, min_cutoff=MIN_CUTOFF, beta=BETA, d_cutoff=D_CUTOFF, reset_gap_ms=RESET_GAP_MS):
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.reset_gap_ms = float(reset_gap_ms)
        if not (self.min_cutoff > 0 and self.d_cutoff > 0 and self.beta >= 0):
            raise ValueError("cutoffs must be positive and beta not negative")
        self.reset()

    def reset(self):
        """Forget the stream: the next frame is passed through and starts a new one."""
        self._t = None
        self._x = []
        self._dx = []
        self._out = None

    def apply(self, landmarks, timestamp_ms):
        """Return ``landmarks`` smoothed, given the frame's capture time in milliseconds."""
        t = float(timestamp_ms)
        n = len(landmarks)
        if self._t is not None and (t < self._t or t - self._t > self.reset_gap_ms or n * 2 != len(self._x)):
            self.reset()
        if self._t is None:
            self._t = t
            self._x = []
            self._dx = []
            for lm in landmarks:
                self._x.append(float(lm[0]))
                self._x.append(float(lm[1]))
                self._dx.append(0.0)
                self._dx.append(0.0)
            self._out = self._emit(landmarks)
            return self._copy(self._out)
        if t == self._t:
            return self._copy(self._out)
        dt = (t - self._t) / 1000.0
        self._t = t
        a_d = _alpha(self.d_cutoff, dt)
        for i in range(n):
            for j in range(2):
                k = 2 * i + j
                x = float(landmarks[i][j])
                prev = self._x[k]
                dx = (x - prev) / dt
                edx = self._dx[k] + a_d * (dx - self._dx[k])
                cutoff = self.min_cutoff + self.beta * abs(edx)
                self._dx[k] = edx
                self._x[k] = prev + _alpha(cutoff, dt) * (x - prev)
        self._out = self._emit(landmarks)
        return self._copy(self._out)

    def _emit(self, landmarks):
        out = []
        for i, lm in enumerate(landmarks):
            z = float(lm[2]) if len(lm) > 2 else 0.0
            vis = float(lm[3]) if len(lm) > 3 else 1.0
            out.append([self._x[2 * i], self._x[2 * i + 1], z, vis])
        return out

    @staticmethod
    def _copy(rows):
        return [list(r) for r in rows]
