"""The server-rendered live try-on WebSocket: real frames, hostile input, pacing and limits.

Drives ``fittingroom.asgi.application`` (origin validation, auth middleware,
routing and the consumer) with the real pose model. Media credits:
tests/media/README.md (astronaut.png: NASA, public domain, via scikit-image).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import json
import time

import cv2
import numpy as np
import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.apps import apps
from PIL import Image

from fittingroom.asgi import application
from tests import MEDIA_DIR
from tests.conftest import media_files
from tests.images import camera_jpeg
from tryon import consumers
from tryon.live import FRAME_HEADER

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1")
SLUG = "essential-crew-tee-white"
TIMEOUT = 15  # seconds; the first frame of a connection loads the pose model
LEAKS = ("Traceback", "File \"", ".py", "site-packages", "mediapipe", "cv2", "opencv", "Error:", "secret")


@functools.lru_cache(maxsize=1)
def _tee_png() -> tuple[bytes, dict]:
    from catalog import demo_art

    img, anchors = demo_art.render_overlay(demo_art.garment_by_slug(SLUG))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue(), anchors


@functools.lru_cache(maxsize=1)
def _frame_jpeg() -> bytes:
    """The astronaut as a 640x480 camera shows her."""
    return camera_jpeg(MEDIA_DIR / "astronaut.png", quality=85)


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 150)).save(out, "JPEG", quality=70)
    return out.getvalue()


def _frame(frame_id: int, jpeg: bytes | None = None) -> bytes:
    return FRAME_HEADER.pack(frame_id) + (_frame_jpeg() if jpeg is None else jpeg)


def _create_tee() -> None:
    from catalog.models import Category, Product
    from catalog.services import overlay_set

    png, anchors = _tee_png()
    category, _ = Category.objects.get_or_create(slug="tops", defaults={"name": "Tops"})
    product = Product.objects.create(category=category, name="Essential Crew Tee", slug=SLUG, price="19.00")
    overlay_set(product=product, png_bytes=png, kind="tshirt", anchors=anchors)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def estimators(monkeypatch) -> list:
    """Record every pose estimator the consumer creates."""
    created = []
    real = consumers._new_estimator

    def spy(model, **kwargs):
        estimator = real(model, **kwargs)
        created.append(estimator)
        return estimator

    monkeypatch.setattr(consumers, "_new_estimator", spy)
    return created


@pytest_asyncio.fixture
async def tee(transactional_db, media_root, estimators):
    """A product with the demo white tee overlay; afterwards: no new files, rows, connections or open models."""
    await database_sync_to_async(_create_tee)()
    files = media_files(media_root)
    rows = await database_sync_to_async(_row_counts)()
    yield SLUG
    assert media_files(media_root) == files, "the live try-on must not write files"
    assert await database_sync_to_async(_row_counts)() == rows, "the live try-on must not save rows"
    assert consumers.live_connections() == {}
    assert all(estimator.closed for estimator in estimators), "each connection's estimator is closed on disconnect"


@pytest.fixture
def live_settings(settings):
    """Return a function that overrides live try-on settings for this test."""

    def override(**values):
        settings.FITTINGROOM = {**settings.FITTINGROOM, **values}

    return override


async def _open(origin: bytes = ORIGIN[1], client: tuple[str, int] | None = None):
    communicator = WebsocketCommunicator(application, "/ws/tryon/", headers=[(b"origin", origin)])
    if client is not None:
        communicator.scope["client"] = list(client)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@contextlib.asynccontextmanager
async def _started(*, warm: bool = True):
    """Yield a connected communicator after ``start``; with ``warm``, after one frame's result (the model is loaded)."""
    communicator, connected, _ = await _open()
    try:
        assert connected
        await _start(communicator)
        if warm:
            await communicator.send_to(bytes_data=_frame(1))
            await _result(communicator)  # the model is loaded
        yield communicator
    finally:
        await communicator.disconnect(timeout=5)


async def _json(communicator, timeout: float = TIMEOUT, *, skip_next: bool = True) -> dict:
    """Return the next JSON message; "next" messages are skipped (and noted in ``communicator.nexts``)."""
    while True:
        message = await communicator.receive_from(timeout)
        assert isinstance(message, str), f"expected a JSON text message, got {len(message)} bytes"
        message = json.loads(message)
        if not (skip_next and message.get("type") == "next"):
            return message
        communicator.__dict__.setdefault("nexts", []).append(message["frame"])


