// The server fallback: camera frames go to the server over a WebSocket. Used only after the
// shopper agreed. In "pose" mode (the page's default) the server finds the pose and sends back its
// landmarks alone (~1.2 KB a frame), and the page draws the garment on its own video with the same
// geometry as the on-device path; in "render" mode it sends composited frames back, for a page that
// cannot draw (no 2D canvas) and for the parity tests (?server=render).
//
// Protocol (tryon/consumers.py): text {"type": "start", garment, width, height}; binary frames of
// a 4-byte big-endian id + JPEG; per frame the server answers "next" once the frame's pose is
// done, then a JSON "result" and a binary message with the same id + the composited JPEG. One
// frame in flight: the next frame is sent on "next" (while the server draws the previous one),
// or when a result arrives for the latest frame sent, so nothing queues anywhere.
//
// Upload: render mode sends frames 640 px wide (the composite comes back at that size and is what
// the shopper sees). Pose mode sends what the pose needs: 480 px on the long side to start with,
// JPEG quality 0.6-0.8. bench/upload_size.py (the server's pose over a moving clip, against the
// full-size frame): 480 px at q80 moves the torso landmarks by a median 3.5-5.6 CSS px on a phone
// screen, 640 px by 3.0-4.1, 384 px by 4.5-6.5, 256 px by 6.3-10; q60 costs about as much as
// one size step. So on a slow link the quality comes down first, then the size (384, then 320),
// and both go back up when the round trip allows.
//
// Reconnection: the server runs several worker processes behind a proxy. When the connection drops
// without the server closing it on purpose (a worker died: 1006; restarting: 1001, 1011-1013; busy
// or briefly unavailable: 4503), the client opens a new one (the proxy sends it to a live worker),
// re-sends "start" with the current garment and carries on streaming, with exponential backoff
// (100 ms doubling to 2 s, with jitter) for at most 30 s. Meanwhile `onReconnect` says so, so the
// page can show a brief note; `onClose` is called only when it gives up, or for a deliberate close
// (1000, idle 4008, too many connections 4029).

const MAX_WIDTH = 640;
/** Pose mode: the frame's long side, the first while the link keeps up, then smaller. */
export const POSE_LONG_SIDES = [480, 384, 320];
/** JPEG quality range per mode (it adapts to the round trip within it). */
const QUALITY = { render: { min: 0.45, max: 0.8 }, pose: { min: 0.6, max: 0.8 } };
const TARGET_RTT_MS = 180;
/** Replies in a row over the target, at the lowest quality, before a smaller size; under half of
 * it at the best quality before a larger one. */
const SMALLER_AFTER = 10;
const LARGER_AFTER = 60;
const RESEND_AFTER_MS = 1500;
/** Close codes after which the client reconnects (the server did not mean to end the stream). */
export const RETRY_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 1014, 4503]);
export const RECONNECT = { baseMs: 100, maxMs: 2000, giveUpMs: 30000 };

/**
 * @typedef {object} ServerFrame
 * @property {ImageBitmap} image the composited frame
 * @property {boolean} found a person was found
 * @property {boolean} fitted the garment was drawn
 * @property {number} rttMs round trip for this frame
 */
/**
 * @typedef {object} ServerReconnect
 * @property {"reconnecting" | "resumed" | "failed"} state reconnecting: the connection dropped and a
 *   new one is being opened; resumed: the server answers again ("ready"); failed: given up (onClose follows)
 * @property {number} attempt connection attempts since the drop (0 when resumed)
 * @property {number} code the close code that started it
 * @property {number} downMs time since the drop
 */
/**
 * @typedef {object} ServerPose
 * @property {number[][] | null} landmarks normalised to the frame sent (mirrored like the view)
 * @property {boolean} found a person was found
 * @property {boolean} fitted the garment fits on the pose
 * @property {number} rttMs round trip for this frame
 * @property {number} bytes the reply's size (the result message)
 * @property {number} bytesUp the size of the frame sent (its JPEG and id)
 * @property {number} uploadSide the long side of the frames sent now (px)
 * @property {ImageBitmap|null} frame with `keepFrames`: the video frame (full size, not mirrored) the
 *   pose was found in, for a display that shows the garment on that very frame; the page owns it
 *   and must close() it
 */

