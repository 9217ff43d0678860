"""Compare a result with a shared test vector's expected value: same structure, floats to 1e-9."""

from __future__ import annotations

import pytest


def assert_close(got, expected, path: str = "") -> None:
    """Assert ``got`` equals ``expected`` key by key and item by item, floats within 1e-9."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected), path
        for key in expected:
            assert_close(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, (list, tuple)) and len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, abs=1e-9), path
    else:
        assert got == expected, path
