"""The photo rate limit is a sliding window: no double burst across a bucket boundary."""

from __future__ import annotations

import pytest

from tryon import ratelimit


@pytest.fixture
def clock(monkeypatch):
    from django.core.cache import cache

    cache.clear()
    now = {"t": 6000.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    return now


def test_limit_within_one_window(clock):
    assert [ratelimit.hit("t", "a", "2/60") for _ in range(3)] == [True, True, False]
    assert ratelimit.hit("t", "b", "2/60")  # another client is counted apart


def test_no_double_burst_across_the_bucket_boundary(clock):
    clock["t"] = 6059.0  # the last second of a bucket
    assert [ratelimit.hit("t", "a", "2/60") for _ in range(2)] == [True, True]
    clock["t"] = 6061.0  # just after the boundary: the earlier requests still count
    assert ratelimit.hit("t", "a", "2/60") is False


def test_allowed_again_once_the_window_has_passed(clock):
    assert [ratelimit.hit("t", "a", "2/60") for _ in range(3)] == [True, True, False]
    clock["t"] += 125
    assert ratelimit.hit("t", "a", "2/60") is True
