"""The page a store admin sees when failed logins have locked the login (django-axes)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def login_client_address(request) -> str | None:
    """Return the client address django-axes counts failures under: the peer's IP, or None.

    Axes stores it in an IP column (PostgreSQL's ``inet`` refuses anything else), so a request
    without a usable REMOTE_ADDR (a Unix-socket peer, Django's test client ``login``) is counted
    under "no address" rather than failing the login with a database error.
    """
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def login_locked_out(request, original_response=None, credentials=None):
    """Render the admin-styled lock-out page, status 429, with the commands that unlock it.

    Failures are counted per account and per address (with Redis as two separate counts), so the
    page names both: the username typed and the address the server saw, which the admin who runs
    the commands needs. Both are the visitor's own input or address; nothing else is revealed.
    """
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    username = (credentials or {}).get("username") or request.POST.get("username") or "USERNAME"
    context = {
        **admin.site.each_context(request),
        "title": "Login locked",
        "failure_limit": settings.LOGIN_FAILURE_LIMIT,
        "minutes": minutes,
        "username": username[:150],
        "address": login_client_address(request),
    }
    return render(request, "admin/locked_out.html", context, status=429)
