// Live try-on page: camera → on-device pose (WebAssembly) → smoothed landmarks → garment mesh → canvas.
//
// No camera data leaves the device on this path: frames go from the <video> element to the
// pose runtime (a Worker where possible) and to the canvas, nowhere else.
//
// What is shown under the garment: the very camera frame its pose was found in ("synced"), drawn
// on a canvas below the garment's, so the garment stays on the body while the shopper moves. The
// live <video> runs ahead of the pose by the inference time, and the garment drawn over it trailed
// a moving arm or leg by that much. Where poses come slower than SYNC_MAX_INTERVAL_MS apart, the
// live video is shown instead (a smooth picture matters more there than a garment that lags less).

import { describeCameraError, startCamera, stopCamera } from "./camera.js";
import { GarmentLayer, SceneShading, coverTransform, drawMesh, mirrorLandmarks } from "./draw.js";
import { fitGarment } from "./geometry.js";
import { eraseOccluders, hasOccluders, occludingForearms } from "./occlusion.js";
import { createPoseClient } from "./pose-client.js";
import { currentEnvironment, preflight } from "./preflight.js";
import { ServerTryOn } from "./server-client.js";
import { SizeAdvice } from "./size-advice.js";
import { LandmarkSmoother } from "./smoothing.js";

const NOBODY_AFTER_MS = 1200;
/** How long "Reconnected." stays after the server path comes back. */
const RECONNECTED_NOTE_MS = 1500;
/** The switcher's pictures load once the page tracks, or after this long looking for the shopper. */
const SHOW_THUMBNAILS_SEARCHING_MS = 10000;
/** On-device inference slower than this (median of the first frames) offers the server path. */
const SLOW_INFERENCE_MS = 250;
const SPEED_PROBE_FRAMES = 8;
/** Show the analysed frames (not the live video) while poses come at least this often (10 a second)… */
const SYNC_MAX_INTERVAL_MS = 100;
/** …and go back to the live video only when they come slower than this (no flapping in between). */
const LIVE_FROM_INTERVAL_MS = 125;

/** Shared counters, read by the browser tests and the benchmark. */
const stats = {
  state: "idle",
  mode: "",
  delegate: "",
  model: "",
  detectFrames: 0,
  trackedFrames: 0,
  drawnFrames: 0,
  startedAt: 0,
  firstTrackedAt: 0,
  inferenceMs: /** @type {number[]} */ ([]),
  /** @type {number[][]|null} the smoothed landmarks in the displayed (mirrored) frame */
  landmarks: null,
  offlineReady: false,
  /** "device" (pose in WebAssembly here) or "server" (frames sent, with consent) */
  path: "device",
  serverFrames: 0,
  rttMs: 0,
  /** "track": the pose worker reads the camera itself; "video": frames are sent one by one */
  frameSource: "",
  /** on the server path: "pose" (landmarks come back, the garment is drawn here) or "render" */
  serverMode: "",
  /** bytes the server sent back per frame (exponential average) */
  serverBytesPerFrame: 0,
  /** preflight's verdict on this browser (static/tryon/js/preflight.js): "ok", "in-app", "no-wasm"… */
  preflight: "",
  /** "synced": the frame each pose was found in is shown under the garment; "live": the <video> */
  display: "live",
  /** mean interval between analysed frames (ms, exponential average) */
  poseIntervalMs: 0,
  /** whether the scene's shading is carried onto the garment (off with ?shading=0) */
  shading: false,
  /** time to measure and apply that shading per drawn frame (ms, exponential average) */
  shadeMs: 0,
};
// @ts-ignore — exposed for tests and benchmarks
window.fittingRoomStats = stats;

