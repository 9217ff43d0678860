// @ts-check
// Main-thread side of pose-worker.js: start it, initialise it, send it camera frames.
//
// A frame reaches the worker as a VideoFrame (new VideoFrame(video), zero-copy where the
// browser can) or, where VideoFrame is missing (Safari < 16.4, Firefox < 130), as an
// ImageBitmap (createImageBitmap(video)); either is transferred, not copied.

/** @typedef {import("./pose-engine.js").PoseResult} PoseResult */
/** @typedef {"videoframe" | "bitmap"} FrameTransport */
/** @typedef {{pose: (PoseResult & {grabMs?: number}) | null, frame: ImageBitmap | null}} DetectedFrame */
/**
 * @typedef {object} WorkerReady
 * @property {"CPU" | "GPU"} delegate
 * @property {boolean} simd
 * @property {string} renderer
 * @property {import("./pose-engine.js").DelegateProbe | null} probe
 * @property {{createMs: number, warmupMs: number}} timings
 */
/**
 * @typedef {object} PoseWorker
 * @property {(model: Uint8Array, delegate: "CPU" | "GPU" | "auto") => Promise<WorkerReady>} init
 * @property {(video: HTMLVideoElement, timestampMs: number) => Promise<DetectedFrame>} detectFrame
 *   the pose in the video's current frame and that frame (for the page to show with it), sent to
 *   the worker at once: frames sent while one is detected wait their turn in the worker
 * @property {((track: MediaStreamTrack, onPose: (result: PoseResult | null, frame: ImageBitmap | null) => void,
 *             onError: (error: Error) => void) => () => void) | null} stream
 *   Where the browser can hand a camera track's frames to a worker (MediaStreamTrackProcessor
 *   and transferable streams): the worker reads and detects frames itself, calling `onPose`
 *   per frame with a copy of the frame detected (or null; the callee closes it); returns a
 *   function that stops it. Null elsewhere.
 * @property {(config: import("./pose-engine.js").MeasureConfig | null) => Promise<void>} measure
 *   measure the body on every frame from now (poses carry a `reading`), or stop with null
 * @property {() => void} terminate
 */

/** @returns {boolean} */
export function canStreamToWorker() {
  if (typeof MediaStreamTrackProcessor !== "function" || typeof ReadableStream !== "function") return false;
  try {
    // Transferable streams: posting one must not throw.
    const { port1, port2 } = new MessageChannel();
    const probe = new ReadableStream();
    port1.postMessage(probe, [probe]);
    port1.close();
    port2.close();
    return true;
  } catch (_) {
    return false;
  }
}

/** @returns {FrameTransport} */
export function defaultTransport() {
  return typeof VideoFrame === "function" ? "videoframe" : "bitmap";
}

/**
 * @param {HTMLVideoElement} video
 * @param {number} timestampMs
 * @param {FrameTransport} transport
 * @returns {Promise<VideoFrame | ImageBitmap>}
 */
async function grabFrame(video, timestampMs, transport) {
  if (transport === "videoframe") return new VideoFrame(video, { timestamp: Math.round(timestampMs * 1000) });
  return createImageBitmap(video);
}

/**
 * Start the worker; it begins importing tasks-vision at once, so that overlaps the model download.
 * @param {URL} workerUrl
 * @param {string} vendorBase absolute URL, trailing slash
 * @param {FrameTransport} transport
 * @returns {PoseWorker}
 */
export function startPoseWorker(workerUrl, vendorBase, transport) {
  const worker = new Worker(workerUrl, { type: "module", name: "fittingroom-pose" });
  /** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void}>} */
  const waiting = new Map();
  let nextId = 1;
  /** @type {Error | null} */
  let dead = null;
  /** @type {{resolve: (value: WorkerReady) => void, reject: (error: Error) => void} | null} */
  let starting = null;
  /** @type {{onPose: (result: PoseResult | null, frame: ImageBitmap | null) => void, onError: (error: Error) => void} | null} */
  let streaming = null;

  /** @param {Error} error */
  const fail = (error) => {
    if (dead) return;
    dead = error;
    starting?.reject(error);
    starting = null;
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
    const stopped = streaming;
    streaming = null;
    stopped?.onError(error);
  };

  worker.addEventListener("message", (event) => {
    const msg = event.data;
    if (msg.type === "ready") {
      starting?.resolve({ delegate: msg.delegate, simd: msg.simd, renderer: msg.renderer, probe: msg.probe, timings: msg.timings });
      starting = null;
    } else if (msg.type === "init-error") {
      fail(new Error(`pose worker: ${msg.message}`));
    } else if (msg.type === "pose") {
      if (streaming) streaming.onPose(msg.result, msg.frame || null);
      else msg.frame?.close();
    } else if (msg.type === "stream-error") {
      streaming?.onError(new Error(`pose worker: ${msg.message}`));
    } else if (msg.type === "result" || msg.type === "error") {
      const pending = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (!pending) {
        msg.frame?.close();
        return;
      }
      if (msg.type === "error") pending.reject(new Error(`pose worker: ${msg.message}`));
      else pending.resolve(msg);
    }
  });
  // Fires when the script cannot load (e.g. no module workers: the import statement is a
  // syntax error) or throws uncaught; either way the worker is no use any more.
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    fail(new Error(`pose worker failed: ${event.message || "could not start"}`));
  });
  worker.addEventListener("messageerror", () => fail(new Error("pose worker: message could not be read")));
  worker.postMessage({ type: "load", vendorBase });

  /**
   * @param {HTMLVideoElement} video
   * @param {number} timestampMs
   * @returns {Promise<DetectedFrame>}
   */
  const send = async (video, timestampMs) => {
    if (dead) throw dead;
    const start = performance.now();
    const frame = await grabFrame(video, timestampMs, transport);
    const grabMs = performance.now() - start;
    if (dead) {
      frame.close();
      throw dead;
    }
    const id = nextId++;
    /** @type {Promise<any>} */
    const reply = new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    worker.postMessage({ type: "detect", id, frame, ts: timestampMs }, [frame]);
    const { result, frame: shown } = await reply;
    return { pose: result ? { ...result, grabMs } : null, frame: shown || null };
  };

  return {
    init(model, delegate) {
      if (dead) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        starting = { resolve, reject };
        // Copied, not transferred: if the worker fails, the main-thread fallback needs the bytes.
        worker.postMessage({ type: "init", model, delegate, vendorBase });
      });
    },
    async detectFrame(video, timestampMs) {
      try {
        return await send(video, timestampMs);
      } catch (error) {
        // A browser with VideoFrame whose WebGL cannot upload one: use ImageBitmap from now on.
        if (dead || transport !== "videoframe") throw error;
        console.warn("pose worker: VideoFrame frames failed, switching to ImageBitmap", error);
        transport = "bitmap";
        return send(video, timestampMs);
      }
    },
    stream: canStreamToWorker()
      ? (track, onPose, onError) => {
        // @ts-ignore MediaStreamTrackProcessor is not in TypeScript's DOM types yet.
        const processor = new MediaStreamTrackProcessor({ track, maxBufferSize: 1 });
        const mine = { onPose, onError };
        streaming = mine;
        worker.postMessage({ type: "stream", readable: processor.readable }, [processor.readable]);
        return () => {
          if (streaming !== mine) return;
          streaming = null;
          if (!dead) worker.postMessage({ type: "stop-stream" });
        };
      }
      : null,
    measure(config) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      const reply = new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ type: "measure", id, config });
      return reply.then(() => undefined);
    },
    terminate() {
      streaming = null;
      fail(new Error("pose worker closed"));
      worker.terminate();
    },
  };
}
