"""Server-rendered live try-on over a WebSocket, for phones that cannot run the pose model.

Endpoint: ``ws(s)://<host>/ws/tryon/``. The Origin header must name one of
``ALLOWED_HOSTS`` (``AllowedHostsOriginValidator`` in :mod:`fittingroom.asgi`);
other origins are refused during the handshake (HTTP 403). Anonymous shoppers
are welcome; every limit below applies to them.

Protocol
========

Client → server
---------------
* Text ``{"type": "start", "garment": "<product slug>", "width": W, "height": H,
  "mode": "render" | "pose"}`` — choose the garment and announce the frame size
  (1..``LIVE_MAX_FRAME_WIDTH`` by 1..``LIVE_MAX_FRAME_HEIGHT``). ``mode``
  (default ``"render"``): ``"render"`` sends each composited frame back,
  ``"pose"`` only the ``result`` message (the phone draws the garment itself
  from its landmarks); the first ``start`` fixes it for the connection. The server answers
  ``{"type": "ready", "garment": slug, "mode": mode, "limits": {"max_bytes", "max_width",
  "max_height", "max_fps", "idle_timeout"}}`` and starts loading the pose
  model (the first result can take up to about a second longer; its timings
  then include ``load``). A later ``start`` only changes the garment.
* Text ``{"type": "garment", "garment": "<slug>"}`` — switch the garment; the
  server answers ``{"type": "garment", "garment": slug}``. It applies from the
  next frame processed.
* Binary frame — 4 bytes big-endian uint32 frame id (any value the client
  likes, e.g. ``performance.now() & 0xffffffff``), then one complete JPEG
  (baseline or progressive, e.g. ``canvas.toBlob(cb, "image/jpeg", 0.7)``).
  The whole message may be at most ``LIVE_MAX_MESSAGE_BYTES`` (default 512 KiB).

Server → client, per processed frame
------------------------------------
0. Text ``{"type": "next", "frame": id}``: send the next frame now. It is
   said when the frame's pose ends, or a moment before (the server learns how
   long a pose and a client's reply take, and times ``next`` so that the next
   frame arrives as the model frees up). It comes before this frame's result
   (which still has to be drawn and encoded), so a client that sends on
   ``next`` keeps the model busy without frames queueing. It is never said
   before the rate limit (``max_fps``) would accept the next frame, so then it
   may come after the result; a client that also sends on a result must keep
   to ``max_fps`` itself (server-client.js does).

Then, in frame order and back to back:

1. Text ``{"type": "result", "frame": id, "found": bool, "fitted": bool,
   "landmarks": [[x, y, z, visibility] x 33] | null, "width": W, "height": H,
   "dropped": n, "timings": {"decode", "pose", "render", "encode", "total", "wait"}}``
   — landmarks normalised to the frame (0..1), timings in ms (``wait`` is
   the time from the frame's arrival to the start of its processing),
   ``dropped`` counts this connection's frames never processed so far.
2. In ``render`` mode only — binary: the same 4-byte frame id, then the
   composited JPEG (the frame size of the input). When no garment could be
   drawn (``fitted`` false) the client's own JPEG comes back unchanged. In
   ``pose`` mode nothing follows the ``result`` (whose ``timings.render`` is
   then the fit alone and ``encode`` 0).

Pacing: per connection at most one frame is in the pose model and one is
being drawn and encoded (the previous one) at a time. A frame that arrives
while the model is busy waits as the single pending frame (already being
decoded); a newer one replaces it (latest frame wins) and the older one is
dropped without a reply. (In pose mode one job in the pool takes a busy
connection's frames through the model back to back and nothing is drawn.)
Send the next frame on ``next`` (or, simplest, when the previous ``result``
arrives; that leaves the model idle while a frame is drawn and travels).
Messages (frames and text) beyond
``LIVE_MAX_FPS`` per second (a token bucket, bursts up to the same number)
are dropped too, without a reply, after one
``{"type": "warning", "code": "rate_limited"}`` per connection; so a client
must not rely on every frame getting a result (re-send after ~1 s of silence).

Errors: ``{"type": "error", "code": ..., "message": ...}`` (plus ``"frame": id``
when the error is about a frame whose id could be read). The connection
stays open after every error except those followed by a close below.

==========================  =================================================
code                        meaning
==========================  =================================================
``bad_message``             a text message that is not a JSON object with a
                            ``type`` (or frames sent as text)
``unknown_type``            a JSON message of an unknown ``type``
``bad_start``               ``start``/``garment`` fields missing or invalid
``unknown_garment``         no active product with a try-on overlay has the slug
``not_started``             a frame before a successful ``start``
``bad_header``              a binary message too short for id + JPEG
``bad_image``               not a JPEG, cut off, or undecodable
``too_large``               message over the byte limit or frame over the
                            pixel limit (a message over 1 MiB makes Daphne
                            itself drop the connection: close code 1009/1006)
``server_error``            the server failed on this frame; send another
==========================  =================================================

Close codes (each preceded by an error message with the code named):

* ``4008`` ``idle_timeout`` — no frame for ``LIVE_IDLE_TIMEOUT`` seconds.
* ``4029`` ``too_many_connections`` — this client (IP address) already has
  ``LIVE_MAX_CONNECTIONS_PER_CLIENT`` live connections.
* ``4503`` ``server_busy`` — the server has ``LIVE_MAX_CONNECTIONS`` live
  connections; or ``unavailable`` — the pose model cannot be loaded, or the
  connection limits cannot be checked (Redis unreachable). Retry later (with
  backoff: static/tryon/js/server-client.js does), or fall back to the photo try-on.

Connection counts: with ``REDIS_URL`` set they live in Redis and hold across
every worker process (:mod:`tryon.slots`; a dead worker's slots expire after
``LIVE_SLOT_TTL`` seconds); without it they are this process's. Behind a
reverse proxy run Daphne with ``--proxy-headers`` so the client address is the
shopper's, not the proxy's (tools/serve_prod.py does).

Nothing is stored: frames stay in memory for one processing step; no file is
written and no row is saved. All CPU work (decode, pose, composite, encode)
runs on a bounded thread pool (two threads per CPU), never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from tryon.live import (
    EstimatorUnavailable,
    FrameRejected,
    Garment,
    LiveLimits,
    LiveSession,
    check_jpeg,
    split_frame,
)
from tryon.slots import BUSY, TOO_MANY, LocalSlots, RedisSlots, SlotsUnavailable

logger = logging.getLogger(__name__)

CLOSE_IDLE = 4008
CLOSE_TOO_MANY_CONNECTIONS = 4029
CLOSE_BUSY = 4503

MAX_TEXT_BYTES = 4096
# "next" is said this long before a frame's pose is expected to end: the
# measured reply time (next said -> next frame in) times a factor, plus a
# margin (see _pump). Measured with bench/server.py: 1.5 and 3 ms.
NEXT_LEAD_FACTOR = 1.5
NEXT_MARGIN_S = 0.003
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")

DEFAULTS = {
    "LIVE_MAX_MESSAGE_BYTES": 512 * 1024,
    "LIVE_MAX_FRAME_WIDTH": 1280,
    "LIVE_MAX_FRAME_HEIGHT": 1280,
    "LIVE_MAX_CONNECTIONS_PER_CLIENT": 2,
    "LIVE_MAX_CONNECTIONS": 16,
    "LIVE_IDLE_TIMEOUT": 30.0,
    "LIVE_MAX_FPS": 30,
    "LIVE_JPEG_QUALITY": 80,
    "LIVE_POSE_MODEL": "lite",
    "LIVE_SLOT_TTL": 10.0,
}

# One pool per process for every connection's CPU work. Each connection has at
# most three jobs in it (the pending frame's decode, one pose, one drawing), so
# its queue is bounded by three times LIVE_MAX_CONNECTIONS.
_executor: ThreadPoolExecutor | None = None
# Threads per CPU. Every job needs the GIL now and then (a pose hands its result
# back through Python), so with one thread per CPU a core idles whenever its job
# waits for the GIL. bench/server.py, four clients on 2 CPUs, two A/B pairs:
# 74.3 and 80.3 frames/s with 2 per CPU against 65.1 and 67.5 with 1 (1.85
# instead of 1.69 cores busy); one client unchanged; 3 per CPU was no better.
THREADS_PER_CPU = 2

# Live connection slots: in this process, or in Redis when REDIS_URL is set (tryon/slots.py).
_local_slots = LocalSlots()
_redis_slots: dict[tuple[str, float], RedisSlots] = {}


def slots() -> LocalSlots:
    """Return the connection ledger: Redis's when ``REDIS_URL`` is set, else this process's."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return _local_slots
    key = (url, float(_config()["LIVE_SLOT_TTL"]))
    if key not in _redis_slots:
        _redis_slots[key] = RedisSlots(url, ttl=key[1])
    return _redis_slots[key]