/** @param {HTMLElement} root */
function main(root) {
  const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (root.querySelector(sel));
  const video = /** @type {HTMLVideoElement} */ ($("[data-video]"));
  const canvas = /** @type {HTMLCanvasElement} */ ($("[data-canvas]"));
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const frameCanvas = /** @type {HTMLCanvasElement} */ ($("[data-frame]"));
  const frameCtx = /** @type {CanvasRenderingContext2D} */ (frameCanvas.getContext("2d", { alpha: false }));
  const message = $("[data-message]");
  const messageText = $("[data-message-text]");
  const progress = /** @type {HTMLProgressElement} */ ($("[data-progress]"));
  const retry = /** @type {HTMLButtonElement} */ ($("[data-retry]"));
  const start = /** @type {HTMLButtonElement} */ ($("[data-start]"));
  const snapshotButton = /** @type {HTMLButtonElement} */ ($("[data-snapshot]"));
  const flipButton = /** @type {HTMLButtonElement} */ ($("[data-flip]"));
  const result = $("[data-snapshot-result]");
  const resultImage = /** @type {HTMLImageElement} */ ($("[data-snapshot-image]"));
  const resultDownload = /** @type {HTMLAnchorElement} */ ($("[data-snapshot-download]"));
  const resultShare = /** @type {HTMLButtonElement} */ ($("[data-snapshot-share]"));
  const resultClose = /** @type {HTMLButtonElement} */ ($("[data-snapshot-close]"));
  const consent = /** @type {HTMLDialogElement} */ ($("[data-consent]"));
  const consentReason = $("[data-consent-reason]");
  const pathToggle = /** @type {HTMLButtonElement} */ ($("[data-path-toggle]"));
  const privacy = $("[data-privacy]");
  const rttBadge = $("[data-rtt]");
  const preflightActions = $("[data-preflight]");
  let tryAnyway = false;
  const config = JSON.parse(/** @type {HTMLElement} */ (document.getElementById("tryon-config")).textContent || "{}");

  /** @type {Map<string, Promise<HTMLImageElement>>} */
  const overlayImages = new Map();
  let garment = config.garments.find((/** @type {any} */ g) => g.slug === config.current) || config.garments[0];
  /** @type {HTMLImageElement|null} */
  let overlayImage = null;
  /** @type {MediaStream|null} */
  let stream = null;
  /** @type {any} */
  let pose = null;
  let facing = /** @type {"user"|"environment"} */ ("user");
  let running = false;
  let smoother = new LandmarkSmoother();
  /** @type {number[][]|null} */
  let landmarks = null; // smoothed, in the displayed (possibly mirrored) frame
  let lastSeenAt = 0;
  let dirty = true;
  let presented = 0;
  let consumed = 0;
  /** @type {(() => void)|null} */
  let frameWaiter = null;
  let path = "device";
  let serverMode = "";
  /** @type {ServerTryOn|null} */
  let server = null;
  /** @type {ImageBitmap|null} */
  let serverImage = null;
  let probed = false;
  /** @type {(() => void)|null} stops the worker reading the camera track (when it does) */
  let stopStreaming = null;
  /** @type {ImageBitmap|null} a copy of the camera frame the current landmarks were found in */
  let shownFrame = null;
  let lastFrameAt = 0;
  let synced = false;
  /** @type {SceneShading|null} the frame's folds and shadows on the garment, as the server draws them */
  let shading = config.shading ? new SceneShading(config.shading) : null;
  /** a layer for an unshaded garment drawn over a picture (a snapshot), to erase forearms from */
  const flatLayer = new GarmentLayer();
  stats.shading = shading !== null;
  const sizes = new SizeAdvice(root, {
    getPose: () => pose,
    canMeasure: () => running && path === "device" && pose !== null,
    onChange: () => { dirty = true; },
    stats,
    captureMs: config.capture_ms,
  });

  /**
   * The switcher's pictures are not needed for the first tracked frame: on a phone's first visit
   * they would share the link with the runtime and the model, so they load once the page tracks,
   * or has stopped before that (an error, a way forward, nothing started), or has been looking for
   * the shopper for a few seconds.
   */
  const showThumbnails = () => {
    root.querySelectorAll("img[data-src]").forEach((element) => {
      const img = /** @type {HTMLImageElement} */ (element);
      img.src = /** @type {string} */ (img.dataset.src);
      img.removeAttribute("data-src");
    });
  };

  const setState = (/** @type {string} */ state, /** @type {string} */ text = "", showRetry = false) => {
    stats.state = state;
    root.dataset.state = state;
    messageText.textContent = text;
    message.hidden = !text;
    retry.hidden = !showRetry;
    if (state === "tracking" || state.startsWith("error") || state.startsWith("preflight")) showThumbnails();
    else if (state === "searching") setTimeout(showThumbnails, SHOW_THUMBNAILS_SEARCHING_MS);
  };

  const loadOverlay = (/** @type {any} */ g) => {
    if (!overlayImages.has(g.slug)) {
      overlayImages.set(
        g.slug,
        new Promise((resolve, reject) => {
          const img = new Image();
          img.decoding = "async";
          img.onload = () => resolve(img);
          img.onerror = reject;
          img.src = g.overlay_url;
        }),
      );
    }
    return /** @type {Promise<HTMLImageElement>} */ (overlayImages.get(g.slug));
  };

  async function selectGarment(/** @type {string} */ slug) {
    const next = config.garments.find((/** @type {any} */ g) => g.slug === slug);
    if (!next) return;
    garment = next;
    overlayImage = await loadOverlay(garment);
    root.querySelectorAll("[data-garment]").forEach((b) => b.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (b).dataset.garment === slug)));
    root.dataset.garment = slug;
    $("[data-garment-name]").textContent = `${garment.name} · ${garment.price}`;
    history.replaceState(null, "", garment.tryon_url);
    sizes.setGarment(garment);
    if (server) server.setGarment(slug);
    dirty = true;
  }

  function resizeCanvas() {
    const rect = canvas.getBoundingClientRect();
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      frameCanvas.width = w;
      frameCanvas.height = h;
      dirty = true;
    }
  }

  /** Keep `frame` (owned from here) as the picture of the pose just found at `now`. */
  function keepFrame(/** @type {ImageBitmap|null} */ frame, /** @type {number} */ now) {
    if (!frame) return;
    // The device's own poses, or the server's in pose mode (this page draws the garment there too).
    if (!running || (path !== "device" && !(path === "server" && serverMode === "pose"))) {
      frame.close();
      return;
    }
    if (lastFrameAt) {
      const gap = now - lastFrameAt;
      stats.poseIntervalMs = stats.poseIntervalMs ? 0.9 * stats.poseIntervalMs + 0.1 * gap : gap;
    }
    lastFrameAt = now;
    shownFrame?.close();
    shownFrame = frame;
    dirty = true;
  }

  /** Forget the kept frame and show the live video again. */
  function dropFrame() {
    shownFrame?.close();
    shownFrame = null;
    lastFrameAt = 0;
    stats.poseIntervalMs = 0;
    setSynced(false);
  }

  function setSynced(/** @type {boolean} */ on) {
    if (synced === on) return;
    synced = on;
    stats.display = on ? "synced" : "live";
    frameCanvas.hidden = !on;
    video.classList.toggle("hidden-video", on || (path === "server" && serverMode === "render"));
  }

  /** Draw the kept frame as the video element would show it (covering, mirrored for the front camera). */
  function drawFrame(/** @type {ImageBitmap} */ frame) {
    const w = frame.width, h = frame.height;
    const t = coverTransform(w, h, frameCanvas.width, frameCanvas.height);
    if (facing === "user") frameCtx.setTransform(-t.scale, 0, 0, t.scale, t.dx + w * t.scale, t.dy);
    else frameCtx.setTransform(t.scale, 0, 0, t.scale, t.dx, t.dy);
    frameCtx.drawImage(frame, 0, 0, w, h);
  }

  /** @type {{lm: number[][]|null, garment: any, mesh: any}} */
  let fitted = { lm: null, garment: null, mesh: null };
  /** Return the garment mesh for `lm`, fitted once per (landmarks, garment) pair. */
  function meshFor(/** @type {number[][]} */ lm) {
    if (fitted.lm !== lm || fitted.garment !== garment) {
      fitted = { lm, garment, mesh: fitGarment(lm, video.videoWidth, video.videoHeight, garment) };
    }
    return fitted.mesh;
  }

  /**
   * Draw the garment for the current landmarks into `target` whose transform maps frame px →
   * target px, shaded by `under` (the picture shown under it, mirrored as shown when `mirrored`).
   * `alone`: `target` holds nothing else (the garment's own canvas), so it is shaded in place.
   */
  function drawGarment(/** @type {CanvasRenderingContext2D} */ target, /** @type {number[][]} */ lm,
    /** @type {CanvasImageSource|null} */ under, mirrored = false, alone = false) {
    if (!overlayImage) return false;
    const mesh = meshFor(lm);
    if (!mesh) return false;
    const view = sizes.view(mesh, lm, video.videoWidth, video.videoHeight);
    // A forearm or hand across a short-sleeved or sleeveless garment stays in front of it, as the
    // server renderer keeps it (occlusion.js; the server also trims it to its person mask).
    const vw = video.videoWidth, vh = video.videoHeight;
    const occ = occludingForearms(lm.map((p) => [p[0] * vw, p[1] * vh, p[3] ?? 1]), garment.kind, mesh.scale);
    // The picture under the garment shades it, when there is one and shading works here.
    const measured = shading !== null && under !== null;
    let began = performance.now();
    let shade = null;
    if (shading && under) {
      try {
        shade = shading.measure(under, video.videoWidth, video.videoHeight, view, mirrored);
      } catch (error) {
        console.warn("scene shading unavailable; drawing the garment flat", error);
        shading = null;
        stats.shading = false;
      }
    }
    let spent = performance.now() - began;
    if (!alone) {
      // Over the picture: on a layer whenever there is something to shade or erase.
      if (shading) shading.drawMesh(target, overlayImage, view, shade, occ);
      else if (hasOccluders(occ)) flatLayer.drawMesh(target, overlayImage, view, (layer) => eraseOccluders(layer, occ));
      else drawMesh(target, overlayImage, view);
      return true;
    }
    drawMesh(target, overlayImage, view);
    began = performance.now();
    shading?.apply(target, shade);
    spent += performance.now() - began;
    eraseOccluders(target, occ);
    if (measured) stats.shadeMs = stats.shadeMs ? 0.9 * stats.shadeMs + 0.1 * spent : spent;
    return true;
  }

  function render() {
    if (!running) return;
    requestAnimationFrame(render);
    resizeCanvas();
    if (!dirty) return;
    dirty = false;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (path === "server" && serverMode === "render") {
      if (serverImage) {
        const t = coverTransform(serverImage.width, serverImage.height, canvas.width, canvas.height);
        ctx.drawImage(serverImage, t.dx, t.dy, serverImage.width * t.scale, serverImage.height * t.scale);
        stats.drawnFrames++;
      }
      return;
    }
    if (shownFrame) {
      const interval = stats.poseIntervalMs;
      setSynced(config.sync !== false && interval > 0 && interval <= (synced ? LIVE_FROM_INTERVAL_MS : SYNC_MAX_INTERVAL_MS));
      if (synced) drawFrame(shownFrame);
    }
    if (!landmarks || !video.videoWidth) return;
    const t = coverTransform(video.videoWidth, video.videoHeight, canvas.width, canvas.height);
    ctx.setTransform(t.scale, 0, 0, t.scale, t.dx, t.dy);
    // The garment's canvas holds the garment alone: it is shaded in place by the picture under it,
    // read from the frame its pose was found in whenever there is one (shown or not): the light and
    // folds where the garment was fitted, and a still copy reads in a few ms where a playing video
    // costs tens of ms a frame in some engines (WebKit).
    if (drawGarment(ctx, landmarks, shownFrame ?? video, facing === "user", true)) {
      stats.drawnFrames++;
      // This canvas holds the garment alone, so a tint drawn "atop" colours only the garment.
      sizes.decorate(ctx, landmarks, video.videoWidth, video.videoHeight);
    }
  }

  const onVideoFrame = () => {
    presented++;
    if (frameWaiter) {
      const w = frameWaiter;
      frameWaiter = null;
      w();
    }
    if (running) video.requestVideoFrameCallback(onVideoFrame);
  };

  /** Resolve when a video frame not yet analysed is available. */
  const nextFrame = () =>
    presented > consumed ? Promise.resolve() : new Promise((resolve) => { frameWaiter = () => resolve(undefined); });

  /**
   * Use one pose result (`found` null: nobody in view) for the frame seen at `now`; `frame` is a
   * copy of that frame (owned from here), or null.
   */
  function handlePose(/** @type {any} */ found, /** @type {number} */ now, /** @type {ImageBitmap|null} */ frame = null) {
    stats.detectFrames++;
    keepFrame(frame, now);
    sizes.onPose(found, video.videoWidth, video.videoHeight, now);
    if (found && !probed && stats.inferenceMs.length >= SPEED_PROBE_FRAMES) {
      probed = true;
      const sorted = [...stats.inferenceMs].sort((a, b) => a - b);
      if (sorted[sorted.length >> 1] > SLOW_INFERENCE_MS) {
        offerServer("The try-on is running slowly on this device.");
      }
    }
    if (found) {
      stats.inferenceMs.push(found.inferenceMs);
      if (stats.inferenceMs.length > 300) stats.inferenceMs.shift();
      const lm = facing === "user" ? mirrorLandmarks(found.landmarks) : found.landmarks;
      landmarks = smoother.apply(lm, now);
      stats.landmarks = landmarks;
      if (meshFor(landmarks) !== null) {
        lastSeenAt = now;
        stats.trackedFrames++;
        if (!stats.firstTrackedAt) stats.firstTrackedAt = now;
        if (stats.state !== "tracking") setState("tracking");
      } else {
        landmarks = null;
      }
      dirty = true;
    } else if (landmarks && now - lastSeenAt > 250) {
      landmarks = null;
      smoother.reset();
      dirty = true;
    }
    if (now - lastSeenAt > NOBODY_AFTER_MS && stats.state !== "searching") {
      setState("searching", "Step back so your shoulders are visible.");
    }
  }

  /**
   * Detect frame by frame from here, each pose used with the frame it was found in. Where the pose
   * runs in a worker, the next frame is sent a little before the worker should be done with the
   * one it has (its recent detection time, less one camera frame), so the model waits neither for
   * this page (which may be drawing) nor for a new frame, and the frame it gets next is about one
   * camera frame old at most. Poses are used in the order their frames were sent.
   */
  async function detectLoop() {
    /** @type {Promise<void>[]} detections sent and not yet used, oldest first */
    const pending = [];
    let used = Promise.resolve();
    let detectMs = 0; // the worker's recent time per detection (exponential average)
    let busyUntil = 0; // when the worker should be done with all it was sent (performance.now() ms)
    const settings = stream?.getVideoTracks()[0]?.getSettings();
    const frameMs = 1000 / (settings?.frameRate || 30);
    while (running && path === "device" && !stopStreaming) {
      if (pending.length >= (pose.pipelined && detectMs > 0 ? 2 : 1)) await pending[0];
      if (pending.length) {
        const wait = busyUntil - frameMs - performance.now();
        if (wait > 0) await Promise.race([pending[0], new Promise((done) => setTimeout(done, wait))]);
      }
      await nextFrame();
      if (!running || path !== "device" || stopStreaming) break;
      consumed = presented;
      const now = performance.now();
      busyUntil = Math.max(now, busyUntil) + detectMs;
      const job = pose.detectFrame(video, now).catch((/** @type {any} */ error) => {
        console.warn("pose detection failed", error);
        return { pose: null, frame: null };
      });
      used = used.then(() => job).then((/** @type {{pose: any, frame: ImageBitmap|null}} */ { pose: found, frame }) => {
        pending.shift();
        if (found) detectMs = detectMs ? 0.8 * detectMs + 0.2 * found.inferenceMs : found.inferenceMs;
        const at = performance.now();
        busyUntil = pending.length ? at + detectMs : at;
        if (running && path === "device") handlePose(found, now, frame);
        else frame?.close();
      });
      pending.push(used);
    }
  }

  /**
   * Run pose estimation on the camera. Where the worker can read the camera track itself, it
   * does (no round trip through this page per frame, so the model never waits for it);
   * otherwise frames are sent from here one by one.
   */
  function startDetection() {
    const track = stream && stream.getVideoTracks()[0];
    if (pose.stream && track) {
      stats.frameSource = "track";
      const stopThis = pose.stream(
        track,
        (/** @type {any} */ found, /** @type {ImageBitmap|null} */ frame) => {
          if (running && path === "device" && stopStreaming === stopThis) handlePose(found, performance.now(), frame);
          else frame?.close();
        },
        (/** @type {Error} */ error) => {
          if (stopStreaming !== stopThis) return;
          console.warn("pose stream failed; sending frames one by one", error);
          stopStreaming = null;
          stats.frameSource = "video";
          if (running && path === "device") detectLoop();
        },
      );
      stopStreaming = stopThis;
    } else {
      stats.frameSource = "video";
      detectLoop();
    }
  }

  function stopDetection() {
    const stopThis = stopStreaming;
    stopStreaming = null;
    stopThis?.();
  }

  async function run() {
    if (path === "server") return startServerPath();
    start.hidden = true;
    result.hidden = true;
    preflightActions.hidden = true;
    // Can it run here at all? An app's built-in browser, no camera, no WebAssembly or no WebGL
    // each get their way forward before the camera is asked for (static/tryon/js/preflight.js).
    const check = preflight(await currentEnvironment());
    stats.preflight = check.code;
    stats.startedAt = performance.now();
    if (check.path === "open-browser" && !tryAnyway) {
      setState(`preflight:${check.code}`, check.message, false);
      preflightActions.hidden = false;
      return;
    }
    if (check.path === "photo") return setState(`error:${check.code}`, check.message, false);
    if (check.path === "server") {
      setState(`error:${check.code}`, check.message);
      offerServer(check.reason);
      return;
    }
    if (check.note) console.info(check.note);
    await serviceWorkerInControl();
    try {
      setState("camera", "Opening the camera…");
      stream = await startCamera(video, facing);
    } catch (error) {
      const p = describeCameraError(error);
      return setState(`error:${p.code}`, p.message, true);
    }
    video.classList.toggle("mirrored", facing === "user");
    try {
      if (!pose) {
        setState("loading", "Loading the try-on model…");
        progress.hidden = false;
        pose = await createPoseClient({
          vendorBase: config.vendor_base,
          modelUrl: config.model_url,
          modelBytes: config.model_bytes,
          preferWorker: config.worker !== false,
          delegate: "CPU",
          onProgress: ({ loaded, total }) => {
            progress.max = total || loaded || 1;
            progress.value = loaded;
            const mb = (/** @type {number} */ n) => (n / 1048576).toFixed(1);
            messageText.textContent = total
              ? `Loading the try-on model… ${mb(loaded)} of ${mb(total)} MB`
              : `Loading the try-on model… ${mb(loaded)} MB`;
          },
        });
        stats.mode = pose.mode;
        stats.delegate = pose.delegate;
        stats.model = config.model;
      }
    } catch (error) {
      console.error(error);
      return setState("error:model", "The try-on model could not be loaded. Check your connection and tap Retry.", true);
    } finally {
      progress.hidden = true;
    }
    await loadOverlay(garment).then((img) => { overlayImage = img; });
    running = true;
    lastSeenAt = performance.now();
    setState("searching", "Step back so your shoulders are visible.");
    snapshotButton.disabled = false;
    flipButton.disabled = false;
    video.requestVideoFrameCallback(onVideoFrame);
    requestAnimationFrame(render);
    startDetection();
    makeAvailableOffline();
  }

  /** Show the consent dialog; the server path starts only if the shopper agrees. */
  function offerServer(/** @type {string} */ reason) {
    consentReason.textContent = reason;
    if (!consent.open) consent.showModal();
    root.dataset.consent = "asked";
  }

  /** @type {{text: string|null, hidden: boolean, state: string}|null} what was shown when the server connection dropped */
  let beforeOutage = null;

  async function startServerPath() {
    if (!stream) {
      try {
        stream = await startCamera(video, facing);
      } catch (error) {
        const p = describeCameraError(error);
        return setState(`error:${p.code}`, p.message, true);
      }
    }
    stopDetection();
    dropFrame();
    path = stats.path = "server";
    root.dataset.path = "server";
    landmarks = null;
    smoother.reset();
    // Pose mode unless asked otherwise (?server=render): the server sends the pose back and this
    // page draws the garment over its own live video, as on the device; a page that can draw at
    // all (a 2D canvas, which every browser with a camera has) can draw it.
    const mode = config.server_mode === "render" ? "render" : "pose";
    serverMode = stats.serverMode = mode;
    if (mode === "render") video.classList.add("hidden-video");
    privacy.textContent = mode === "render"
      ? "Server mode: camera frames are sent to our server to draw the garment, and never stored."
      : "Server mode: camera frames are sent to our server to find your pose, and never stored.";
    pathToggle.textContent = "Use on-device";
    pathToggle.hidden = false;
    setState("connecting", "Connecting to the server…");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    server = new ServerTryOn({
      url: `${scheme}//${location.host}/ws/tryon/`,
      onFrame: (frame) => {
        if (serverImage) serverImage.close();
        serverImage = frame.image;
        stats.serverFrames++;
        stats.rttMs = frame.rttMs;
        rttBadge.textContent = `Server · ${Math.round(frame.rttMs)} ms`;
        rttBadge.hidden = false;
        if (frame.fitted) {
          stats.trackedFrames++;
          if (stats.state !== "tracking") setState("tracking");
        } else if (stats.state !== "searching") {
          setState("searching", "Step back so your shoulders are visible.");
        }
        dirty = true;
      },
      onPose: (found) => {
        const now = performance.now();
        // The frame this pose was found in, shown under the garment as on the device.
        keepFrame(found.frame, now);
        stats.serverFrames++;
        stats.rttMs = found.rttMs;
        stats.serverBytesPerFrame = stats.serverBytesPerFrame ? 0.9 * stats.serverBytesPerFrame + 0.1 * found.bytes : found.bytes;
        rttBadge.textContent = `Server · ${Math.round(found.rttMs)} ms`;
        rttBadge.hidden = false;
        if (found.fitted && found.landmarks) {
          landmarks = smoother.apply(found.landmarks, now); // already in the view's (mirrored) frame
          stats.landmarks = landmarks;
          lastSeenAt = now;
          stats.trackedFrames++;
          if (!stats.firstTrackedAt) stats.firstTrackedAt = now;
          if (stats.state !== "tracking") setState("tracking");
        } else {
          if (landmarks && now - lastSeenAt > 250) {
            landmarks = null;
            smoother.reset();
          }
          if (stats.state !== "searching" && now - lastSeenAt > NOBODY_AFTER_MS) setState("searching", "Step back so your shoulders are visible.");
        }
        dirty = true;
      },
      mode,
      keepFrames: config.sync !== false,
      onReconnect: (r) => {
        // A worker went away: say so briefly, and put back what was shown once the stream is back.
        root.dataset.reconnect = r.state;
        if (r.state === "reconnecting") {
          if (!beforeOutage) beforeOutage = { text: messageText.textContent, hidden: message.hidden, state: stats.state };
          messageText.textContent = "Connection lost. Reconnecting…";
          message.hidden = false;
        } else if (r.state === "resumed") {
          messageText.textContent = "Reconnected.";
          const shown = beforeOutage;
          beforeOutage = null;
          setTimeout(() => {
            if (root.dataset.reconnect !== "resumed" || messageText.textContent !== "Reconnected.") return;
            const same = shown !== null && stats.state === shown.state;
            messageText.textContent = same ? shown.text : "";
            message.hidden = same ? shown.hidden : true;
          }, RECONNECTED_NOTE_MS);
        }
      },
      onError: (code, message) => console.warn("server try-on:", code, message),
      onClose: (code) => {
        if (path === "server" && code !== 1000) {
          setState("error:server", "The server connection closed. Tap Retry, or switch back to on-device.", true);
        }
      },
    });
    server.start(video, garment.slug, facing === "user");
    snapshotButton.disabled = false;
    if (!running) {
      running = true;
      requestAnimationFrame(render);
    }
  }

  function stopServerPath() {
    if (server) server.stop();
    server = null;
    landmarks = null;
    smoother.reset();
    if (serverImage) serverImage.close();
    serverImage = null;
    rttBadge.hidden = true;
    dropFrame();
    video.classList.remove("hidden-video");
    privacy.textContent = "On-device: your camera stays on this phone — no images are sent.";
    pathToggle.textContent = "Use the server";
  }

  async function togglePath() {
    if (path === "server") {
      stopServerPath();
      path = stats.path = "device";
      root.dataset.path = "device";
      running = false;
      await new Promise((r) => setTimeout(r, 50));
      run();
    } else {
      offerServer("You can let our server draw the garment instead of this device.");
    }
  }

  function stop() {
    if (server) stopServerPath();
    stopDetection();
    running = false;
    dropFrame();
    stopCamera(stream);
    stream = null;
  }

  async function snapshot() {
    if (!video.videoWidth) return;
    const shot = document.createElement("canvas");
    if (path === "server" && serverMode === "render") {
      if (!serverImage) return;
      shot.width = serverImage.width;
      shot.height = serverImage.height;
      /** @type {CanvasRenderingContext2D} */ (shot.getContext("2d")).drawImage(serverImage, 0, 0);
      return finishSnapshot(shot);
    }
    shot.width = video.videoWidth;
    shot.height = video.videoHeight;
    const sctx = /** @type {CanvasRenderingContext2D} */ (shot.getContext("2d"));
    if (facing === "user") {
      sctx.setTransform(-1, 0, 0, 1, shot.width, 0);
    }
    // The picture on screen: the frame the garment was fitted to, when it is shown.
    sctx.drawImage(synced && shownFrame ? shownFrame : video, 0, 0, shot.width, shot.height);
    sctx.setTransform(1, 0, 0, 1, 0, 0);
    // The shot is already mirrored as shown: it is the picture under the garment.
    if (landmarks) drawGarment(sctx, landmarks, shot);
    return finishSnapshot(shot);
  }

  async function finishSnapshot(/** @type {HTMLCanvasElement} */ shot) {
    const blob = await new Promise((resolve) => shot.toBlob(resolve, "image/jpeg", 0.9));
    if (!blob) return;
    if (resultImage.src) URL.revokeObjectURL(resultImage.src);
    const url = URL.createObjectURL(/** @type {Blob} */ (blob));
    resultImage.src = url;
    resultDownload.href = url;
    resultDownload.download = `${garment.slug}-try-on.jpg`;
    const file = new File([/** @type {Blob} */ (blob)], `${garment.slug}-try-on.jpg`, { type: "image/jpeg" });
    resultShare.hidden = !(navigator.canShare && navigator.canShare({ files: [file] }));
    resultShare.onclick = () => navigator.share({ files: [file], title: garment.name }).catch(() => {});
    result.hidden = false;
    root.dataset.snapshot = "ready";
  }

  async function flip() {
    facing = facing === "user" ? "environment" : "user";
    video.classList.toggle("mirrored", facing === "user");
    const streaming = stopStreaming !== null;
    stopDetection();
    stopCamera(stream);
    dropFrame();
    smoother = new LandmarkSmoother();
    landmarks = null;
    try {
      stream = await startCamera(video, facing);
    } catch (error) {
      const p = describeCameraError(error);
      setState(`error:${p.code}`, p.message, true);
      return;
    }
    if (streaming && running && path === "device") startDetection();
  }

  root.querySelectorAll("[data-garment]").forEach((b) =>
    b.addEventListener("click", () => selectGarment(/** @type {string} */ (/** @type {HTMLElement} */ (b).dataset.garment))),
  );
  start.addEventListener("click", run);
  $("[data-try-anyway]").addEventListener("click", () => { tryAnyway = true; run(); });
  $("[data-copy-link]").addEventListener("click", async (event) => {
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    try {
      await navigator.clipboard.writeText(location.href);
      button.textContent = "Link copied";
    } catch (_) {
      button.textContent = location.href;
    }
  });
  retry.addEventListener("click", () => { stop(); run(); });
  snapshotButton.addEventListener("click", snapshot);
  flipButton.addEventListener("click", flip);
  resultClose.addEventListener("click", () => { result.hidden = true; });
  pathToggle.addEventListener("click", togglePath);
  $("[data-consent-accept]").addEventListener("click", () => {
    consent.close();
    root.dataset.consent = "accepted";
    running = false;
    startServerPath();
  });
  $("[data-consent-decline]").addEventListener("click", () => {
    consent.close();
    root.dataset.consent = "declined";
  });
  // Leaving the page gives back the camera, the model and its WebGL context at once, so the next page
  // (a reload, another garment) does not wait for them; back from the back/forward cache it starts over.
  window.addEventListener("pagehide", () => {
    stop();
    pose?.close();
    pose = null;
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    setState("idle");
    start.hidden = false;
    if (config.autostart) run();
  });
  video.classList.add("mirrored");
  selectGarment(garment.slug);
  setState("idle");
  if (config.autostart) run();
  else showThumbnails();
}

/** Ask the service worker to keep what this page already loaded, so a reload works offline. */
function makeAvailableOffline() {
  const sw = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!sw) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "cached") stats.offlineReady = true;
  });
  const urls = [location.href, ...performance.getEntriesByType("resource").map((entry) => entry.name)];
  sw.postMessage({ type: "cache-urls", urls });
}

/**
 * Register the offline service worker and wait (briefly) until it controls this page, so the
 * runtime and model fetched next are cached by it and a first visit downloads them only once.
 */
async function serviceWorkerInControl(timeoutMs = 3000) {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    if (navigator.serviceWorker.controller) return;
    await Promise.race([
      new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true })),
      new Promise((resolve) => setTimeout(resolve, timeoutMs)),
    ]);
  } catch (error) {
    console.warn("offline support unavailable", error);
  }
}

const root = document.querySelector("[data-tryon]");
if (root) main(/** @type {HTMLElement} */ (root));
