"""A fixed-window rate limit per client on Django's cache (Redis when configured)."""

from __future__ import annotations

import time

from django.core.cache import cache


def parse_rate(rate: str) -> tuple[int, int]:
    """Return ``(requests, seconds)`` from a ``"20/60"`` style rate."""
    count, seconds = rate.split("/")
    return int(count), int(seconds)


def client_key(request) -> str:
    """Return the client identity used for limits: the peer address.

    Behind a reverse proxy, configure the proxy to set REMOTE_ADDR (e.g. via
    the ASGI server's proxy-headers support) rather than trusting headers here.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one request for ``key`` in ``scope``; return False when over the limit."""
    limit, window = parse_rate(rate)
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return True
    return count <= limit
