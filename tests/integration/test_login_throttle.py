"""Failed admin logins are throttled by django-axes, per account and per client address.

Ten wrong passwords in a row are answered as usual; the eleventh within the lock-out period gets
the lock-out page (429), and so does the right password, until the period has passed since the
last failure or a store admin runs the unlock command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests import ROOT

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
RIGHT = "right-password-123"


@pytest.fixture(autouse=True)
def _fast_hashing_and_no_old_counts(settings):
    # Each attempt checks a password; PBKDF2's production cost would make this file take a minute.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # with REDIS_URL (tests/services) the counts live in Redis, shared by every test


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", RIGHT)


def _login(client, password: str, username: str = "boss", address: str = "198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, times: int, **kwargs):
    for attempt in range(1, times + 1):
        response = _login(client, "wrong", **kwargs)
        assert response.status_code == 200, f"attempt {attempt}: {response.status_code}"
        assert b"Please enter the correct username and password" in response.content


def _assert_locked(response):
    assert response.status_code == 429
    body = response.content.decode()
    assert "Login locked" in body and "15 minutes" in body and "axes_reset_username" in body
    assert "_auth_user_id" not in response.client.session


def test_defaults_are_ten_failures_and_fifteen_minutes():
    assert settings.LOGIN_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_eleventh_wrong_password_is_refused_and_then_the_right_one_too(client, boss):
    _fail(client, 10)
    _assert_locked(_login(client, "wrong"))
    _assert_locked(_login(client, RIGHT))
    # The lock is on the account, whatever address the next attempt comes from.
    _assert_locked(_login(client, RIGHT, address="192.0.2.200"))


def test_ten_failures_then_the_right_password_logs_in_and_resets_the_count(client, boss):
    _fail(client, 10)
    response = _login(client, RIGHT)
    assert response.status_code == 302 and response.url == "/admin/"
    client.logout()
    _fail(client, 10)  # counting starts again after a success


def test_lock_ends_after_the_lockout_period(client, boss):
    # Database handler (no REDIS_URL): the period runs from the last failure's recorded time.
    from axes.models import AccessAttempt

    _fail(client, 10)
    _assert_locked(_login(client, "wrong"))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    _assert_locked(_login(client, RIGHT))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = _login(client, RIGHT)
    assert response.status_code == 302 and response.url == "/admin/"


def test_unlock_commands_shown_on_the_page_let_the_admin_in_at_once(client, boss, capsys):
    _fail(client, 10)
    page = _login(client, "wrong")
    _assert_locked(page)
    body = page.content.decode()
    # The page names the account and the address as the server saw them, ready to run.
    assert "manage.py axes_reset_username boss" in body and "manage.py axes_reset_ip 198.51.100.7" in body
    call_command("axes_reset_username", "boss")
    call_command("axes_reset_ip", "198.51.100.7")
    assert "attempts removed" in capsys.readouterr().out
    response = _login(client, RIGHT)
    assert response.status_code == 302 and response.url == "/admin/"


def test_one_address_trying_many_accounts_is_locked_too(client, boss, django_user_model):
    for n in range(11):
        django_user_model.objects.create_superuser(f"staff{n}", f"s{n}@example.org", RIGHT)
    for n in range(10):
        _fail(client, 1, username=f"staff{n}")
    _assert_locked(_login(client, "wrong", username="staff10"))
    # From this address even the right password of an untouched account is refused ...
    _assert_locked(_login(client, RIGHT, username="boss"))
    # ... while the same account logs in from another address, and the address can be unlocked.
    response = _login(client, RIGHT, username="boss", address="192.0.2.201")
    assert response.status_code == 302
    client.logout()
    call_command("axes_reset_ip", "198.51.100.7")
    assert _login(client, RIGHT, username="boss").status_code == 302


@pytest.mark.parametrize("address", ["", "unknown", "not-an-ip, 10.0.0.1"])
def test_a_peer_without_a_usable_address_is_still_counted_per_account(client, boss, address):
    # A Unix-socket peer has no REMOTE_ADDR; axes keeps addresses in an IP column, which on
    # PostgreSQL refuses anything that is not one. The login must neither crash nor go uncounted.
    from axes.models import AccessAttempt

    _fail(client, 10, address=address)
    _assert_locked(_login(client, "wrong", address=address))
    page = _login(client, RIGHT, address=address)
    _assert_locked(page)
    assert "axes_reset_ip" not in page.content.decode()  # no address to name
    if settings.AXES_HANDLER.endswith("AxesDatabaseHandler"):
        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [None]


def test_an_ipv6_peer_is_named_in_its_canonical_form(client, boss):
    _fail(client, 10, address="2001:DB8:0:0::1")
    page = _login(client, "wrong", address="2001:DB8:0:0::1")
    _assert_locked(page)
    assert "manage.py axes_reset_ip 2001:db8::1" in page.content.decode()


def test_the_limit_and_period_come_from_the_environment():
    code = "from fittingroom import settings as s; print(s.LOGIN_FAILURE_LIMIT, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    env = {**os.environ, "DJANGO_LOGIN_FAILURE_LIMIT": "3", "DJANGO_LOGIN_LOCKOUT_MINUTES": "60"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "4", "1:00:00"]