def executor() -> ThreadPoolExecutor:
    """Return the process's live try-on thread pool (created on first use)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=THREADS_PER_CPU * max(1, os.cpu_count() or 1), thread_name_prefix="tryon-live"
        )
    return _executor


def live_connections() -> dict[str, int]:
    """Return this process's live connection count per client address (for tests and monitoring)."""
    counts: Counter[str] = Counter(_local_slots.live_connections())
    for ledger in _redis_slots.values():
        counts.update(ledger.live_connections())
    return dict(+counts)


def _seen(future: asyncio.Future) -> None:
    """Retrieve a decode's outcome (a superseded frame's error is of no interest)."""
    if not future.cancelled():
        future.exception()


def _seen_concurrent(future: Future) -> None:
    """Retrieve a pose-mode decode's outcome (a superseded frame's error is of no interest)."""
    if not future.cancelled():
        future.exception()


def _config() -> dict:
    cfg = getattr(settings, "FITTINGROOM", {})
    return {key: cfg.get(key, default) for key, default in DEFAULTS.items()}


def preload_pose_model() -> float:
    """Import MediaPipe and load the live pose model once, then let it go; return the seconds it took.

    A worker process does this before it listens (``FITTINGROOM_LIVE_PRELOAD=1``, fittingroom/asgi.py),
    so a shopper whose worker died, sent by the proxy to one just restarted, does not wait for the
    import (seconds) on top of the model load.
    """
    started = time.perf_counter()
    _new_estimator(_config()["LIVE_POSE_MODEL"], segmentation=False).close()
    return time.perf_counter() - started


