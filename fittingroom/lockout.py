"""The page a store admin sees when failed logins have locked the login (django-axes)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render

from tryon.ratelimit import client_key


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
        "address": client_key(request),
    }
    return render(request, "admin/locked_out.html", context, status=429)
