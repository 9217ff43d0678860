"""``GET /healthz``: one worker process's health, answered before Django (no database, no middleware).

JSON: ``{"status": "ok" | "degraded", "pid", "live_connections", "redis": "ok" | "down" | "off",
"live_total"}`` — ``live_connections`` are this process's live try-on streams, ``live_total``
every worker's (Redis's count; this process's without Redis). ``degraded`` (still HTTP 200: the
process serves pages) when Redis does not answer: new live try-ons are refused meanwhile.
tools/serve_prod.py polls each worker's own port for its status lines.
"""

from __future__ import annotations

import json
import os

PATH = "/healthz"


class HealthCheck:
    """ASGI middleware: answer ``GET /healthz`` itself, hand everything else to ``app``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        body = json.dumps(await health()).encode()
        await send({
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                        (b"content-length", str(len(body)).encode())],
        })
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})


async def health() -> dict:
    """Return this process's health (see the module docstring)."""
    from tryon import consumers
    from tryon.slots import RedisSlots

    ledger = consumers.slots()
    status = {"status": "ok", "pid": os.getpid(),
              "live_connections": sum(consumers.live_connections().values())}
    if isinstance(ledger, RedisSlots):
        try:
            status["live_total"] = await ledger.total()
            status["redis"] = "ok"
        except Exception:  # any failure to answer is "down"; the consumer logs the details
            status["redis"], status["status"], status["live_total"] = "down", "degraded", None
    else:
        status["redis"], status["live_total"] = "off", await ledger.total()
    return status
