"""static/tryon/js/garments.js must match tryon/garments.py (it is generated)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_generated_garments_js_is_up_to_date():
    spec = importlib.util.spec_from_file_location("export_garments_js", REPO / "tools" / "export_garments_js.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.TARGET.read_text() == tool.render(), (
        "static/tryon/js/garments.js is stale: run .venv/bin/python tools/export_garments_js.py"
    )
