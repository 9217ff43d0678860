"""Settings come from the environment: SQLite/in-memory by default, Postgres/Redis when named."""

from __future__ import annotations

import os
import subprocess
import sys

from tests import ROOT


def _settings(env: dict) -> str:
    code = (
        "import json, django.conf as c; from fittingroom import settings as s;"
        "print(json.dumps([s.DEBUG, s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND']]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_defaults_are_sqlite_and_in_memory_layer():
    out = _settings({})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '[true, "django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer"]'


def test_environment_selects_postgres_and_redis():
    out = _settings({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/shop", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert out.returncode == 0, out.stderr
    assert "postgresql" in out.stdout and "channels_redis.core.RedisChannelLayer" in out.stdout


def test_production_refuses_to_start_without_real_secret():
    out = _settings({"DJANGO_DEBUG": "0"})
    assert out.returncode != 0 and "DJANGO_SECRET_KEY must be set" in out.stderr
    out = _settings({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"})
    assert out.returncode != 0 and "too weak" in out.stderr
    out = _settings({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50})
    assert out.returncode == 0 and out.stdout.startswith("[false")
