// @ts-check
// On-device pose estimation for the live try-on: one entry point, createPoseClient().
//
// Runs MediaPipe PoseLandmarker (tasks-vision, WebAssembly) in a module worker so inference
// does not block the UI thread; falls back to the main thread when workers, OffscreenCanvas or
// WebGL-in-a-worker are missing or the worker fails to start. Everything is loaded from our own
// static files; nothing is sent anywhere (see pose-privacy.js).
//
//   const pose = await createPoseClient({
//     vendorBase: "/static/vendor/mediapipe/tasks-vision/",
//     modelUrl: "/static/vendor/models/pose_landmarker_lite.task",
//     onProgress: ({ loaded, total }) => bar.update(loaded / 1e6, total / 1e6),
//   });
//   const { pose: found, frame } = await pose.detectFrame(video, performance.now()); // found null: nobody in view
//
// Landmarks are MediaPipe's 33 pose points as [x, y, z, visibility], x and y normalised to the
// unmirrored camera frame (mirror them yourself for a selfie view).

import { createEngine, loadVision } from "./pose-engine.js";
import { fetchModel } from "./pose-model.js";
import { blockCrossOriginFetch } from "./pose-privacy.js";
import { defaultTransport, startPoseWorker } from "./pose-worker-proxy.js";

/** @typedef {import("./pose-engine.js").PoseResult} PoseResult */
/** @typedef {import("./pose-model.js").DownloadProgress} DownloadProgress */
/** @typedef {import("./pose-worker-proxy.js").FrameTransport} FrameTransport */
/** @typedef {import("./pose-worker-proxy.js").DetectedFrame} DetectedFrame */

/**
 * @typedef {object} PoseClientOptions
 * @property {string} vendorBase URL of static/vendor/mediapipe/tasks-vision/
 * @property {string} modelUrl URL of a pose_landmarker_*.task file
 * @property {boolean} [preferWorker] run inference in a worker when possible (default true)
 * @property {"CPU" | "GPU" | "auto"} [delegate] default "CPU". "auto" tries the GPU only on
 *   hardware WebGL and keeps it only when it is clearly faster than the CPU on a probe frame.
 * @property {(progress: DownloadProgress) => void} [onProgress] model download bytes
 * @property {number} [modelBytes] the model's size, for progress when it arrives compressed
 *   (total is 0 while unknown)
 * @property {FrameTransport} [transport] how frames reach the worker; default VideoFrame
 *   where available, else ImageBitmap (for benchmarks)
 */

/**
 * @typedef {object} PoseClientInfo diagnostics, not part of the stable API
 * @property {number} modelMs model download time
 * @property {number} readyMs createPoseClient() start to ready
 * @property {number} [createMs] landmarker creation (WASM instantiate + graph), after the download
 * @property {number} [warmupMs] the warm-up frame
 * @property {number} modelBytes
 * @property {string} [fallbackReason] why the worker was not used
 * @property {string} [renderer] WebGL renderer name
 * @property {import("./pose-engine.js").DelegateProbe | null} [probe] how "auto" decided
 * @property {FrameTransport} [transport]
 */

/**
 * @typedef {object} PoseClient
 * @property {"worker" | "main"} mode
 * @property {"CPU" | "GPU"} delegate
 * @property {boolean} simd
 * @property {PoseClientInfo} info
 * @property {(video: HTMLVideoElement, timestampMs: number) => Promise<DetectedFrame>} detectFrame
 *   The pose in the video's current frame (null: nobody in view, or no frame yet) and a copy of
 *   that frame for the page to show with it (the caller owns and closes it). In
 *   worker mode each call is sent at once and waits its turn in the worker, so the next frame can
 *   be on its way while one is detected. Resolves {pose: null, frame: null} after close().
 * @property {boolean} pipelined whether a detectFrame sent while another runs starts as soon as that
 *   one ends (worker mode), rather than after this thread has seen its result
 * @property {((track: MediaStreamTrack, onPose: (result: PoseResult | null, frame: ImageBitmap | null) => void,
 *             onError: (error: Error) => void) => () => void) | null} stream
 *   Worker mode in browsers that can hand a camera track to a worker: the worker reads the
 *   track's frames and detects each as soon as the previous one is done (no round trip
 *   through the page), calling `onPose` per frame with a copy of the frame detected (null if
 *   it could not be copied; the callee owns and closes it); returns a stop function. Null
 *   otherwise: call `detectFrame` per frame instead.
 * @property {(config: import("./pose-engine.js").MeasureConfig | null) => Promise<void>} measure
 *   measure the body on every frame from now, where the pose runs (poses then carry a `reading`,
 *   bodymeasure.js; the person mask stays there), or stop with null
 * @property {() => void} close
 */

/** @param {string} url */
const absolute = (url) => new URL(url, location.href).href;

function workersUsable() {
  return typeof Worker === "function" && typeof OffscreenCanvas === "function"
    && (typeof VideoFrame === "function" || typeof createImageBitmap === "function");
}

/** @param {HTMLVideoElement} video */
function hasFrame(video) {
  return Boolean(video) && video.readyState >= 2 && video.videoWidth > 0 && video.videoHeight > 0;
}

/**
 * Load the model and the MediaPipe runtime and return a ready pose client.
 * @param {PoseClientOptions} options
 * @returns {Promise<PoseClient>}
 */
export async function createPoseClient(options) {
  const started = performance.now();
  const requested = options.delegate ?? "CPU";
  if (!["CPU", "GPU", "auto"].includes(requested)) throw new Error(`unknown delegate: ${requested}`);
  const vendorBase = absolute(options.vendorBase).replace(/\/?$/, "/");
  const transport = options.transport ?? defaultTransport();

  /** @type {import("./pose-worker-proxy.js").PoseWorker | null} */
  let worker = null;
  let fallbackReason = "";
  if (options.preferWorker === false) fallbackReason = "preferWorker is false";
  else if (!workersUsable()) fallbackReason = "no Worker/OffscreenCanvas here";
  else {
    try {
      worker = startPoseWorker(new URL("./pose-worker.js", import.meta.url), vendorBase, transport);
    } catch (error) {
      fallbackReason = String(error);
    }
  }

  let model;
  try {
    model = await fetchModel(absolute(options.modelUrl), options.onProgress, options.modelBytes);
  } catch (error) {
    worker?.terminate();
    throw error;
  }
  const modelMs = performance.now() - started;
  /** @type {PoseClientInfo} */
  const info = { modelMs, readyMs: 0, modelBytes: model.byteLength };

  if (worker) {
    try {
      const ready = await worker.init(model, requested);
      Object.assign(info, { readyMs: performance.now() - started, renderer: ready.renderer, probe: ready.probe, transport, ...ready.timings });
      const client = wrap("worker", ready.delegate, ready.simd, info, (video, ts) => worker.detectFrame(video, ts),
        () => worker.terminate(), (config) => worker.measure(config));
      client.stream = worker.stream;
      return client;
    } catch (error) {
      worker.terminate();
      fallbackReason = error instanceof Error ? error.message : String(error);
      console.warn(`Pose estimation runs on the main thread: ${fallbackReason}`);
    }
  }

  blockCrossOriginFetch(globalThis);
  const runtime = await loadVision(vendorBase);
  const engine = await createEngine(runtime, model, requested);
  Object.assign(info, { readyMs: performance.now() - started, fallbackReason, probe: engine.probe, ...engine.timings });
  // The video element goes straight to MediaPipe: cheaper than any canvas copy. The copy to show is
  // taken in the same task as the detection, so both see the same frame.
  return wrap("main", engine.delegate, runtime.simd, info, async (video, ts) => {
    const copy = createImageBitmap(video).catch(() => null);
    const pose = engine.detect(video, ts);
    return { pose, frame: await copy };
  }, () => engine.close(), (config) => engine.setMeasure(config));
}

/**
 * @param {"worker" | "main"} mode
 * @param {"CPU" | "GPU"} delegate
 * @param {boolean} simd
 * @param {PoseClientInfo} info
 * @param {(video: HTMLVideoElement, ts: number) => Promise<DetectedFrame>} run
 * @param {() => void} shutdown
 * @param {(config: import("./pose-engine.js").MeasureConfig | null) => Promise<void>} measure
 * @returns {PoseClient}
 */
function wrap(mode, delegate, simd, info, run, shutdown, measure) {
  let closed = false;
  return {
    mode,
    delegate,
    simd,
    info,
    detectFrame(video, timestampMs) {
      /** @type {DetectedFrame} */
      const none = { pose: null, frame: null };
      if (closed || !hasFrame(video)) return Promise.resolve(none);
      return run(video, timestampMs).then(
        (value) => {
          if (!closed) return value;
          value.frame?.close();
          return none;
        },
        (error) => {
          if (closed) return none;
          throw error;
        },
      );
    },
    pipelined: mode === "worker",
    /** @type {PoseClient["stream"]} */
    stream: null,
    measure(config) {
      return closed ? Promise.resolve() : measure(config);
    },
    close() {
      if (closed) return;
      closed = true;
      shutdown();
    },
  };
}
