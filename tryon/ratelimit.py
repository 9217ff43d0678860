"""A sliding-window rate limit per client on Django's cache (Redis when configured).

The window is approximated from two fixed buckets, the previous one weighted by how much of
it still lies inside the window: no burst of twice the limit across a bucket boundary.
"""

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
    now = time.time()
    bucket = int(now // window)
    current_key = f"rl:{scope}:{key}:{bucket}"
    if cache.add(current_key, 1, timeout=2 * window + 1):
        current = 1
    else:
        try:
            current = cache.incr(current_key)
        except ValueError:  # expired between add and incr
            cache.add(current_key, 1, timeout=2 * window + 1)
            current = 1
    previous = cache.get(f"rl:{scope}:{key}:{bucket - 1}", 0)
    still_in_window = 1.0 - (now / window - bucket)
    return previous * still_in_window + current <= limit
