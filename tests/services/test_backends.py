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
        "tests/integration/test_demo_store.py", "tests/integration/test_login_throttle.py",
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


def test_login_throttle_with_redis(redis_url):
    # The whole throttle file with the cache handler, except the test that ages database rows.
    out = _pytest({"REDIS_URL": redis_url}, "tests/integration/test_login_throttle.py", "-k", "not lockout_period")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "10 passed" in out.stdout


_LOGIN_ATTEMPTS = """
import sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
assert settings.AXES_HANDLER == "axes.handlers.cache.AxesCacheHandler", settings.AXES_HANDLER
if sys.argv[1] == "fail":
    get_user_model().objects.create_superuser("boss", "boss@example.org", "right-password-123")
codes = [
    Client().post("/admin/login/", {"username": "boss", "password": sys.argv[2]}, REMOTE_ADDR=f"192.0.2.{n}").status_code
    for n in range(int(sys.argv[3]))
]
print(" ".join(map(str, codes)))
"""


def test_login_lockout_holds_across_processes_with_redis(redis_url, tmp_path):
    # Two worker processes share only Redis and the database: failures counted by one lock the other.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "fittingroom.settings",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr

    def attempts(*args: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", _LOGIN_ATTEMPTS, *args], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.split()

    assert attempts("fail", "wrong", "10") == ["200"] * 10  # from ten addresses: the account's count
    assert attempts("again", "wrong", "1") == ["429"]
    assert attempts("again", "right-password-123", "1") == ["429"]
