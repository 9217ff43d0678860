// @ts-check
// The PoseLandmarker itself, shared by the worker (pose-worker.js) and the main-thread fallback
// (pose-client.js): load tasks-vision from our own static files, create the landmarker from
// model bytes, pick the delegate, run one frame.
//
// WASM loading. tasks-vision loads its Emscripten loader with importScripts (classic worker)
// or a <script> tag (window); a module worker has neither, and the default loader is a classic
// script. So with SIMD we import the "module" build of the loader ourselves (an ES module that
// exports the factory) and give tasks-vision a fileset without a loader path: it then uses
// self.ModuleFactory as it finds it. That works identically in a module worker and on the main
// thread, so both download the same .wasm. tasks-vision clears self.ModuleFactory after each
// landmarker is created, hence it is set again before every create. Without SIMD (old Safari)
// only the classic non-SIMD loader exists: main thread only.

import { readFrame, readSide } from "./bodymeasure.js";
import { probeWebGL } from "./pose-gpu.js";
import { TrackingGuard } from "./tracking.js";

/** @typedef {"CPU" | "GPU"} Delegate */
/**
 * @typedef {{heightCm: number, levels: Record<string, number>, ranges: Record<string, number[]>, view?: "side"}} MeasureConfig
 *   what the body measurement needs besides the frame (bodymeasure.js readFrame; readSide with view "side")
 */
/**
 * @typedef {{landmarks: number[][], inferenceMs: number,
 *   reading?: import("./bodymeasure.js").Reading | import("./bodymeasure.js").SideReading, measureMs?: number, measuredSize?: number[]}} PoseResult
 *   `reading` only while measuring (see setMeasure): read from the person mask in the same place
 *   the pose was found, so the mask never leaves the worker
 */
/** @typedef {import("./pose-gpu.js").WebGLInfo} WebGLInfo */
/**
 * @typedef {object} VisionRuntime
 * @property {any} vision the tasks-vision module namespace
 * @property {boolean} simd
 * @property {{wasmLoaderPath: string, wasmBinaryPath: string}} fileset
 * @property {Function | null} factory Emscripten module factory (module build), or null when
 *   tasks-vision loads the classic loader itself
 */
/**
 * @typedef {object} DelegateProbe
 * @property {string} reason
 * @property {number} [gpuMs] median GPU inference on the probe frame
 * @property {number} [cpuMs] median CPU inference on the probe frame
 */
/**
 * @typedef {object} PoseEngine
 * @property {Delegate} delegate
 * @property {DelegateProbe | null} probe how "auto" decided (null unless delegate was "auto")
 * @property {{createMs: number, warmupMs: number}} timings landmarker creation (WASM instantiation
 *   and graph set-up, plus the "auto" probe if any) and the warm-up frame
 * @property {(source: TexImageSource | ImageData, timestampMs: number) => PoseResult | null} detect
 * @property {(config: MeasureConfig | null) => Promise<void>} setMeasure start measuring the body
 *   on every frame (the landmarker then also outputs the person mask) or, with null, stop
 * @property {() => void} close
 */

const PROBE_RUNS = 3;
/**
 * While measuring, frames go to the landmarker at most this large (long side): the person mask it
 * then outputs costs ~10% of the frame rate at 640x480 and ~1% at 320x240 (headless Chromium, lite),
 * and the mask's own resolution (256 across the person) is what limits the widths, not the frame's.
 */
const MEASURE_MAX_SIDE = 400;
const GPU_WARMUP_BUDGET_MS = 3000;
const GPU_MUST_BEAT_CPU = 0.8;

/**
 * Import tasks-vision and its WASM loader from our static files.
 * @param {string} vendorBase URL of static/vendor/mediapipe/tasks-vision/
 * @returns {Promise<VisionRuntime>}
 */
export async function loadVision(vendorBase) {
  const base = new URL(vendorBase.replace(/\/?$/, "/"), globalThis.location?.href);
  const vision = await import(new URL("vision_bundle.mjs", base).href);
  const simd = await vision.FilesetResolver.isSimdSupported();
  const wasmBase = new URL("wasm/", base).href;
  if (simd) {
    const loader = await import(`${wasmBase}vision_wasm_module_internal.js`);
    return {
      vision,
      simd,
      fileset: { wasmLoaderPath: "", wasmBinaryPath: `${wasmBase}vision_wasm_module_internal.wasm` },
      factory: loader.default,
    };
  }
  if (typeof document === "undefined") {
    throw new Error("WebAssembly SIMD is unavailable and the non-SIMD build only loads on the main thread");
  }
  const fileset = await vision.FilesetResolver.forVisionTasks(wasmBase.replace(/\/$/, ""));
  return { vision, simd, fileset, factory: null };
}

