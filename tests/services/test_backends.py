"""The same code on PostgreSQL and Redis, selected by the environment alone.

Each test runs part of the suite in a subprocess whose environment names a real server,
so settings are built exactly as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import ROOT

pytestmark = pytest.mark.services


def _pytest(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=600,
    )


def test_catalog_admin_and_photo_tryon_on_postgresql(postgres_url):
    out = _pytest(
        {"DATABASE_URL": postgres_url},
        "tests/integration/test_storefront.py", "tests/integration/test_admin.py",
        "tests/integration/test_overlay_validation.py", "tests/integration/test_photo_tryon.py",
        "tests/integration/test_demo_store.py",
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout


def test_settings_pick_postgresql_and_redis(postgres_url, redis_url):
    code = (
        "import django; django.setup(); from django.db import connection; from django.conf import settings;"
        "from channels.layers import get_channel_layer; print(connection.vendor, type(get_channel_layer()).__name__,"
        " settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    )
    env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "fittingroom.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["postgresql", "RedisChannelLayer", "RedisCache"]


def test_redis_channel_layer_round_trip(redis_url):
    code = (
        "import asyncio, django; django.setup(); from channels.layers import get_channel_layer\n"
        "async def main():\n"
        "    layer = get_channel_layer(); name = await layer.new_channel()\n"
        "    await layer.send(name, {'type': 'frame.done', 'n': 7}); print((await layer.receive(name))['n'])\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "fittingroom.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "7"


def test_live_socket_and_rate_limits_with_redis(redis_url):
    out = _pytest({"REDIS_URL": redis_url}, "tests/integration/test_live_socket.py", "tests/integration/test_photo_tryon.py")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout
