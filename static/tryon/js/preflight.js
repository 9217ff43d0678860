// Before the camera opens: can the live try-on run here, and if not, which way forward.
//
// Pure functions of the user agent string and the features the page found, so each decision is
// unit-tested against a table of real browsers (tests/js/preflight.test.mjs). The live page acts
// on the result: the on-device try-on, the server fallback (with consent), the photo try-on, or
// "open this page in Safari / Chrome" where an app's built-in browser blocks the camera.

/**
 * @typedef {{os: string, app: string | null, browser: string, version: number | null}} BrowserInfo
 *   os: "ios" | "android" | "macos" | "windows" | "linux" | "other"; app: the app whose built-in
 *   browser (WebView) this is, or null; browser: "safari" | "chrome" | "firefox" | "samsung" |
 *   "edge" | "webview" | "other"; version: the browser's (or iOS's) major version where known
 */
/**
 * @typedef {{userAgent: string, secure: boolean, camera: boolean, wasm: boolean, simd: boolean,
 *   webgl: boolean, workers?: boolean}} Environment what the page can see of this browser
 */
/**
 * @typedef {{path: "device" | "server" | "photo" | "open-browser", code: string, message: string,
 *   reason: string, openIn: string | null, note: string | null, browser: BrowserInfo}} Preflight
 *   reason: why the device cannot do it, in one sentence (the server's consent dialog says it)
 */

/** Apps whose built-in browser announces itself in the user agent, and their names for people. */
const APPS = [
  [/Instagram/, "Instagram"],
  [/FBAN|FBAV|FB_IAB|FBIOS|FB4A/, "Facebook"],
  [/musical_ly|trill_|BytedanceWebview|TikTok/i, "TikTok"],
  [/Snapchat/, "Snapchat"],
  [/MicroMessenger/, "WeChat"],
  [/\bLine\//, "LINE"],
  [/Pinterest/, "Pinterest"],
  [/Twitter|TwitterAndroid/, "X"],
];

/**
 * Tell the OS, the app (if this is an app's built-in browser) and the browser from a user agent.
 * @param {string} ua
 * @returns {BrowserInfo}
 */
export function detectBrowser(ua) {
  const s = String(ua || "");
  let os = "other";
  if (/iPhone|iPad|iPod/.test(s)) os = "ios";
  else if (/Android/.test(s)) os = "android";
  else if (/Macintosh|Mac OS X/.test(s)) os = "macos";
  else if (/Windows/.test(s)) os = "windows";
  else if (/Linux|X11/.test(s)) os = "linux";
  let app = null;
  for (const [pattern, name] of APPS) {
    if (/** @type {RegExp} */ (pattern).test(s)) {
      app = /** @type {string} */ (name);
      break;
    }
  }
  // An Android WebView says "; wv)"; on iOS an app's WKWebView lacks Safari's "Version/… Safari/".
  const androidWebView = os === "android" && /; wv\)/.test(s);
  const iosWebView = os === "ios" && !/Safari\//.test(s) && !/CriOS|FxiOS|EdgiOS/.test(s);
  if (!app && (androidWebView || iosWebView)) app = "an app";
  /** @param {RegExp} re */
  const major = (re) => {
    const m = re.exec(s);
    return m ? Number(m[1]) : null;
  };
  let browser = "other";
  let version = null;
  if (app) {
    browser = "webview";
    version = os === "ios" ? major(/OS (\d+)_/) : major(/Chrome\/(\d+)/);
  } else if (/SamsungBrowser\/(\d+)/.test(s)) {
    browser = "samsung";
    version = major(/SamsungBrowser\/(\d+)/);
  } else if (/Edg(?:e|A|iOS)?\/(\d+)/.test(s)) {
    browser = "edge";
    version = major(/Edg(?:e|A|iOS)?\/(\d+)/);
  } else if (/Firefox\/(\d+)|FxiOS\/(\d+)/.test(s)) {
    browser = "firefox";
    version = major(/(?:Firefox|FxiOS)\/(\d+)/);
  } else if (/Chrome\/(\d+)|CriOS\/(\d+)/.test(s)) {
    browser = "chrome";
    version = major(/(?:Chrome|CriOS)\/(\d+)/);
  } else if (/Version\/(\d+).*Safari\//.test(s)) {
    browser = "safari";
    version = major(/Version\/(\d+)/);
  }
  return { os, app, browser, version };
}

