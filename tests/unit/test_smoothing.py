"""Measure tryon.smoothing.LandmarkSmoother on synthetic landmark streams.

A still pose and a pose moving at constant speed, 30 fps, with Gaussian noise
of sigma 0.004 (normalised units, MediaPipe's typical frame-to-frame jitter)
on every x and y. Jitter is the standard deviation of the error against the
true pose; lag is how far, in frames, the output trails a moving pose.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tryon.smoothing import LandmarkSmoother  # noqa: E402

FPS = 30.0
SIGMA = 0.004
WARMUP = 30  # frames ignored while the filter settles


def base_pose(rng):
    return [[0.3 + 0.4 * rng.random(), 0.2 + 0.6 * rng.random(), 0.0, 0.9] for _ in range(33)]


def run(speed, seed=7, frames=300, smoother=None):
    """Return (input jitter, output jitter, mean lag in frames) for a pose moving at ``speed`` widths/s."""
    rng = random.Random(seed)
    pose = base_pose(rng)
    smoother = smoother or LandmarkSmoother()
    err_in, err_out, lag = [], [], []
    for f in range(frames):
        t_ms = f * 1000.0 / FPS
        shift = speed * f / FPS
        truth = [[x + shift, y, z, v] for x, y, z, v in pose]
        noisy = [[x + rng.gauss(0, SIGMA), y + rng.gauss(0, SIGMA), z, v] for x, y, z, v in truth]
        out = smoother.apply(noisy, t_ms)
        if f < WARMUP:
            continue
        for o, n, tr in zip(out, noisy, truth):
            err_in += [n[0] - tr[0], n[1] - tr[1]]
            err_out += [o[1] - tr[1]]
            if speed:
                lag.append((tr[0] - o[0]) / speed * FPS)
            else:
                err_out.append(o[0] - tr[0])
    std = lambda e: math.sqrt(sum(v * v for v in e) / len(e))  # noqa: E731
    return std(err_in), std(err_out), (sum(lag) / len(lag) if lag else 0.0)


def test_still_pose_jitter_is_reduced_at_least_three_times():
    jitter_in, jitter_out, _ = run(0.0)
    assert jitter_in == pytest.approx(SIGMA, rel=0.05)
    assert jitter_in / jitter_out >= 3.0, f"reduced only {jitter_in / jitter_out:.2f}x"


@pytest.mark.parametrize("speed, max_lag", [(0.3, 2.0), (1.0, 1.0)])
def test_moving_pose_lags_less_than_two_frames(speed, max_lag):
    _, jitter_out, lag = run(speed)
    assert 0.0 < lag < max_lag, f"lag {lag:.2f} frames at {speed} widths/s"
    # Across the motion (y) the noise is still smoothed.
    assert jitter_out < SIGMA


def test_paper_default_cutoff_would_not_be_enough():
    """min_cutoff=1 Hz (the paper's default) leaves visible shiver: the chosen floor is needed."""
    jitter_in, jitter_out, _ = run(0.0, smoother=LandmarkSmoother(min_cutoff=1.0))
    assert jitter_in / jitter_out < 3.0


def test_gap_resets_and_passes_visibility_through():
    smoother = LandmarkSmoother()
    a = [[0.5, 0.5, 0.1, 0.9]] * 33
    b = [[0.6, 0.4, -0.2, 0.3]] * 33
    assert smoother.apply(a, 0) == a
    moved = smoother.apply(b, 33.3)
    assert 0.5 < moved[0][0] < 0.6 and moved[0][2:] == [-0.2, 0.3]
    assert smoother.apply(b, 33.3) == moved, "same timestamp: same output"
    assert smoother.apply(b, 700) == b, "after a gap over 500 ms the filter restarts"
    assert smoother.apply(a, 600) == a, "a timestamp going backwards restarts"
    assert smoother.apply(a[:10], 633) == a[:10], "a different landmark count restarts"
    assert a[0] == [0.5, 0.5, 0.1, 0.9], "input untouched"