export class ServerTryOn {
  /**
   * @param {{url: string, onFrame?: (f: ServerFrame) => void, onPose?: (p: ServerPose) => void,
   *          onError: (code: string, message: string) => void, onClose: (code: number) => void,
   *          onReconnect?: (r: ServerReconnect) => void, reconnect?: typeof RECONNECT,
   *          mode?: "pose" | "render", targetRttMs?: number, keepFrames?: boolean}} options
   */
  constructor({ url, onFrame, onPose, onError, onClose, onReconnect, reconnect = RECONNECT, mode = "render",
    targetRttMs = TARGET_RTT_MS, keepFrames = false }) {
    this.url = url;
    this.mode = mode;
    /** Pose mode: keep a copy of each video frame sent until its pose comes back (ServerPose.frame). */
    this.keepFrames = keepFrames && mode === "pose";
    /** @type {Map<number, Promise<ImageBitmap|null>>} the kept frames by frame id */
    this.kept = new Map();
    this.targetRttMs = targetRttMs;
    this.qualityRange = QUALITY[mode === "pose" ? "pose" : "render"];
    /** Pose mode: the index in POSE_LONG_SIDES of the size sent now, and replies in a row slow or fast. */
    this.sizeStep = 0;
    this.slowReplies = 0;
    this.fastReplies = 0;
    this.bytesUp = 0;
    this.onFrame = onFrame || (() => {});
    this.onPose = onPose || (() => {});
    this.onError = onError;
    this.onClose = onClose;
    this.onReconnect = onReconnect || (() => {});
    this.reconnect = reconnect;
    this.garment = "";
    /** @type {{since: number, attempt: number, code: number, timer: number|undefined} | null} */
    this.outage = null;
    this.reconnects = 0;
    /** @type {WebSocket|null} */
    this.ws = null;
    /** @type {HTMLVideoElement|null} */
    this.video = null;
    this.mirror = true;
    this.quality = 0.7;
    this.rttMs = 0;
    this.frames = 0;
    this.sentAt = new Map();
    this.nextId = 1;
    this.lastSentId = 0;
    this.lastResult = null;
    this.inFlight = false;
    this.lastSentAt = 0;
    /** The server's rate limit ("ready"'s max_fps) as the shortest time between frames: faster ones are dropped unanswered. */
    this.minIntervalMs = 0;
    /** @type {number|undefined} a sendFrame put off to keep to the rate limit */
    this.sendTimer = undefined;
    this.running = false;
    this.canvas = document.createElement("canvas");
    /** @type {number|undefined} */
    this.watchdog = undefined;
  }

  /**
   * Open the connection and start streaming `video`, mirrored for a selfie view.
   * @param {HTMLVideoElement} video @param {string} garment @param {boolean} mirror
   */
  start(video, garment, mirror) {
    this.video = video;
    this.mirror = mirror;
    this.resize();
    this.garment = garment;
    this.running = true;
    this.open();
    this.watchdog = window.setInterval(() => {
      // A frame dropped by the server (rate limit, replaced) gets no reply: send another.
      if (this.inFlight && performance.now() - this.lastSentAt > RESEND_AFTER_MS) {
        this.inFlight = false;
        this.sendFrame();
      }
    }, 500);
  }

  /** Size the frames sent: 640 px wide in render mode; in pose mode the current long side. */
  resize() {
    const video = /** @type {HTMLVideoElement} */ (this.video);
    const scale = this.mode === "pose"
      ? Math.min(1, POSE_LONG_SIDES[this.sizeStep] / Math.max(video.videoWidth, video.videoHeight))
      : Math.min(1, MAX_WIDTH / video.videoWidth);
    this.canvas.width = Math.round(video.videoWidth * scale);
    this.canvas.height = Math.round(video.videoHeight * scale);
  }