/**
 * Decide the way forward for this browser.
 * @param {Environment} env
 * @returns {Preflight}
 */
export function preflight(env) {
  const browser = detectBrowser(env.userAgent);
  /** @param {Preflight["path"]} path @param {string} code @param {string} message @param {string | null} [openIn] @param {string | null} [note] */
  const result = (path, code, message, openIn = null, note = null) => ({ path, code, message, reason: message, openIn, note, browser });
  /** The server can take over: the reason, and the ways forward. @param {string} code @param {string} reason */
  const server = (code, reason) => ({
    ...result("server", code, `${reason} You can let our server do it, or try it on with a photo.`), reason,
  });
  if (browser.app) {
    // Apps' built-in browsers mostly refuse the camera (or the page never learns why it failed).
    const openIn = browser.os === "ios" ? "Safari" : browser.os === "android" ? "Chrome" : "your browser";
    return result(
      "open-browser", "in-app",
      `${browser.app === "an app" ? "This app's" : `${browser.app}'s`} built-in browser usually cannot use the camera. ` +
        `Open this page in ${openIn} (the ··· or share menu, then “Open in ${openIn === "your browser" ? "browser" : openIn}”), ` +
        "or try it on with a photo.",
      openIn,
    );
  }
  if (!env.secure) {
    return result("photo", "insecure", "The camera needs a secure connection. Open this page over https:// (or on localhost).");
  }
  if (!env.camera) {
    return result("photo", "unsupported", "This browser cannot open the camera. Try the photo try-on instead.");
  }
  if (!env.wasm) {
    return server("no-wasm", "This browser cannot run the try-on on your device (no WebAssembly).");
  }
  if (!env.webgl) {
    return server("no-webgl", "This browser cannot run the try-on on your device (no WebGL).");
  }
  if (!env.simd) {
    return result("device", "no-simd", "", null,
      "This browser lacks WebAssembly SIMD: the try-on runs, more slowly; the server can take over if it is too slow.");
  }
  return result("device", "ok", "");
}

/**
 * What this page can see of the browser, for preflight().
 * @returns {Promise<Environment>}
 */
export async function currentEnvironment() {
  const wasm = typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function";
  let simd = false;
  if (wasm) {
    // The smallest module using a SIMD instruction (i8x16.splat): valid only where SIMD is.
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
    try {
      simd = WebAssembly.validate(bytes);
    } catch (_) {
      simd = false;
    }
  }
  const webgl = await webglAvailable();
  return {
    userAgent: navigator.userAgent,
    secure: window.isSecureContext,
    camera: Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia),
    wasm,
    simd,
    webgl,
    workers: typeof Worker === "function",
  };
}

/**
 * Can this page make a WebGL context? One failed attempt is not proof: right after a reload an
 * engine may still hold the previous page's contexts (WebKit frees them after the new page has
 * started), so a failure is retried over about a second and a half before the answer is no.
 * @param {number} [attempts]
 * @returns {Promise<boolean>}
 */
async function webglAvailable(attempts = 4) {
  let why = "";
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) await new Promise((done) => setTimeout(done, 250 * 2 ** (attempt - 1)));
    try {
      const canvas = document.createElement("canvas");
      canvas.addEventListener("webglcontextcreationerror", (event) => {
        why = /** @type {WebGLContextEvent} */ (event).statusMessage || why;
      }, { once: true });
      const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
      if (gl) {
        gl.getExtension("WEBGL_lose_context")?.loseContext(); // a probe: give the context back at once
        return true;
      }
    } catch (error) {
      why = String(error);
    }
  }
  console.warn(`no WebGL context after ${attempts} attempts${why ? `: ${why}` : ""}`);
  return false;
}