/**
 * @param {VisionRuntime} runtime
 * @param {Uint8Array} model
 * @param {Delegate} delegate
 */
async function createLandmarker(runtime, model, delegate) {
  if (runtime.factory) /** @type {any} */ (globalThis).ModuleFactory = runtime.factory;
  return runtime.vision.PoseLandmarker.createFromOptions(runtime.fileset, {
    baseOptions: { modelAssetBuffer: model, delegate },
    runningMode: "VIDEO",
    numPoses: 1,
    outputSegmentationMasks: false,
  });
}

/** A mid-grey 256x256 frame: enough to compile shaders and warm the interpreter. */
function probeFrame() {
  const frame = new ImageData(256, 256);
  frame.data.fill(128);
  return frame;
}

/**
 * Width and height of a frame as the landmarker sees it.
 * @param {any} source VideoFrame, ImageBitmap, ImageData, canvas or video element
 */
function frameSize(source) {
  return [
    source.displayWidth || source.videoWidth || source.width || 0,
    source.displayHeight || source.videoHeight || source.height || 0,
  ];
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Time a landmarker on the probe frame: one warm-up call, then PROBE_RUNS timed calls.
 * Stops early (returns Infinity) when the warm-up exceeds `budgetMs`.
 * @param {any} landmarker
 * @param {ImageData} frame
 * @param {{t: number}} clock strictly increasing timestamps for this landmarker
 * @param {number} budgetMs
 */
function timeLandmarker(landmarker, frame, clock, budgetMs) {
  let start = performance.now();
  landmarker.detectForVideo(frame, ++clock.t);
  if (performance.now() - start > budgetMs) return Infinity;
  const runs = [];
  for (let i = 0; i < PROBE_RUNS; i++) {
    start = performance.now();
    landmarker.detectForVideo(frame, ++clock.t);
    runs.push(performance.now() - start);
  }
  return median(runs);
}

/**
 * Create the landmarker for a delegate request. "auto" only tries the GPU when WebGL runs on a
 * real GPU, and keeps it only when it beats the CPU on the same probe frame by a clear margin.
 * @param {VisionRuntime} runtime
 * @param {Uint8Array} model
 * @param {Delegate | "auto"} requested
 * @param {WebGLInfo} webgl
 * @returns {Promise<{landmarker: any, delegate: Delegate, probe: DelegateProbe | null, clock: {t: number}}>}
 */
export async function chooseLandmarker(runtime, model, requested, webgl) {
  if (requested === "GPU" && !webgl.hardware) {
    console.warn(`GPU delegate requested on a software renderer (${webgl.renderer}); expect seconds per frame`);
  }
  if (requested !== "auto") {
    return { landmarker: await createLandmarker(runtime, model, requested), delegate: requested, probe: null, clock: { t: 0 } };
  }
  const frame = probeFrame();
  if (!webgl.hardware) {
    const landmarker = await createLandmarker(runtime, model, "CPU");
    return { landmarker, delegate: "CPU", probe: { reason: `no hardware WebGL (${webgl.renderer || "none"})` }, clock: { t: 0 } };
  }
  let gpu = null;
  let gpuMs = Infinity;
  const gpuClock = { t: 0 };
  try {
    gpu = await createLandmarker(runtime, model, "GPU");
    gpuMs = timeLandmarker(gpu, frame, gpuClock, GPU_WARMUP_BUDGET_MS);
  } catch (error) {
    console.warn("GPU delegate unavailable, using CPU", error);
  }
  const cpu = await createLandmarker(runtime, model, "CPU");
  const cpuClock = { t: 0 };
  const cpuMs = timeLandmarker(cpu, frame, cpuClock, Infinity);
  if (gpu && gpuMs < cpuMs * GPU_MUST_BEAT_CPU) {
    cpu.close();
    return { landmarker: gpu, delegate: "GPU", probe: { reason: "GPU faster", gpuMs, cpuMs }, clock: gpuClock };
  }
  gpu?.close();
  const reason = gpu ? "GPU not faster" : "GPU failed";
  return { landmarker: cpu, delegate: "CPU", probe: { reason, gpuMs, cpuMs }, clock: cpuClock };
}

/**
 * Create a ready-to-run pose engine: landmarker + one warm-up frame (the first call costs
 * 300-600 ms, better spent while the page shows "loading" than on the first live frame; it also
 * surfaces "no WebGL" errors, which otherwise only appear on the first detect).
 * @param {VisionRuntime} runtime
 * @param {Uint8Array} model
 * @param {Delegate | "auto"} requested
 * @param {WebGLInfo} [webgl]
 * @param {TrackingGuard} [guard] decides which poses are used and when tracking is reset
 * @returns {Promise<PoseEngine>}
 */
export async function createEngine(runtime, model, requested, webgl = probeWebGL(), guard = new TrackingGuard()) {
  if (!webgl.webgl) throw new Error("WebGL is unavailable here; MediaPipe needs it even on the CPU delegate");
  const started = performance.now();
  const { landmarker, delegate, probe, clock } = await chooseLandmarker(runtime, model, requested, webgl);
  const created = performance.now();
  let closed = false;
  try {
    landmarker.detectForVideo(probeFrame(), ++clock.t);
  } catch (error) {
    landmarker.close();
    throw error;
  }
  const timings = { createMs: created - started, warmupMs: performance.now() - created };
  // VIDEO mode tracks the person from frame to frame and can lock onto an impossible body (see
  // tracking.js); then the pose is not used, and a blank frame makes the tracker lose it, so the
  // next frame runs the person detector afresh.
  const blank = probeFrame();
  /** @type {MeasureConfig | null} */
  let measure = null;
  let masks = false;
  /** @type {OffscreenCanvas | null} */
  let small = null;
  /** The frame, scaled down to MEASURE_MAX_SIDE while measuring. @param {any} source @param {number} w @param {number} h */
  const forMeasuring = (source, w, h) => {
    const scale = Math.min(1, MEASURE_MAX_SIDE / Math.max(w, h, 1));
    if (scale === 1 || typeof OffscreenCanvas !== "function") return source;
    const sw = Math.round(w * scale), sh = Math.round(h * scale);
    if (!small || small.width !== sw || small.height !== sh) small = new OffscreenCanvas(sw, sh);
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (small.getContext("2d"));
    ctx.drawImage(source, 0, 0, sw, sh);
    return small;
  };
  return {
    delegate,
    probe,
    timings,
    detect(source, timestampMs) {
      if (closed) return null;
      // VIDEO mode needs strictly increasing timestamps; whole milliseconds keep that exact.
      let t = Math.floor(timestampMs);
      if (!(t > clock.t)) t = clock.t + 1;
      clock.t = t;
      const start = performance.now();
      const [frameW, frameH] = frameSize(source);
      const input = measure ? forMeasuring(source, frameW, frameH) : source;
      const result = landmarker.detectForVideo(input, t);
      const inferenceMs = performance.now() - start;
      const pose = result.landmarks && result.landmarks[0];
      const landmarks = pose && pose.length ? pose.map((/** @type {any} */ p) => [p.x, p.y, p.z, p.visibility ?? 0]) : null;
      if (!landmarks) {
        if (typeof result.close === "function") result.close();
        return null;
      }
      const [width, height] = input === source ? [frameW, frameH] : [input.width, input.height];
      const decision = guard.check(landmarks, width, height, t);
      /** @type {PoseResult} */
      const found = { landmarks, inferenceMs };
      if (decision === "ok" && measure) {
        const mask = result.segmentationMasks && result.segmentationMasks[0];
        const begun = performance.now();
        const read = measure.view === "side" ? readSide : readFrame;
        found.reading = mask
          ? read(landmarks, mask.getAsFloat32Array(), mask.width, mask.height, measure.heightCm, measure.levels, measure.ranges)
          : read(null, null, width, height, measure.heightCm, measure.levels, measure.ranges);
        found.measureMs = performance.now() - begun;
        found.measuredSize = [width, height]; // the frame the reading's pixels are of
      }
      if (typeof result.close === "function") result.close();
      if (decision === "reset") {
        clock.t = t + 1;
        landmarker.detectForVideo(blank, clock.t);
        console.info(`pose tracking reset (implausible torso), ${guard.resets} so far`);
      }
      return decision === "ok" ? found : null;
    },
    async setMeasure(config) {
      const want = config !== null;
      // The mask costs the landmarker time on every frame: on only while measuring.
      if (want !== masks && !closed) {
        await landmarker.setOptions({ outputSegmentationMasks: want });
        masks = want;
      }
      measure = config;
    },
    close() {
      if (closed) return;
      closed = true;
      landmarker.close();
    },
  };
}
