"""Settings come from the environment: SQLite/in-memory by default, Postgres/Redis when named."""

from __future__ import annotations

import json
import os
import secrets
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
    out = _settings({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50})  # long, but one character
    assert out.returncode != 0 and "too weak" in out.stderr
    out = _settings({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(24)})  # 32 characters
    assert out.returncode != 0 and "at least 50" in out.stderr
    out = _settings({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)})
    assert out.returncode == 0 and out.stdout.startswith("[false")


def _security(env: dict) -> dict:
    code = (
        "import json; from fittingroom import settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD',"
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER')}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(48), "DJANGO_ALLOWED_HOSTS": "shop.example"}


def test_production_is_https_only_by_default_and_each_part_is_switchable():
    assert _security(PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31_536_000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    relaxed = _security({
        **PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_HSTS_SECONDS": "3600",
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "0", "DJANGO_SECURE_HSTS_PRELOAD": "0", "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
    })
    assert relaxed == {
        "SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 3600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False, "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_local_defaults_stay_plain_http():
    local = _security({})
    assert local["SECURE_SSL_REDIRECT"] is False and local["SECURE_HSTS_SECONDS"] == 0
    assert local["SESSION_COOKIE_SECURE"] is False


def test_bad_security_values_are_refused_with_a_clear_message():
    out = _settings({**PRODUCTION, "DJANGO_SECURE_HSTS_SECONDS": "a year"})
    assert out.returncode != 0 and "DJANGO_SECURE_HSTS_SECONDS must be a whole number" in out.stderr
    out = _settings({**PRODUCTION, "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"})
    assert out.returncode != 0 and "Header-Name: value" in out.stderr


def test_deploy_check_is_clean_in_the_documented_production_layout():
    """The README's production environment: behind a TLS proxy, PostgreSQL, Redis."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env = {
        **clean, **PRODUCTION,
        "DATABASE_URL": "postgres://shop:secret@127.0.0.1:5432/shop",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
    }
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout
    assert "WARNINGS" not in out.stdout + out.stderr


def test_deploy_check_names_what_an_operator_switched_off():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env = {**clean, **PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_HSTS_SECONDS": "0"}
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "security.W004" in out.stderr and "security.W008" in out.stderr
