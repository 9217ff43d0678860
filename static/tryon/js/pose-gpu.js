// @ts-check
// Is there WebGL here, and is it a real GPU? Works on the main thread and in a worker.
//
// MediaPipe needs WebGL even with the CPU delegate (it reads every frame through a WebGL
// texture), so "no WebGL" means "cannot run here". And its GPU delegate on a software
// rasterizer (SwiftShader, llvmpipe) still "works" but took ~5 s per frame on our test
// machine, so the GPU delegate is only worth timing when the GPU is a real one.

/** @typedef {{webgl: boolean, hardware: boolean, renderer: string}} WebGLInfo */

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|mesa offscreen/i;

/** @returns {OffscreenCanvas | HTMLCanvasElement | null} */
function makeCanvas() {
  if (typeof OffscreenCanvas === "function") return new OffscreenCanvas(1, 1);
  if (typeof document !== "undefined") return document.createElement("canvas");
  return null;
}

/**
 * Probe WebGL in the current global (window or worker).
 * `hardware` is false when the browser reports a major performance caveat
 * (failIfMajorPerformanceCaveat) or the renderer's name says it is a software rasterizer.
 * @returns {WebGLInfo}
 */
export function probeWebGL() {
  /** @type {any} */
  let gl = null;
  let caveat = false;
  try {
    gl = makeCanvas()?.getContext("webgl2", { failIfMajorPerformanceCaveat: true }) ?? null;
    if (!gl) {
      caveat = true;
      const canvas = makeCanvas();
      gl = canvas?.getContext("webgl2") ?? canvas?.getContext("webgl") ?? null;
    }
  } catch (_) {
    gl = null;
  }
  if (!gl) return { webgl: false, hardware: false, renderer: "" };
  let renderer = "";
  try {
    const debug = gl.getExtension("WEBGL_debug_renderer_info");
    renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || "");
  } catch (_) { /* renderer name is optional */ }
  try {
    gl.getExtension("WEBGL_lose_context")?.loseContext();
  } catch (_) { /* the context is garbage-collected anyway */ }
  return { webgl: true, hardware: !caveat && !SOFTWARE_RENDERER.test(renderer), renderer };
}