async def _start(communicator, garment: str = SLUG) -> dict:
    await communicator.send_json_to({"type": "start", "garment": garment, "width": 640, "height": 480})
    return await _json(communicator)


async def _result(communicator, timeout: float = TIMEOUT) -> tuple[dict, bytes]:
    """Return the next result message and its binary frame, skipping warnings."""
    while True:
        message = await _json(communicator, timeout)
        if message["type"] != "warning":
            break
    assert message["type"] == "result", message
    binary = await communicator.receive_from(timeout)
    assert isinstance(binary, bytes)
    (frame_id,) = FRAME_HEADER.unpack_from(binary)
    assert frame_id == message["frame"]
    return message, binary[FRAME_HEADER.size:]


async def _expect_error(communicator, code: str, frame: int | None = None) -> dict:
    message = await _json(communicator)
    assert message["type"] == "error" and message["code"] == code, message
    assert message["message"] and not any(leak in message["message"] for leak in LEAKS), message
    if frame is not None:
        assert message["frame"] == frame
    return message


async def _expect_close(communicator, code: int) -> None:
    output = await communicator.receive_output(TIMEOUT)
    assert output == {"type": "websocket.close", "code": code}, output


def _decode(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image.astype(np.int16)


async def test_frame_comes_back_with_the_garment_on_the_torso(tee):
    communicator, connected, _ = await _open()
    try:
        assert connected
        ready = await _start(communicator)
        assert ready["type"] == "ready" and ready["garment"] == tee
        assert ready["limits"]["max_bytes"] == 512 * 1024

        await communicator.send_to(bytes_data=_frame(4242))
        message, jpeg = await _result(communicator)
    finally:
        await communicator.disconnect(timeout=5)

    assert message["frame"] == 4242 and message["found"] is True and message["fitted"] is True
    assert (message["width"], message["height"]) == (640, 480)
    assert len(message["landmarks"]) == 33 and all(len(point) == 4 for point in message["landmarks"])
    assert {"decode", "pose", "render", "encode", "total"} <= message["timings"].keys()
    before, after = _decode(_frame_jpeg()), _decode(jpeg)
    assert after.shape == before.shape == (480, 640, 3)
    diff = np.abs(after - before).mean(axis=2)
    chest = diff[230:330, 190:310]  # between the shoulders, below the suit's collar ring
    assert (chest > 40).mean() > 0.8, "the garment covers the chest"
    assert after[230:330, 190:310].mean() > 170, "and it is the white tee"
    for corner in (diff[:40, :40], diff[:40, -40:], diff[-40:, :40], diff[-40:, -40:]):
        assert corner.mean() < 6, "the background is untouched (JPEG noise only)"


async def test_bad_messages_get_typed_errors_and_the_connection_stays_usable(tee, monkeypatch, caplog):
    communicator, connected, _ = await _open()
    try:
        assert connected
        await communicator.send_to(bytes_data=_frame(1))
        await _expect_error(communicator, "not_started", frame=1)
        await communicator.send_to(text_data="definitely not json")
        await _expect_error(communicator, "bad_message")
        await communicator.send_to(text_data="/9j/4AAQSkZJRgABAQ")  # a base64 frame sent as text
        await _expect_error(communicator, "bad_message")
        await communicator.send_json_to({"type": "dance"})
        await _expect_error(communicator, "unknown_type")
        await communicator.send_json_to({"type": "start", "garment": "no-such-thing", "width": 640, "height": 480})
        await _expect_error(communicator, "unknown_garment")
        await communicator.send_json_to({"type": "start", "garment": "../../etc/passwd", "width": 640, "height": 480})
        await _expect_error(communicator, "bad_start")
        await communicator.send_json_to({"type": "start", "garment": tee, "width": "640", "height": 480})
        await _expect_error(communicator, "bad_start")
        await communicator.send_json_to({"type": "start", "garment": tee, "width": 4000, "height": 3000})
        await _expect_error(communicator, "too_large")
        assert (await _start(communicator))["type"] == "ready"

        await communicator.send_to(bytes_data=b"\x00\x01")  # shorter than the header
        await _expect_error(communicator, "bad_header")
        await communicator.send_to(bytes_data=FRAME_HEADER.pack(2) + bytes(range(256)) * 8)  # garbage
        await _expect_error(communicator, "bad_image", frame=2)
        await communicator.send_to(bytes_data=_frame_jpeg())  # no header: the JPEG's first bytes become the id
        await _expect_error(communicator, "bad_image")
        good = _frame_jpeg()
        await communicator.send_to(bytes_data=_frame(3, good[: len(good) // 2]))  # truncated
        await _expect_error(communicator, "bad_image", frame=3)
        await communicator.send_to(bytes_data=_frame(4, good[:400] + b"\xff\xd9"))  # cut, then "ended"
        await _expect_error(communicator, "bad_image", frame=4)
        await communicator.send_to(bytes_data=_frame(5, good + b"\x00" * (600 * 1024)))  # oversized message
        await _expect_error(communicator, "too_large")
        await communicator.send_to(bytes_data=_frame(6, _jpeg(1600, 200)))  # small file, too many pixels
        await _expect_error(communicator, "too_large", frame=6)
        await communicator.send_json_to({"type": "garment", "garment": "no-such-thing"})
        await _expect_error(communicator, "unknown_garment")
        await communicator.send_json_to({"type": "garment", "garment": tee})
        assert await _json(communicator) == {"type": "garment", "garment": tee}

        # A failure inside the pipeline is reported without details, and the next frame works.
        def explode(*args, **kwargs):
            raise RuntimeError("/secret/path/pipeline.py exploded")

        monkeypatch.setattr("tryon.live.fit_and_composite", explode)
        await communicator.send_to(bytes_data=_frame(7))
        await _expect_error(communicator, "server_error", frame=7)
        monkeypatch.undo()

        await communicator.send_to(bytes_data=_frame(8))
        message, jpeg = await _result(communicator)
        assert message["frame"] == 8 and message["found"] and message["fitted"]
        assert _decode(jpeg).shape == (480, 640, 3)
    finally:
        await communicator.disconnect(timeout=5)


async def test_foreign_origin_is_refused(tee):
    communicator, connected, _ = await _open(origin=b"http://evil.example")
    try:
        assert not connected
    finally:
        await communicator.disconnect(timeout=5)
    assert consumers.live_connections() == {}


async def test_a_burst_is_paced_latest_frame_wins_and_latency_stays_flat(tee, live_settings):
    live_settings(LIVE_MAX_FPS=1000)  # this test is about pacing, not the rate limit
    async with _started() as communicator:
        async def round_trip(frame_id: int) -> float:
            started = time.perf_counter()
            await communicator.send_to(bytes_data=_frame(frame_id))
            message, _ = await _result(communicator)
            assert message["frame"] == frame_id
            return time.perf_counter() - started

        baseline = sorted([await round_trip(i) for i in (2, 3, 4)])[1]
        for burst in range(2):
            ids = list(range(100 * (burst + 1), 100 * (burst + 1) + 30))
            started = time.perf_counter()
            for frame_id in ids:
                await communicator.send_to(bytes_data=_frame(frame_id))
            seen = []
            while not seen or seen[-1]["frame"] != ids[-1]:
                message, _ = await _result(communicator)
                seen.append(message)
            elapsed = time.perf_counter() - started
            assert [m["frame"] for m in seen] == sorted(m["frame"] for m in seen)
            assert len(seen) <= 4, [m["frame"] for m in seen]  # at most the one in flight + the newest
            assert seen[-1]["dropped"] >= 26 * (burst + 1)
            # Two frames' work at most, not thirty.
            assert elapsed < 3 * baseline + 0.5, (elapsed, baseline)
            assert await communicator.receive_nothing(0.3), "nothing else is coming"
        after = sorted([await round_trip(i) for i in (900, 901, 902)])[1]
        assert after < 2 * baseline + 0.2, (after, baseline)


async def test_frames_over_the_rate_limit_are_dropped_with_one_warning(tee, live_settings):
    live_settings(LIVE_MAX_FPS=3)
    communicator, connected, _ = await _open()
    try:
        assert connected
        await _start(communicator)
        for frame_id in range(10):
            await communicator.send_to(bytes_data=_frame(frame_id))
        warning = await _json(communicator)
        assert warning["type"] == "warning" and warning["code"] == "rate_limited"
        seen = []
        while not seen or seen[-1]["frame"] != 1:
            message, _ = await _result(communicator)
            seen.append(message)
        assert [m["frame"] for m in seen] == [0, 1]  # 3 tokens: "start", frames 0 and 1; the rest refused
        assert seen[-1]["dropped"] == 8
        await asyncio.sleep(1.1)  # the bucket refills to 3
        for frame_id in range(10, 20):
            await communicator.send_to(bytes_data=_frame(frame_id))
        messages = []
        while not await communicator.receive_nothing(1.5):
            messages.append(await communicator.receive_from())
        texts = [json.loads(m) for m in messages if isinstance(m, str)]
        texts = [m for m in texts if m["type"] != "next"]
        assert [m["type"] for m in texts] == ["result", "result"], "warned only once"
        assert [m["frame"] for m in texts] == [10, 12]
    finally:
        await communicator.disconnect(timeout=5)


async def test_connections_per_client_and_in_total_are_limited(tee, live_settings):
    live_settings(LIVE_MAX_CONNECTIONS_PER_CLIENT=2, LIVE_MAX_CONNECTIONS=3)
    alice = ("203.0.113.7", 50000)
    opened = []
    try:
        for port in (1, 2):
            communicator, connected, _ = await _open(client=(alice[0], port))
            opened.append(communicator)
            # "ready" comes after the connection's slot is taken (a consumer handles its messages in
            # order, connect first): without waiting, the third connection's slot could be taken first.
            assert connected and (await _start(communicator))["type"] == "ready"
        third, connected, _ = await _open(client=(alice[0], 3))
        opened.append(third)
        assert connected  # accepted, told why, then closed with the documented code
        await _expect_error(third, "too_many_connections")
        await _expect_close(third, consumers.CLOSE_TOO_MANY_CONNECTIONS)
        assert consumers.live_connections() == {alice[0]: 2}

        bob, connected, _ = await _open(client=("198.51.100.2", 1))
        opened.append(bob)
        assert connected and (await _start(bob))["type"] == "ready"  # another client is fine...
        carol, connected, _ = await _open(client=("192.0.2.3", 1))
        opened.append(carol)
        await _expect_error(carol, "server_busy")  # ...until the server is full
        await _expect_close(carol, consumers.CLOSE_BUSY)

        await opened[0].disconnect(timeout=5)
        again, connected, _ = await _open(client=(alice[0], 4))
        opened.append(again)
        assert connected and (await _start(again))["type"] == "ready"  # a slot freed up
    finally:
        for communicator in opened:
            await communicator.disconnect(timeout=5)
    assert consumers.live_connections() == {}


async def test_an_idle_connection_is_closed(tee, live_settings):
    live_settings(LIVE_IDLE_TIMEOUT=0.5)
    communicator, connected, _ = await _open()
    try:
        assert connected
        await _start(communicator)
        await _expect_error(communicator, "idle_timeout")
        await _expect_close(communicator, consumers.CLOSE_IDLE)
    finally:
        await communicator.disconnect(timeout=5)


async def test_disconnecting_mid_frame_releases_the_slot_and_the_model(tee, estimators):
    communicator, connected, _ = await _open()
    try:
        assert connected
        await _start(communicator)
        await communicator.send_to(bytes_data=_frame(1))
        await communicator.send_to(bytes_data=_frame(2))  # pending behind frame 1
        await asyncio.sleep(0.05)
    finally:
        await communicator.disconnect(timeout=10)
    assert consumers.live_connections() == {}
    assert len(estimators) == 1 and estimators[0].closed


async def test_two_frames_in_flight_are_pipelined_and_answered_in_order(tee, live_settings):
    """A client may keep one extra frame in flight: none is dropped and replies keep their order."""
    live_settings(LIVE_MAX_FPS=1000)
    async with _started() as communicator:
        good = _frame_jpeg()

        await communicator.send_to(bytes_data=_frame(10))
        await asyncio.sleep(0.01)  # frame 10 is being processed: frame 11 is the pending one
        await communicator.send_to(bytes_data=_frame(11, good[:400] + b"\xff\xd9"))  # decodes to nothing
        message, _ = await _result(communicator)
        assert message["frame"] == 10 and message["fitted"]
        await _expect_error(communicator, "bad_image", frame=11)  # after frame 10's reply, not before

        next_id, seen = 20, []
        await communicator.send_to(bytes_data=_frame(next_id))
        await asyncio.sleep(0.01)
        next_id += 1
        await communicator.send_to(bytes_data=_frame(next_id))
        while len(seen) < 8:
            message, jpeg = await _result(communicator)
            seen.append(message)
            assert message["found"] and message["fitted"] and _decode(jpeg).shape == (480, 640, 3)
            next_id += 1
            await communicator.send_to(bytes_data=_frame(next_id))  # one more on each result
        assert [m["frame"] for m in seen] == list(range(20, 28)), "every frame answered, in order"
        assert seen[-1]["dropped"] == 0
        assert {"decode", "pose", "render", "encode", "total", "wait"} <= seen[-1]["timings"].keys()
        for _ in range(2):  # the two still in flight
            await _result(communicator)


async def test_next_comes_after_the_pose_and_a_client_pacing_on_it_gets_every_frame_in_order(tee, live_settings):
    """The server says "next" once a frame's pose is done, before its result; sending then loses nothing."""
    live_settings(LIVE_MAX_FPS=1000)
    async with _started() as communicator:
        assert communicator.nexts == [1]

        sent, order = 100, []
        await communicator.send_to(bytes_data=_frame(sent))
        results = {}
        while len(results) < 10:
            message = await _json(communicator, skip_next=False)
            order.append((message["type"], message.get("frame")))
            if message["type"] == "next":
                assert message["frame"] == sent, "next names the latest frame"
                if sent < 109:
                    sent += 1
                    await communicator.send_to(bytes_data=_frame(sent))
                continue
            assert message["type"] == "result", message
            binary = await communicator.receive_from(TIMEOUT)
            assert FRAME_HEADER.unpack_from(binary)[0] == message["frame"]
            assert message["found"] and message["fitted"]
            assert _decode(binary[FRAME_HEADER.size:]).shape == (480, 640, 3)
            results[message["frame"]] = message
        assert list(results) == list(range(100, 110)), "every frame answered, in order"
        assert results[109]["dropped"] == 0
        for frame in range(100, 110):
            assert order.index(("next", frame)) < order.index(("result", frame))


async def test_a_client_sending_only_on_next_is_never_over_the_rate_limit(tee, live_settings):
    """The server says "next" no sooner than the rate limit lets the next frame in: pacing on it loses nothing.

    A lone client on an idle worker is answered faster than LIVE_MAX_FPS; were "next" said when the pose
    ends, its frame would be dropped unanswered and a client pacing on "next" would stall.
    """
    live_settings(LIVE_MAX_FPS=4)
    communicator, connected, _ = await _open()
    try:
        assert connected
        await communicator.send_json_to({"type": "start", "garment": SLUG, "width": 640, "height": 480, "mode": "pose"})
        assert (await _json(communicator))["type"] == "ready"  # one token; the bucket holds 4
        sent, answered, started = 1, [], time.perf_counter()
        await communicator.send_to(bytes_data=_frame(sent))
        while len(answered) < 10:
            message = await _json(communicator, skip_next=False)
            assert message["type"] in ("next", "result"), message  # no rate_limited warning
            if message["type"] == "result":
                answered.append(message["frame"])
            elif message["frame"] == sent and sent < 10:
                sent += 1
                await communicator.send_to(bytes_data=_frame(sent))
        elapsed = time.perf_counter() - started
        assert answered == list(range(1, 11)), "every frame answered"
        # 3 tokens left after "start", then 4 a second: the other 7 frames take at least 7/4 s.
        assert elapsed >= 7 / 4 - 0.05, elapsed
    finally:
        await communicator.disconnect(timeout=5)


async def test_next_comes_for_every_frame_even_when_the_client_reuses_an_id(tee, live_settings):
    """Frame ids are the client's to choose: a client that always sends id 7 still gets "next" each time."""
    live_settings(LIVE_MAX_FPS=1000)
    async with _started(warm=False) as communicator:
        await communicator.send_to(bytes_data=_frame(7))
        nexts = results = 0
        while results < 5:
            message = await _json(communicator, skip_next=False)
            if message["type"] == "next":
                nexts += 1
                if nexts < 5:
                    await communicator.send_to(bytes_data=_frame(7))
                continue
            assert message["type"] == "result" and message["frame"] == 7, message
            await communicator.receive_from(TIMEOUT)
            results += 1
        assert nexts == 5


async def test_pose_mode_sends_the_landmarks_and_no_picture(tee, estimators):
    communicator, connected, _ = await _open()
    try:
        assert connected
        await communicator.send_json_to({"type": "start", "garment": SLUG, "width": 640, "height": 480, "mode": "pose"})
        ready = await _json(communicator)
        assert ready["type"] == "ready" and ready["mode"] == "pose"
        sizes = []
        for frame_id in (7, 8, 9):
            await communicator.send_to(bytes_data=_frame(frame_id))
            while True:
                output = await communicator.receive_output(TIMEOUT)
                assert "bytes" not in output or output["bytes"] is None, "no picture comes back in pose mode"
                message = json.loads(output["text"])
                if message["type"] == "result":
                    break
            sizes.append(len(output["text"]))
            assert message["frame"] == frame_id and message["found"] is True and message["fitted"] is True
            assert len(message["landmarks"]) == 33 and message["timings"]["encode"] == 0.0
        assert await communicator.receive_nothing(0.5)
        assert estimators[-1].segmentation is False  # no person mask: nothing is drawn here
        # The whole reply per frame (result; "next" is about 25 bytes more) is well under 2 KB.
        assert max(sizes) < 2000, sizes
    finally:
        await communicator.disconnect(timeout=5)


async def test_pose_mode_reports_bad_frames_and_failures_by_frame_and_carries_on(tee, estimators, monkeypatch):
    """Pose mode's frames go through the model in one job per busy connection: its errors keep their frame ids."""
    communicator, connected, _ = await _open()
    try:
        assert connected
        await communicator.send_json_to({"type": "start", "garment": SLUG, "width": 640, "height": 480, "mode": "pose"})
        assert (await _json(communicator))["type"] == "ready"
        good = _frame_jpeg()
        await communicator.send_to(bytes_data=_frame(4, good[:400] + b"\xff\xd9"))  # its size is readable; cut
        await _expect_error(communicator, "bad_image", frame=4)

        def explode(*args, **kwargs):
            raise RuntimeError("/secret/path/geometry.py exploded")

        monkeypatch.setattr("tryon.live.fit_garment", explode)
        await communicator.send_to(bytes_data=_frame(5))
        await _expect_error(communicator, "server_error", frame=5)
        monkeypatch.undo()
        await communicator.send_to(bytes_data=_frame(6))
        message = await _json(communicator)
        assert message["type"] == "result" and message["frame"] == 6 and message["fitted"], message
        await communicator.send_to(bytes_data=_frame(7))
        await communicator.send_to(bytes_data=_frame(8))  # pending behind frame 7 when the client leaves
    finally:
        await communicator.disconnect(timeout=10)
    assert consumers.live_connections() == {}
    assert len(estimators) == 1 and estimators[0].closed


async def test_an_unknown_mode_is_refused_clearly(tee):
    communicator, connected, _ = await _open()
    try:
        assert connected
        await communicator.send_json_to({"type": "start", "garment": SLUG, "width": 640, "height": 480, "mode": "video"})
        message = await _expect_error(communicator, "bad_start")
        assert '"mode" must be "render" or "pose"' in message["message"]
        assert (await _start(communicator))["mode"] == "render"  # the connection stays usable
        await communicator.send_json_to({"type": "start", "garment": SLUG, "width": 640, "height": 480, "mode": "pose"})
        message = await _expect_error(communicator, "bad_start")
        assert "open a new connection to change it" in message["message"]
    finally:
        await communicator.disconnect(timeout=5)
