"""A live try-on WebSocket client that behaves like static/tryon/js/server-client.js.

It streams one JPEG over and over on the server's ``next`` (pose mode), and when the connection
drops for a reason the JS client retries (a worker killed: 1006; 4503) it reconnects with the
same backoff, re-sends ``start`` and carries on. It records every outage: when the drop was seen,
when ``ready`` came back and when the first result after it arrived. Used by
tests/services/test_workers.py and ``bench/server.py --workers``.
"""

from __future__ import annotations

import asyncio
import json
import random
import struct
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

HEADER = struct.Struct(">I")
# The same as server-client.js: RETRY_CODES and RECONNECT.
RETRY_CODES = frozenset({1001, 1005, 1006, 1011, 1012, 1013, 1014, 4503})
BASE_S, MAX_S, GIVE_UP_S = 0.1, 2.0, 30.0


class Refused(Exception):
    """The connection closed (or was refused) with a close code and, if one came, a typed error."""

    def __init__(self, code: int | None, error: dict | None = None) -> None:
        super().__init__(f"closed: {code} {error}")
        self.code = code
        self.error = error


class Socket:
    """One WebSocket whose messages are read with ``await recv()`` (JSON decoded, binary as bytes)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.bytes_in = 0
        self.close_code: int | None = None
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                self.bytes_in += len(message)
                self.inbox.put_nowait(message if isinstance(message, bytes) else json.loads(message))
        except ConnectionClosed:
            pass
        self.close_code = self.ws.close_code or 1006  # 1006: closed without a close frame
        self.inbox.put_nowait(Refused(self.close_code))

    async def send(self, data) -> None:
        try:
            await self.ws.send(data)
        except ConnectionClosed:
            pass  # the reader reports the close

    async def send_json(self, message: dict) -> None:
        await self.send(json.dumps(message))

    async def recv(self, timeout: float = 30.0):
        item = await asyncio.wait_for(self.inbox.get(), timeout)
        if isinstance(item, Exception):
            raise item
        return item

    async def close(self, code: int = 1000) -> None:
        await self.ws.close(code)
        await asyncio.gather(self.reader, return_exceptions=True)


async def open_socket(port: int, *, headers: dict | None = None, host: str = "127.0.0.1") -> Socket:
    """Open a WebSocket to ``/ws/tryon/`` on ``port`` (the proxy, or a worker directly).

    Raise :class:`Refused` (1006) when no connection can be made or the handshake fails.
    """
    try:
        ws = await connect(f"ws://{host}:{port}/ws/tryon/", origin=f"http://{host}:{port}",
                           additional_headers=headers or {}, max_size=None, compression=None,
                           ping_interval=None, open_timeout=10, close_timeout=2)
    except (OSError, InvalidHandshake, InvalidStatus, asyncio.TimeoutError) as exc:
        raise Refused(1006) from exc
    return Socket(ws)


async def start(sock: Socket, slug: str, mode: str = "pose", timeout: float = 10.0) -> dict:
    """Say ``start``; return ``ready``, or raise :class:`Refused` with the typed error that came instead."""
    await sock.send_json({"type": "start", "garment": slug, "width": 640, "height": 480, "mode": mode})
    error = None
    while True:
        try:
            message = await sock.recv(timeout)
        except Refused as exc:
            raise Refused(exc.code, error) from None
        if isinstance(message, dict) and message.get("type") == "ready":
            return message
        if isinstance(message, dict) and message.get("type") == "error":
            error = message


@dataclass
class Outage:
    dropped_at: float  # time.monotonic() when the client saw the close
    code: int
    attempts: int = 0
    codes: list = field(default_factory=list)  # the close code of each failed attempt
    ready_at: float | None = None
    first_result_at: float | None = None


@dataclass
class ReconnectingStream:
    """Stream ``jpeg`` to the live try-on through ``port``, reconnecting like the JS client."""

    port: int
    slug: str
    jpeg: bytes
    mode: str = "pose"
    results: int = 0
    result_times: list[float] = field(default_factory=list)
    outages: list[Outage] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    failed: Exception | None = None
    failed_at: float | None = None  # time.monotonic() when it failed
    failed_while: str = ""  # what it waited for then: "ready" or "result"
    bytes_down: int = 0
    until: float = float("inf")

    def stop(self) -> None:
        """End the stream after the next result (it closes with 1000)."""
        self.until = time.monotonic()

    async def run(self, until: float | None = None) -> None:
        """Stream until ``time.monotonic()`` reaches ``until`` or :meth:`stop` (reconnecting as needed)."""
        if until is not None:
            self.until = until
        outage: Outage | None = None
        while time.monotonic() < self.until:
            sock = None
            waiting = "ready"
            try:
                sock = await open_socket(self.port)
                ready = await start(sock, self.slug, self.mode)
                if outage is not None:
                    outage.ready_at = time.monotonic()
                waiting = "result"
                await self._stream(sock, outage, 1.0 / float(ready.get("limits", {}).get("max_fps") or 1e9))
                await sock.close(1000)
                return
            except Refused as exc:
                code = exc.code or 1006
                if exc.error:
                    self.errors.append(exc.error)
            except (asyncio.TimeoutError, ConnectionError) as exc:
                self.failed, self.failed_at, self.failed_while = exc, time.monotonic(), waiting
                return
            finally:
                if sock is not None:
                    self.bytes_down += sock.bytes_in
                    if sock.close_code is None and time.monotonic() >= self.until:
                        await sock.close(1000)
            if code not in RETRY_CODES:
                self.failed = Refused(code)
                return
            now = time.monotonic()
            if outage is None or outage.first_result_at is not None:
                outage = Outage(dropped_at=now, code=code)
                self.outages.append(outage)
            if now - outage.dropped_at > GIVE_UP_S:
                self.failed = Refused(code)
                return
            outage.codes.append(int(code))
            delay = 0.0 if outage.attempts == 0 else min(MAX_S, BASE_S * 2 ** (outage.attempts - 1))
            outage.attempts += 1
            await asyncio.sleep(delay * random.uniform(0.75, 1.25))

    async def _stream(self, sock: Socket, outage: Outage | None, min_interval: float) -> None:
        frame_id = 0
        sent_at = 0.0

        async def send() -> None:
            # Like server-client.js, keep to the server's rate limit (a frame over it gets no reply).
            nonlocal frame_id, sent_at
            wait = sent_at + min_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            frame_id += 1
            sent_at = time.monotonic()
            await sock.send(HEADER.pack(frame_id) + self.jpeg)

        await send()
        while True:
            message = await sock.recv(5.0)  # a frame stuck for 5 s fails the stream
            if not isinstance(message, dict):
                continue
            kind = message.get("type")
            if kind == "next" and message["frame"] == frame_id and time.monotonic() < self.until:
                await send()
            elif kind == "result":
                now = time.monotonic()
                self.results += 1
                self.result_times.append(now)
                if outage is not None and outage.first_result_at is None:
                    outage.first_result_at = now
                if now >= self.until:
                    return
                if message["frame"] == frame_id:
                    await send()  # no "next" came for it (e.g. the first frame): send on the result
            elif kind == "warning":
                self.warnings.append(message)
            elif kind == "error":
                self.errors.append(message)
                if message.get("frame") is not None:
                    await send()
