// ServerTryOn (static/tryon/js/server-client.js) reconnects when a worker dies: a fake WebSocket
// stands in for the server, so the test controls every open, message and close.
// Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

/** @type {FakeSocket[]} */
let sockets = [];

class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url) {
    this.url = url;
    this.readyState = FakeSocket.CONNECTING;
    this.sent = [];
    sockets.push(this);
  }

  send(data) {
    if (this.readyState !== FakeSocket.OPEN) throw new Error("send on a socket that is not open");
    this.sent.push(typeof data === "string" ? JSON.parse(data) : data);
  }

  close(code = 1000) {
    this.readyState = FakeSocket.CLOSED;
    this.closedWith = code;
  }

  // What the server does:
  accept() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  say(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code = 1006) {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code });
  }

  frames() {
    return this.sent.filter((m) => m instanceof Uint8Array);
  }

  starts() {
    return this.sent.filter((m) => !(m instanceof Uint8Array) && m.type === "start");
  }
}

globalThis.WebSocket = FakeSocket;
globalThis.window = globalThis;
globalThis.document = {
  createElement: () => ({
    width: 0,
    height: 0,
    getContext: () => ({ setTransform() {}, drawImage() {} }),
    toBlob: (callback) => callback({ arrayBuffer: async () => new Uint8Array([0xff, 0xd8, 1, 2, 0xff, 0xd9]).buffer }),
  }),
};

const { ServerTryOn, RETRY_CODES } = await import("../../static/tryon/js/server-client.js");

const video = { videoWidth: 640, videoHeight: 480 };
const FAST = { baseMs: 5, maxMs: 20, giveUpMs: 300 };
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, timeoutMs = 1000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await tick(1);
  }
}

function client(extra = {}) {
  sockets = [];
  const events = { closes: [], reconnects: [], poses: 0, errors: [] };
  const server = new ServerTryOn({
    url: "ws://shop.example/ws/tryon/",
    mode: "pose",
    reconnect: FAST,
    onPose: () => events.poses++,
    onError: (code) => events.errors.push(code),
    onClose: (code) => events.closes.push(code),
    onReconnect: (r) => events.reconnects.push(r),
    ...extra,
  });
  return { server, events };
}

/** Accept the latest socket, answer "start" with "ready" and one frame with its result. */
async function serve(socket, garment = "tee") {
  socket.accept();
  assert.equal(socket.starts().at(-1).garment, garment);
  socket.say({ type: "ready", garment, mode: "pose" });
  await until(() => socket.frames().length === 1);
  const id = new DataView(socket.frames()[0].buffer).getUint32(0);
  socket.say({ type: "result", frame: id, found: true, fitted: true, landmarks: [], width: 640, height: 480 });
}

test("a dropped connection is reopened, start is sent again with the current garment, streaming resumes", async () => {
  const { server, events } = client();
  server.start(video, "tee", true);
  await serve(sockets[0]);
  assert.equal(events.poses, 1);
  server.setGarment("jacket");
  assert.deepEqual(sockets[0].sent.at(-1), { type: "garment", garment: "jacket" });

  sockets[0].drop(1006); // the worker was killed
  assert.equal(events.reconnects[0].state, "reconnecting");
  assert.equal(events.reconnects[0].code, 1006);
  await until(() => sockets.length === 2);
  await serve(sockets[1], "jacket");
  assert.equal(events.poses, 2, "the pose of the new connection reaches the page");
  assert.deepEqual(events.reconnects.map((r) => r.state), ["reconnecting", "resumed"]);
  assert.deepEqual(events.closes, [], "the page is not told the connection closed");
  assert.equal(server.reconnects, 1);
  server.stop();
  assert.equal(sockets[1].closedWith, 1000);
});

test("failed attempts back off and the client gives up after the budget, then onClose", async () => {
  const { server, events } = client();
  server.start(video, "tee", true);
  await serve(sockets[0]);
  const dropped = performance.now();
  sockets[0].drop(1006);
  // Every new connection fails (no worker up): the proxy answers and closes at once.
  while (events.closes.length === 0) {
    await until(() => sockets.at(-1).readyState === FakeSocket.CONNECTING || events.closes.length > 0, 2000);
    if (events.closes.length) break;
    sockets.at(-1).drop(1006);
  }
  const elapsed = performance.now() - dropped;
  assert.deepEqual(events.closes, [1006]);
  assert.equal(events.reconnects.at(-1).state, "failed");
  assert.ok(elapsed >= FAST.giveUpMs, `gave up after ${elapsed} ms`);
  assert.ok(elapsed < FAST.giveUpMs + 200, `gave up after ${elapsed} ms`);
  const attempts = sockets.length - 1;
  // Doubling from 5 ms to at most 20 ms over 300 ms: about 15-25 attempts, not hundreds.
  assert.ok(attempts >= 8 && attempts <= 40, `${attempts} attempts`);
  const waits = events.reconnects.filter((r) => r.state === "reconnecting").map((r) => r.downMs);
  assert.ok(waits[1] - waits[0] < waits.at(-1) - waits.at(-2) + 15, "later attempts wait longer");
  assert.equal(server.running, false);
});

test("deliberate closes are not retried: normal, idle timeout, too many connections", async () => {
  for (const code of [1000, 4008, 4029]) {
    assert.equal(RETRY_CODES.has(code), false);
    const { server, events } = client();
    server.start(video, "tee", true);
    await serve(sockets[0]);
    sockets[0].drop(code);
    await tick(30);
    assert.equal(sockets.length, 1, `no new connection after ${code}`);
    assert.deepEqual(events.closes, [code]);
    assert.deepEqual(events.reconnects, []);
  }
});