def _new_estimator(model: str, segmentation: bool = True):
    from tryon.pose import PoseEstimator, model_path_for

    # The person mask is only for drawing (arms in front of the garment): pose mode goes without.
    return PoseEstimator(
        model_path_for(settings.FITTINGROOM["MODELS_DIR"], model), mode="video", segmentation=segmentation
    )


@database_sync_to_async
def _load_garment(slug: str) -> Garment | None:
    """Return an active product's overlay as a :class:`Garment`, or None."""
    from catalog.models import Product
    from tryon.overlays import overlay_pixels

    product = Product.objects.active().select_related("overlay").filter(slug=slug, overlay__isnull=False).first()
    if product is None:
        return None
    overlay = product.overlay
    try:
        pixels = overlay_pixels(overlay, order="BGRA")
    except (OSError, ValueError):
        logger.exception("live try-on: overlay of %s cannot be read", slug)
        return None
    return Garment(slug=slug, overlay_bgra=pixels, description=overlay.as_garment())


class TryOnConsumer(AsyncWebsocketConsumer):
    """One shopper's live try-on stream (see the module docstring for the protocol)."""

    channel_layer_alias = "__tryon_live_needs_no_channel_layer__"

    async def connect(self):
        self.cfg = _config()
        self.limits = LiveLimits(
            max_bytes=int(self.cfg["LIVE_MAX_MESSAGE_BYTES"]),
            max_width=int(self.cfg["LIVE_MAX_FRAME_WIDTH"]),
            max_height=int(self.cfg["LIVE_MAX_FRAME_HEIGHT"]),
            jpeg_quality=int(self.cfg["LIVE_JPEG_QUALITY"]),
        )
        client = self.scope.get("client") or ("unknown", 0)
        self.client_key = str(client[0])
        self.slot: tuple[LocalSlots, str] | None = None
        self.release_task: asyncio.Task | None = None  # the slot's removal from Redis, once released
        self.closing = False
        self.session: LiveSession | None = None
        self.garment: Garment | None = None
        self.mode = "render"  # or "pose": see the protocol above
        # The frame waiting for the model: its id, arrival time and decode (started on arrival).
        self.pending: tuple[int, float, asyncio.Future] | None = None
        self.pump_task: asyncio.Task | None = None
        self.draw_task: asyncio.Task | None = None
        # Pose mode: the frame waiting for the model (id, arrival, JPEG, its decode) and whether a
        # lane job (see _lane) is running, both under lane_lock; the lane job's future.
        self.lane_lock = threading.Lock()
        self.lane_pending: tuple[int, float, bytes, Future] | None = None
        self.lane_busy = False
        self.lane_future: asyncio.Future | None = None
        self.loop = asyncio.get_running_loop()
        # Pacing: "next" is said early by the time a reply takes, so the next
        # frame arrives as the model frees up (moving averages, seconds; pose_s
        # is a frame's time from leaving the pending slot to its pose).
        self.pose_s: float | None = None
        self.reply_s = 0.0
        self.taken = 0
        self.next_said: int | None = None
        self.next_said_at: float | None = None
        # Messages being sent ("next", pose-mode results), held: the event loop keeps only weak references to tasks.
        self.sending: set[asyncio.Future] = set()
        self.idle_task: asyncio.Task | None = None
        self.warm_task: asyncio.Future | None = None
        self.send_lock = asyncio.Lock()
        self.dropped = 0
        self.warned_rate = False
        max_fps = float(self.cfg["LIVE_MAX_FPS"])
        self.fps = max_fps
        self.tokens = max_fps
        loop = asyncio.get_running_loop()
        self.token_time = loop.time()
        self.last_frame = loop.time()

        await self.accept()
        ledger = slots()
        try:
            outcome, token = await ledger.acquire(
                self.client_key,
                max_total=int(self.cfg["LIVE_MAX_CONNECTIONS"]),
                max_per_client=int(self.cfg["LIVE_MAX_CONNECTIONS_PER_CLIENT"]),
            )
        except SlotsUnavailable as exc:
            logger.warning("live try-on: connection refused, the connection limits cannot be checked: %s", exc)
            await self._refuse(
                CLOSE_BUSY, "unavailable", "The live try-on is unavailable right now. Please try again in a moment."
            )
            return
        if outcome == BUSY:
            await self._refuse(
                CLOSE_BUSY, "server_busy", "The live try-on is busy right now. Please try again in a minute."
            )
            return
        if outcome == TOO_MANY:
            await self._refuse(
                CLOSE_TOO_MANY_CONNECTIONS,
                "too_many_connections",
                "You already have live try-ons open. Close another tab or window and try again.",
            )
            return
        if self.closing:  # the client left while the slot was being taken
            ledger.release(token)
            return
        self.slot = (ledger, token)
        # Created on the first "start" (which fixes the mode) or frame.
        self.session = LiveSession(
            lambda: _new_estimator(self.cfg["LIVE_POSE_MODEL"], segmentation=self.mode == "render"), self.limits
        )
        self.idle_task = asyncio.create_task(self._watch_idle())

    async def dispatch(self, message):
        """Hand a message to its handler, without Channels' per-message database clean-up.

        Channels closes stale database connections before every message, a hop
        to the sync thread and back for each frame. This consumer reaches the
        database only through ``database_sync_to_async`` (:func:`_load_garment`),
        which does that clean-up itself. Four bench/server.py clients against
        the stock dispatch, 4 alternating pairs: 59.6 against 56.8 frames/s
        (medians), higher in 3 of the 4.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when the consumer is cancelled (server shutdown, close timeout): free the slot and the model.
            self._release()
            session = getattr(self, "session", None)
            if session is not None and not session.closed:
                executor().submit(session.close)

    def _release(self) -> None:
        """Stop accepting work and give the connection slot back (idempotent, synchronous)."""
        self.closing = True
        self.pending = None
        slot = getattr(self, "slot", None)
        if slot is not None:
            self.slot = None
            self.release_task = slot[0].release(slot[1])
        idle_task = getattr(self, "idle_task", None)
        if idle_task is not None and idle_task is not asyncio.current_task():
            idle_task.cancel()

    async def disconnect(self, code):
        self._release()
        removal = getattr(self, "release_task", None)
        if removal is not None:
            # The slot is free for every worker before the disconnect is done: a shopper who closes a
            # try-on and opens another at once is not refused for the one just closed.
            await asyncio.shield(removal)
        for task in (self.pump_task, self.draw_task, self.lane_future):
            if task is not None:
                try:
                    await task  # let a frame in progress finish before closing its estimator
                except Exception:  # already reported by the pump
                    pass
        if self.session is not None:
            # close() waits for a model still loading (the session lock), then releases it.
            await asyncio.get_running_loop().run_in_executor(executor(), self.session.close)

    # -- messages in --------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing or self.session is None:
            return
        if bytes_data is not None:
            await self._receive_frame(bytes_data)
        else:
            await self._receive_text(text_data or "")

    async def _receive_text(self, text: str) -> None:
        if not await self._take_token():
            return
        if len(text) > MAX_TEXT_BYTES:
            await self._error("too_large", f"Text messages may be at most {MAX_TEXT_BYTES} bytes.")
            return
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._error(
                "bad_message",
                'Text messages must be JSON objects with a "type"; send frames as binary messages.',
            )
            return
        kind = message["type"]
        if kind == "start":
            await self._start(message)
        elif kind == "garment":
            await self._switch(message)
        else:
            await self._error("unknown_type", 'The message type must be "start" or "garment".')

    async def _garment_from(self, message: dict) -> Garment | None:
        slug = message.get("garment")
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            await self._error("bad_start", '"garment" must be the slug of a product, e.g. "essential-crew-tee-white".')
            return None
        garment = await _load_garment(slug)
        if garment is None:
            await self._error("unknown_garment", "That garment cannot be tried on. Pick another one.")
        return garment

    async def _start(self, message: dict) -> None:
        width, height = message.get("width"), message.get("height")
        for value in (width, height):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                await self._error("bad_start", '"width" and "height" must be positive whole numbers of pixels.')
                return
        if width > self.limits.max_width or height > self.limits.max_height:
            await self._error(
                "too_large",
                f"Frames may be at most {self.limits.max_width}x{self.limits.max_height} pixels.",
            )
            return
        mode = message.get("mode", "render" if self.garment is None else self.mode)
        if mode not in ("render", "pose"):
            await self._error("bad_start", '"mode" must be "render" or "pose".')
            return
        if self.garment is not None and mode != self.mode:
            await self._error("bad_start", f'The mode was set to "{self.mode}" by the first "start"; open a new connection to change it.')
            return
        garment = await self._garment_from(message)
        if garment is None:
            return
        self.garment = garment
        self.mode = mode
        loop = asyncio.get_running_loop()
        self.last_frame = loop.time()
        if self.warm_task is None:  # load the pose model now, not on the first frame
            self.warm_task = loop.run_in_executor(executor(), self.session.warm)
        await self._send_json({
            "type": "ready",
            "garment": garment.slug,
            "mode": self.mode,
            "limits": {
                "max_bytes": self.limits.max_bytes,
                "max_width": self.limits.max_width,
                "max_height": self.limits.max_height,
                "max_fps": int(self.fps) if self.fps.is_integer() else self.fps,
                "idle_timeout": float(self.cfg["LIVE_IDLE_TIMEOUT"]),
            },
        })

    async def _switch(self, message: dict) -> None:
        if self.garment is None:
            await self._error("not_started", 'Send a "start" message first.')
            return
        garment = await self._garment_from(message)
        if garment is not None:
            self.garment = garment
            await self._send_json({"type": "garment", "garment": garment.slug})

    async def _receive_frame(self, data: bytes) -> None:
        if not await self._take_token():  # bad frames count too: errors are not a free echo service
            self.dropped += 1
            return
        frame_id = None
        try:
            frame_id, jpeg = split_frame(data, self.limits)
            if self.garment is None:
                raise FrameRejected("not_started", 'Send a "start" message before the first frame.')
            check_jpeg(jpeg, self.limits)
        except FrameRejected as exc:
            await self._error(exc.code, exc.message, frame=frame_id)
            return
        self.last_frame = asyncio.get_running_loop().time()
        if self.next_said_at is not None:
            reply = min(time.perf_counter() - self.next_said_at, 0.05)
            self.reply_s = 0.8 * self.reply_s + 0.2 * reply
            self.next_said_at = None
        if self.mode == "pose":
            self._lane_put(frame_id, jpeg)
            return
        if self.pending is not None:
            self.dropped += 1  # superseded: latest frame wins
            self.pending[2].cancel()  # its decode, unless already running
        # Decode now, on a free core, while the model may still be busy with the previous frame.
        decoding = asyncio.get_running_loop().run_in_executor(executor(), self.session.decode, frame_id, jpeg)
        decoding.add_done_callback(_seen)
        self.pending = (frame_id, time.perf_counter(), decoding)
        if self.pump_task is None or self.pump_task.done():
            self.pump_task = asyncio.create_task(self._pump())

    def _tokens_now(self) -> float:
        """The rate's token bucket (LIVE_MAX_FPS per second, at most LIVE_MAX_FPS) refilled to now."""
        now = asyncio.get_running_loop().time()
        self.tokens = min(self.fps, self.tokens + (now - self.token_time) * self.fps)
        self.token_time = now
        return self.tokens

    async def _take_token(self) -> bool:
        """Spend one message of the per-connection rate (a token bucket of LIVE_MAX_FPS per second).

        Return False when the message must be dropped; the first time, warn the client.
        """
        if self._tokens_now() >= 1.0:
            self.tokens -= 1.0
            return True
        if not self.warned_rate:
            self.warned_rate = True
            await self._send_json({
                "type": "warning",
                "code": "rate_limited",
                "message": f"Messages are arriving faster than {self.fps:g} per second; extra ones are dropped. "
                "Send the next frame when the previous result arrives.",
            })
        return False

    # -- processing ---------------------------------------------------------

    async def _pump(self) -> None:
        """Take pending frames through the model one at a time, and hand each to :meth:`_draw`.

        Two stages per connection: while one frame is drawn and encoded, the
        next one can be decoded and posed (VIDEO mode keeps the model's calls
        in arrival order). After a frame's pose the client is told ``next``.
        """
        loop = asyncio.get_running_loop()
        while self.pending is not None and not self.closing:
            frame_id, queued, decoding = self.pending
            self.pending = None
            self.taken += 1  # frame ids are the client's: "next" is said once per frame taken
            taken = self.taken
            garment = self.garment
            started = time.perf_counter()
            early = None
            if self.pose_s is not None:
                # Say "next" early enough for the client's next frame to arrive by the
                # time this frame's pose ends (a reply's time, with a margin).
                lead = min(NEXT_LEAD_FACTOR * self.reply_s + NEXT_MARGIN_S, self.pose_s)
                early = loop.call_later(self.pose_s - lead, self._say_next, taken, frame_id)
            try:
                analysed = await loop.run_in_executor(executor(), self.session.detect, await decoding)
            except FrameRejected as exc:
                await self._drawn()  # replies stay in frame order
                await self._error(exc.code, exc.message, frame=frame_id)
                continue
            except EstimatorUnavailable:
                if self.closing:
                    return
                logger.exception("live try-on: pose estimator unavailable")
                await self._refuse(
                    CLOSE_BUSY, "unavailable", "The live try-on is unavailable right now. Try the photo try-on instead."
                )
                return
            except Exception:
                if self.closing:
                    return
                logger.exception("live try-on: frame failed")
                await self._drawn()
                await self._frame_failed(frame_id)
                continue
            finally:
                if early is not None:
                    early.cancel()
            if self.closing:
                return
            elapsed = time.perf_counter() - started
            self.pose_s = elapsed if self.pose_s is None else 0.8 * self.pose_s + 0.2 * elapsed
            self._say_next(taken, frame_id)
            await self._drawn()  # one frame drawn at a time, so results leave in order
            if self.closing:
                return
            wait = round((started - queued) * 1000.0, 2)
            self.draw_task = asyncio.create_task(self._draw(analysed, garment, wait))

    # -- pose mode: one lane job per busy connection ---------------------------
    #
    # In pose mode a frame's work after its decode is the pose and a fit check, a fraction of a
    # millisecond past the model. Going back to the event loop between frames (a thread hop each
    # way, the loop busy with other sockets) left the model idle for about 3 ms a frame. So one
    # job in the pool takes the connection's frames through the model back to back while
    # frames keep coming (the early "next" makes the next one arrive before the pose ends), and
    # hands each result to the event loop to send. It ends when no frame waits; the next
    # frame starts another.

    def _lane_put(self, frame_id: int, jpeg: bytes) -> None:
        """Make a frame the pending one (event loop), decoding it now, and start a lane job if none runs."""
        decoding = executor().submit(self.session.decode, frame_id, jpeg)
        decoding.add_done_callback(_seen_concurrent)
        with self.lane_lock:
            if self.lane_pending is not None:
                self.dropped += 1  # superseded: latest frame wins
                self.lane_pending[3].cancel()  # its decode, unless already running
            self.lane_pending = (frame_id, time.perf_counter(), jpeg, decoding)
            start = not self.lane_busy
            self.lane_busy = True
        if start:
            self.lane_future = self.loop.run_in_executor(executor(), self._lane)

    def _lane(self) -> None:
        """Take pending frames through the model one at a time (worker thread) until none waits."""
        loop = self.loop
        while True:
            with self.lane_lock:
                item, self.lane_pending = self.lane_pending, None
                if item is None or self.closing:
                    self.lane_busy = False
                    return
            frame_id, queued, jpeg, decoding = item
            self.taken += 1
            taken = self.taken
            started = time.perf_counter()
            if self.pose_s is not None:
                lead = min(NEXT_LEAD_FACTOR * self.reply_s + NEXT_MARGIN_S, self.pose_s)
                loop.call_soon_threadsafe(self._next_later, self.pose_s - lead, taken, frame_id)
            try:
                # A decode not started yet is done here: every pool thread may be a lane waiting.
                analysed = self.session.decode(frame_id, jpeg) if decoding.cancel() else decoding.result()
                analysed = self.session.detect(analysed)
                result = self.session.pose_only(analysed, self.garment)
            except FrameRejected as exc:
                loop.call_soon_threadsafe(self._lane_error, frame_id, exc)
                continue
            except EstimatorUnavailable as exc:
                with self.lane_lock:
                    self.lane_pending, self.lane_busy = None, False
                loop.call_soon_threadsafe(self._lane_error, frame_id, exc)
                return
            except Exception as exc:
                if self.closing:
                    with self.lane_lock:
                        self.lane_busy = False
                    return
                logger.error("live try-on: frame failed", exc_info=exc)
                loop.call_soon_threadsafe(self._lane_error, frame_id, exc)
                continue
            posed = time.perf_counter()
            elapsed = posed - started
            self.pose_s = elapsed if self.pose_s is None else 0.8 * self.pose_s + 0.2 * elapsed
            result.timings["wait"] = round((started - queued) * 1000.0, 2)
            loop.call_soon_threadsafe(self._lane_done, taken, frame_id, result)

    def _next_later(self, delay: float, taken: int, frame_id: int) -> None:
        """Say "next" for frame ``taken`` after ``delay`` seconds unless said by then (event loop)."""
        self.loop.call_later(max(0.0, delay), self._say_next, taken, frame_id)

    def _lane_done(self, taken: int, frame_id: int, result) -> None:
        """A frame's pose is done (event loop): say "next" if not yet said, then send its result."""
        if self.closing:
            return
        self._say_next(taken, frame_id)
        message = result.message()
        message["dropped"] = self.dropped
        self._hold(self._send_json(message))

    def _lane_error(self, frame_id: int, exc: Exception) -> None:
        """Report a lane frame's failure (event loop), or close when the model cannot be had."""
        if self.closing:
            return
        if isinstance(exc, FrameRejected):
            self._hold(self._error(exc.code, exc.message, frame=frame_id))
        elif isinstance(exc, EstimatorUnavailable):
            logger.error("live try-on: pose estimator unavailable", exc_info=exc)
            self._hold(self._refuse(
                CLOSE_BUSY, "unavailable", "The live try-on is unavailable right now. Try the photo try-on instead."
            ))
        else:
            self._hold(self._frame_failed(frame_id))

    def _hold(self, coroutine) -> None:
        """Run ``coroutine`` as a task held until it ends (the event loop keeps only weak references)."""
        task = asyncio.ensure_future(coroutine)
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    def _say_next(self, taken: int, frame_id: int) -> None:
        """Tell the client to send its next frame (once per frame taken from the pending slot).

        Never before the rate limit would let that frame in: a frame over it is dropped without a
        reply, and a client pacing on "next" would wait for a result that never comes (a lone client
        on an idle worker is faster than LIVE_MAX_FPS).
        """
        if self.closing or (self.next_said is not None and taken <= self.next_said):
            return  # said already, or a later frame's is (a pose-mode timer outlives its frame)
        self.next_said = taken
        tokens = self._tokens_now()
        if tokens < 1.0:
            asyncio.get_running_loop().call_later((1.0 - tokens) / self.fps, self._send_next, frame_id)
        else:
            self._send_next(frame_id)

    def _send_next(self, frame_id: int) -> None:
        if self.closing:
            return
        self.next_said_at = time.perf_counter()
        self._hold(self._send_json({"type": "next", "frame": frame_id}))

    async def _drawn(self) -> None:
        """Wait until the frame being drawn (if any) has been sent."""
        if self.draw_task is not None:
            await asyncio.shield(self.draw_task)

    async def _draw(self, analysed, garment: Garment, wait: float) -> None:
        """Fit, composite and encode a posed frame in the pool; send its result and JPEG (pose mode: the result)."""
        stage = self.session.pose_only if self.mode == "pose" else self.session.render
        try:
            result = await asyncio.get_running_loop().run_in_executor(executor(), stage, analysed, garment)
        except Exception:
            if self.closing:
                return
            logger.exception("live try-on: frame failed")
            await self._frame_failed(analysed.frame_id)
            return
        if self.closing:
            return
        result.timings["wait"] = wait
        message = result.message()
        message["dropped"] = self.dropped
        async with self.send_lock:
            await self.send(text_data=json.dumps(message, separators=(",", ":")))
            if self.mode == "render":
                await self.send(bytes_data=result.binary())

    async def _watch_idle(self) -> None:
        """Close the connection after LIVE_IDLE_TIMEOUT seconds without a frame."""
        timeout = float(self.cfg["LIVE_IDLE_TIMEOUT"])
        loop = asyncio.get_running_loop()
        while not self.closing:
            busy = self.pending is not None or self.lane_busy or any(
                task is not None and not task.done() for task in (self.pump_task, self.draw_task)
            )
            remaining = self.last_frame + timeout - loop.time()
            if busy:
                remaining = max(remaining, 1.0)
            if remaining <= 0:
                await self._refuse(
                    CLOSE_IDLE, "idle_timeout", f"No frame for {timeout:g} seconds; the live try-on was closed."
                )
                return
            await asyncio.sleep(remaining)

    # -- messages out -------------------------------------------------------

    async def _send_json(self, message: dict) -> None:
        if self.closing:
            return
        async with self.send_lock:
            await self.send(text_data=json.dumps(message, separators=(",", ":")))

    async def _error(self, code: str, message: str, *, frame: int | None = None) -> None:
        payload = {"type": "error", "code": code, "message": message}
        if frame is not None:
            payload["frame"] = frame
        await self._send_json(payload)

    async def _frame_failed(self, frame_id: int) -> None:
        """Tell the client a frame failed on our side, without details (they are logged)."""
        await self._error(
            "server_error", "Something went wrong with this frame. Keep sending; the next one may work.", frame=frame_id
        )

    async def _refuse(self, close_code: int, code: str, message: str) -> None:
        await self._error(code, message)
        self.closing = True
        self.pending = None
        await self.close(code=close_code)