  /** Pose mode: a smaller frame after many slow replies at the lowest quality, a larger one after many fast ones at the best. */
  adaptSize() {
    const { min, max } = this.qualityRange;
    this.slowReplies = this.rttMs > this.targetRttMs && this.quality <= min + 1e-9 ? this.slowReplies + 1 : 0;
    this.fastReplies = this.rttMs < this.targetRttMs / 2 && this.quality >= max - 1e-9 ? this.fastReplies + 1 : 0;
    let step = this.sizeStep;
    if (this.slowReplies >= SMALLER_AFTER && step < POSE_LONG_SIDES.length - 1) step++;
    else if (this.fastReplies >= LARGER_AFTER && step > 0) step--;
    if (step === this.sizeStep) return;
    this.sizeStep = step;
    this.slowReplies = this.fastReplies = 0;
    // Landmarks are normalised to the frame sent: the page needs no word of this.
    this.resize();
  }

  /** Open a connection and say "start" on it (the first time, and after each drop). */
  open() {
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    this.inFlight = false;
    this.sentAt.clear();
    this.dropKept();
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "start", garment: this.garment, width: this.canvas.width, height: this.canvas.height, mode: this.mode }));
    };
    ws.onmessage = (event) => {
      if (this.ws === ws) this.handle(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws === ws) this.closed(event.code);
    };
    ws.onerror = () => {};
  }

  /**
   * The connection closed: reconnect if the server did not mean it and the budget allows, else end.
   * @param {number} code
   */
  closed(code) {
    this.ws = null;
    this.inFlight = false;
    if (!this.running) return;
    const now = performance.now();
    const retry = RETRY_CODES.has(code) && (!this.outage || now - this.outage.since < this.reconnect.giveUpMs);
    if (!retry) {
      const failed = this.outage !== null;
      const outage = this.outage;
      this.running = false;
      this.outage = null;
      clearInterval(this.watchdog);
      if (failed && outage) this.onReconnect({ state: "failed", attempt: outage.attempt, code: outage.code, downMs: now - outage.since });
      this.onClose(code);
      return;
    }
    if (!this.outage) this.outage = { since: now, attempt: 0, code, timer: undefined };
    const outage = this.outage;
    // The first retry at once (another worker is likely up); then doubling, with jitter so that
    // the shoppers of a dead worker do not all come back in the same millisecond.
    const base = outage.attempt === 0 ? 0 : Math.min(this.reconnect.maxMs, this.reconnect.baseMs * 2 ** (outage.attempt - 1));
    const delay = base * (0.75 + 0.5 * Math.random());
    outage.attempt++;
    this.onReconnect({ state: "reconnecting", attempt: outage.attempt, code: outage.code, downMs: now - outage.since });
    outage.timer = window.setTimeout(() => {
      if (this.running && this.outage === outage) this.open();
    }, delay);
  }

  /** @param {string} garment */
  setGarment(garment) {
    this.garment = garment;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "garment", garment }));
  }

  stop() {
    this.running = false;
    clearInterval(this.watchdog);
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    if (this.outage) clearTimeout(this.outage.timer);
    this.outage = null;
    if (this.ws) this.ws.close(1000);
    this.ws = null;
    this.dropKept();
  }

  /** @param {string|ArrayBuffer} data */
  async handle(data) {
    if (typeof data === "string") {
      const message = JSON.parse(data);
      if (message.type === "ready") {
        const maxFps = Number(message.limits?.max_fps);
        this.minIntervalMs = maxFps > 0 ? 1000 / maxFps : 0;
        if (this.outage) {
          const outage = this.outage;
          this.outage = null;
          this.reconnects++;
          this.onReconnect({ state: "resumed", attempt: 0, code: outage.code, downMs: performance.now() - outage.since });
        }
        this.sendFrame();
      }
      else if (message.type === "next") {
        // The server's model is free: send the next frame while it draws this one.
        if (message.frame === this.lastSentId) {
          this.inFlight = false;
          this.sendFrame();
        }
      } else if (message.type === "result") {
        this.lastResult = message;
        if (this.mode === "pose") this.replied(message.frame, data.length);
      }
      else if (message.type === "error") {
        this.onError(message.code, message.message);
        if (message.frame !== undefined || message.code === "bad_image" || message.code === "server_error") {
          this.inFlight = false;
          this.sendFrame();
        }
      }
      return;
    }
    const id = new DataView(data).getUint32(0);
    this.replied(id, data.byteLength);
    const result = this.lastResult || {};
    const image = await createImageBitmap(new Blob([new Uint8Array(data, 4)], { type: "image/jpeg" }));
    this.frames++;
    this.onFrame({ image, found: Boolean(result.found), fitted: Boolean(result.fitted), rttMs: this.rttMs });
  }

  /**
   * The reply to frame `id` arrived (its composited JPEG, or in pose mode its result): time the round
   * trip, adapt the JPEG quality to it, send the next frame, and in pose mode hand the pose on.
   * @param {number} id @param {number} bytes
   */
  replied(id, bytes) {
    const sent = this.sentAt.get(id);
    for (const older of this.sentAt.keys()) if (older <= id) this.sentAt.delete(older);
    if (id === this.lastSentId) this.inFlight = false; // no "next" seen (or lost): send on the result
    if (sent !== undefined) {
      const rtt = performance.now() - sent;
      this.rttMs = this.rttMs ? 0.8 * this.rttMs + 0.2 * rtt : rtt;
      // Adapt JPEG quality to the round trip: smaller frames on a slow link.
      const q = this.quality + (this.rttMs > this.targetRttMs ? -0.05 : 0.02);
      this.quality = Math.min(this.qualityRange.max, Math.max(this.qualityRange.min, q));
      if (this.mode === "pose") this.adaptSize();
    }
    this.sendFrame();
    if (this.mode === "pose") {
      const r = this.lastResult || {};
      this.frames++;
      const pose = { landmarks: r.landmarks || null, found: Boolean(r.found), fitted: Boolean(r.fitted), rttMs: this.rttMs, bytes,
        bytesUp: this.bytesUp, uploadSide: Math.max(this.canvas.width, this.canvas.height), frame: null };
      const kept = this.kept.get(id);
      this.dropKept(id);
      if (!kept) {
        this.onPose(pose);
        return;
      }
      kept.then((frame) => {
        if (this.running) this.onPose({ ...pose, frame });
        else frame?.close();
      });
    }
  }

  /** Close the kept frames up to `id` (all of them without one): their poses will not come, or came. */
  dropKept(id = Infinity) {
    for (const [older, frame] of this.kept) {
      if (older > id) continue;
      this.kept.delete(older);
      if (older !== id) frame.then((f) => f?.close());
    }
  }

  sendFrame() {
    const ws = this.ws;
    const video = this.video;
    if (!this.running || !ws || ws.readyState !== WebSocket.OPEN || !video || this.inFlight) return;
    // Keep to the server's rate limit: a frame over it gets no reply, and the stream would stall
    // until the watchdog re-sends (a lone client on an idle worker can be answered faster).
    const wait = this.lastSentAt + this.minIntervalMs - performance.now();
    if (wait > 0) {
      if (this.sendTimer === undefined) {
        this.sendTimer = window.setTimeout(() => {
          this.sendTimer = undefined;
          this.sendFrame();
        }, wait);
      }
      return;
    }
    const ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    ctx.setTransform(this.mirror ? -1 : 1, 0, 0, 1, this.mirror ? this.canvas.width : 0, 0);
    ctx.drawImage(video, 0, 0, this.canvas.width, this.canvas.height);
    this.inFlight = true;
    this.lastSentAt = performance.now();
    const id = this.nextId++ >>> 0;
    this.lastSentId = id;
    // The frame as the camera gave it (the page draws it as it draws its video), not the small upload.
    if (this.keepFrames) this.kept.set(id, createImageBitmap(video).catch(() => null));
    this.canvas.toBlob(
      async (blob) => {
        const jpeg = blob ? new Uint8Array(await blob.arrayBuffer()) : null;
        if (!jpeg || !this.running || ws.readyState !== WebSocket.OPEN) {
          this.inFlight = false; // (checked after the read: the socket may have closed meanwhile)
          return;
        }
        const message = new Uint8Array(4 + jpeg.length);
        new DataView(message.buffer).setUint32(0, id);
        message.set(jpeg, 4);
        this.sentAt.set(id, performance.now());
        this.bytesUp = message.length;
        ws.send(message);
      },
      "image/jpeg",
      this.quality,
    );
  }
}
