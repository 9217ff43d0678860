// @ts-check
// Module worker that runs the PoseLandmarker off the UI thread. Started by pose-worker-proxy.js.
//
// Protocol (all messages are {type, ...}):
//   in  load   {vendorBase}                 import tasks-vision + WASM loader (while the page downloads the model)
//   in  init   {model: Uint8Array, delegate} create the landmarker  -> ready {delegate, simd, renderer, probe, timings}
//                                                                    | init-error {message}
//   in  detect {id, frame, ts}               frame: ImageBitmap or VideoFrame (transferred). Detects
//                                            arriving while one runs wait their turn, in order.
//                                                                    -> result {id, result: PoseResult|null,
//                                                                       frame: the frame detected
//                                                                       for the page to show (an ImageBitmap
//                                                                       given back as it came, a VideoFrame as
//                                                                       a copy; transferred) or null}
//                                                                    | error {id, message}
//   in  stream {readable}                    read camera frames itself: a MediaStreamTrackProcessor's
//                                            ReadableStream<VideoFrame> (transferred). Each frame read
//                                            is detected and closed; the processor keeps only the newest
//                                            frame while one is detected, so stale ones are skipped
//                                                                    -> pose {result: PoseResult|null,
//                                                                       frame: ImageBitmap|null (a copy of
//                                                                       the frame detected, transferred, for
//                                                                       the page to show under the garment)}
//                                                                       per frame | stream-error {message}
//   in  measure {id, config}                 measure the body on every frame from now (config:
//                                            {heightCm, levels, ranges}), or stop (config null);
//                                            poses then carry a `reading` (bodymeasure.js) -> result {id, result: null}
//                                                                    | error {id, message}
//   in  stop-stream                          stop reading (cancels the stream)
//   in  close                                 close the landmarker and end the worker

import { blockCrossOriginFetch } from "./pose-privacy.js";
import { createEngine, loadVision } from "./pose-engine.js";
import { probeWebGL } from "./pose-gpu.js";

/** @typedef {import("./pose-engine.js").PoseEngine} PoseEngine */
/** @typedef {import("./pose-engine.js").VisionRuntime} VisionRuntime */

const scope = /** @type {any} */ (self);
blockCrossOriginFetch(scope);
// A worker's CSP violations reach neither the page's listeners nor (in Chromium) the console:
// say them out loud so the privacy browser test can see them.
scope.addEventListener("securitypolicyviolation", (/** @type {SecurityPolicyViolationEvent} */ event) => {
  console.error(`CSP violation in pose worker: ${event.violatedDirective} ${event.blockedURI}`);
});

/** @type {Promise<VisionRuntime> | null} */
let runtime = null;
/** @type {PoseEngine | null} */
let engine = null;

/** @param {unknown} error */
const describe = (error) => (error instanceof Error ? error.message : String(error));

/** @param {string} vendorBase */
function load(vendorBase) {
  if (!runtime) {
    runtime = loadVision(vendorBase);
    runtime.catch(() => {}); // reported by init
  }
  return runtime;
}

/** @param {{model: Uint8Array, delegate: "CPU" | "GPU" | "auto", vendorBase: string}} msg */
async function init(msg) {
  try {
    const webgl = probeWebGL();
    if (!webgl.webgl || typeof OffscreenCanvas !== "function") throw new Error("no WebGL in workers here");
    const loaded = await load(msg.vendorBase);
    engine = await createEngine(loaded, msg.model, msg.delegate, webgl);
    scope.postMessage({
      type: "ready", delegate: engine.delegate, simd: loaded.simd, renderer: webgl.renderer, probe: engine.probe, timings: engine.timings,
    });
  } catch (error) {
    scope.postMessage({ type: "init-error", message: describe(error) });
  }
}

/** @param {{id: number, frame: ImageBitmap | VideoFrame, ts: number}} msg */
async function detect(msg) {
  const frame = msg.frame;
  /** @type {ImageBitmap | null} */
  let shown = null;
  try {
    if (!engine) throw new Error("pose worker is not initialised");
    // The frame goes back with its pose so the page can show the two together: an
    // ImageBitmap as it came (no copy), a VideoFrame as a copy made while the pose runs (as the
    // stream below does), so the page's thread makes no copy of its own.
    const copy = frame instanceof ImageBitmap ? null : createImageBitmap(frame).catch(() => null);
    const result = engine.detect(frame, msg.ts);
    shown = frame instanceof ImageBitmap ? frame : await copy;
    scope.postMessage({ type: "result", id: msg.id, result, frame: shown }, shown ? [shown] : []);
  } catch (error) {
    scope.postMessage({ type: "error", id: msg.id, message: describe(error) });
  } finally {
    if (shown !== frame) frame.close();
  }
}

/** @param {{id: number, config: import("./pose-engine.js").MeasureConfig | null}} msg */
async function measure(msg) {
  try {
    if (!engine) throw new Error("pose worker is not initialised");
    await engine.setMeasure(msg.config);
    scope.postMessage({ type: "result", id: msg.id, result: null });
  } catch (error) {
    scope.postMessage({ type: "error", id: msg.id, message: describe(error) });
  }
}

/** @type {ReadableStreamDefaultReader<VideoFrame> | null} */
let reader = null;

/**
 * Detect on every frame `readable` yields until it ends or another stream replaces it. No
 * round trip through the page per frame: the next frame is read as soon as one is done.
 * @param {ReadableStream<VideoFrame>} readable
 */
async function stream(readable) {
  stopStream();
  const mine = readable.getReader();
  reader = mine;
  try {
    for (;;) {
      const { value: frame, done } = await mine.read();
      if (done || reader !== mine) {
        frame?.close();
        break;
      }
      try {
        if (!engine) throw new Error("pose worker is not initialised");
        // A copy of this very frame goes back with its pose, so the page can show the two together
        // (the camera's newer frames would leave the garment trailing the body). It is made while
        // the pose runs, and the camera's frame is closed as soon as it is copied: passing the
        // frame itself on instead held the capture pipeline up (18-37% fewer poses a second in
        // bench/browser.py, against about 6% fewer with the copy).
        const copy = createImageBitmap(frame).catch(() => null);
        const result = engine.detect(frame, performance.now());
        const shown = await copy;
        scope.postMessage({ type: "pose", result, frame: shown }, shown ? [shown] : []);
      } finally {
        frame.close();
      }
    }
  } catch (error) {
    if (reader === mine) scope.postMessage({ type: "stream-error", message: describe(error) });
  } finally {
    if (reader === mine) reader = null;
  }
}

function stopStream() {
  const old = reader;
  reader = null;
  old?.cancel().catch(() => {});
}

scope.onmessage = (/** @type {MessageEvent} */ event) => {
  const msg = event.data;
  switch (msg && msg.type) {
    case "load":
      load(msg.vendorBase);
      break;
    case "init":
      init(msg);
      break;
    case "detect":
      detect(msg);
      break;
    case "stream":
      stream(msg.readable);
      break;
    case "measure":
      measure(msg);
      break;
    case "stop-stream":
      stopStream();
      break;
    case "close":
      stopStream();
      engine?.close();
      engine = null;
      scope.close();
      break;
    default:
      console.warn("pose worker: unknown message", msg);
  }
};