test("a busy or unavailable server (4503) is retried, and the old socket's late events are ignored", async () => {
  const { server, events } = client();
  server.start(video, "tee", true);
  sockets[0].accept();
  sockets[0].say({ type: "error", code: "unavailable", message: "Redis is down" });
  sockets[0].drop(4503);
  await until(() => sockets.length === 2);
  sockets[0].say({ type: "ready", garment: "tee" }); // a stale message from the old socket
  assert.deepEqual(events.reconnects.map((r) => r.state), ["reconnecting"]);
  await serve(sockets[1]);
  assert.deepEqual(events.reconnects.map((r) => r.state), ["reconnecting", "resumed"]);
  assert.deepEqual(events.errors, ["unavailable"]);
  server.stop();
});

test("stop() during a reconnect cancels it", async () => {
  const { server, events } = client({ reconnect: { baseMs: 50, maxMs: 50, giveUpMs: 1000 } });
  server.start(video, "tee", true);
  await serve(sockets[0]);
  sockets[0].drop(1006);
  await until(() => sockets.length === 2);
  sockets[1].drop(1006); // the next attempt waits ~50 ms
  server.stop();
  await tick(120);
  assert.equal(sockets.length, 2, "no connection opened after stop()");
  assert.deepEqual(events.closes, []);
});

test("frames keep to the server's rate limit (ready's max_fps), even when next and results come faster", async () => {
  const { server } = client();
  server.start(video, "tee", true);
  const socket = sockets[0];
  socket.accept();
  socket.say({ type: "ready", garment: "tee", mode: "pose", limits: { max_fps: 20 } });
  const began = performance.now();
  try {
    for (let n = 1; n <= 6; n++) {
      await until(() => socket.frames().length >= n, 1000);
      const id = new DataView(socket.frames()[n - 1].buffer).getUint32(0);
      socket.say({ type: "next", frame: id }); // the server answers at once
      socket.say({ type: "result", frame: id, found: true, fitted: true, landmarks: [], width: 640, height: 480 });
    }
    const elapsed = performance.now() - began;
    // Five gaps of at least 50 ms (20 a second), not back to back.
    assert.ok(elapsed >= 5 * 50 - 5, `6 frames in ${elapsed} ms`);
  } finally {
    server.stop();
  }
});

test("pose mode sends 480 px on the long side, and on a slow link lowers the quality, then the size", async () => {
  const hd = { videoWidth: 1280, videoHeight: 720 };
  const { server } = client({ targetRttMs: 5 });
  server.start(hd, "tee", true);
  try {
    assert.deepEqual([server.canvas.width, server.canvas.height], [480, 270]);
    const socket = sockets[0];
    socket.accept();
    socket.say({ type: "ready", garment: "tee", mode: "pose", limits: { max_fps: 1000 } });
    const sides = [];
    for (let n = 1; n <= 30; n++) {
      await until(() => socket.frames().length >= n, 1000);
      const id = new DataView(socket.frames()[n - 1].buffer).getUint32(0);
      await tick(10); // every reply slower than the 5 ms target
      socket.say({ type: "result", frame: id, found: true, fitted: true, landmarks: [], width: 480, height: 270 });
      sides.push(Math.max(server.canvas.width, server.canvas.height));
    }
    assert.equal(server.quality, 0.6, "the quality came down to its floor first");
    // Two replies to reach the floor (the second counts as slow at it), then ten at it for each
    // smaller size: 384 from the 11th reply, 320 from the 21st.
    assert.deepEqual([sides[9], sides[10], sides[19], sides[20], sides[29]], [480, 384, 384, 320, 320]);
    assert.deepEqual([server.canvas.width, server.canvas.height], [320, 180]);
  } finally {
    server.stop();
  }
});

test("render mode keeps sending 640 px wide frames", () => {
  const { server } = client({ mode: "render" });
  server.start({ videoWidth: 1280, videoHeight: 720 }, "tee", true);
  assert.deepEqual([server.canvas.width, server.canvas.height], [640, 360]);
  server.stop();
});

test("keepFrames: each pose comes with the video frame it was found in, and frames without a pose are closed", async () => {
  const made = [];
  globalThis.createImageBitmap = async (source) => {
    const bitmap = { source, closed: false, close() { this.closed = true; } };
    made.push(bitmap);
    return bitmap;
  };
  const poses = [];
  const { server } = client({ keepFrames: true, onPose: (p) => poses.push(p) });
  server.start(video, "tee", true);
  try {
    const socket = sockets[0];
    socket.accept();
    socket.say({ type: "ready", garment: "tee", mode: "pose" });
    await until(() => socket.frames().length === 1);
    const first = new DataView(socket.frames()[0].buffer).getUint32(0);
    socket.say({ type: "next", frame: first });
    await until(() => socket.frames().length === 2);
    const second = new DataView(socket.frames()[1].buffer).getUint32(0);
    // The server dropped the first frame (a newer one replaced it): only the second is answered.
    socket.say({ type: "result", frame: second, found: true, fitted: true, landmarks: [[0.5, 0.5, 0, 1]], width: 480, height: 360 });
    await until(() => poses.length === 1);
    assert.equal(poses[0].frame, made[1], "the pose comes with its own frame");
    assert.equal(poses[0].frame.source, video, "copied from the video, not the small upload");
    assert.equal(made[0].closed, true, "the dropped frame's copy is closed");
    assert.equal(made[1].closed, false, "the page owns the frame it was given");
  } finally {
    server.stop();
    delete globalThis.createImageBitmap;
  }
  await tick(1);
  assert.ok(made.length === 3 && made.slice(2).every((b) => b.closed), "stop() closes the frames still waiting for a pose");
});
