// @ts-check
// Nothing leaves the device. @mediapipe/tasks-vision POSTs usage metrics to a Google endpoint
// (every 60 s and when a landmarker closes) with the global fetch. The page's CSP
// (connect-src 'self') already blocks that; this guard refuses cross-origin fetches before
// they are attempted, which also covers a worker served without the CSP header and keeps
// the console free of CSP-violation reports.

const GUARD = Symbol.for("fittingroom.sameOriginFetch");

/**
 * Replace `scope.fetch` with one that rejects (like a network error) any URL of another origin.
 * Idempotent. blob: and data: URLs stay allowed.
 * @param {any} [scope] the window or worker global, default globalThis
 */
export function blockCrossOriginFetch(scope = globalThis) {
  if (typeof scope.fetch !== "function" || scope.fetch[GUARD]) return;
  const original = scope.fetch.bind(scope);
  const origin = scope.location.origin;
  /** @type {typeof fetch} */
  const guarded = (input, init) => {
    const raw = typeof input === "string" || input instanceof URL ? String(input) : input.url;
    let url;
    try {
      url = new URL(raw, scope.location.href);
    } catch (_) {
      return original(input, init);
    }
    if (url.protocol !== "data:" && url.protocol !== "blob:" && url.origin !== origin) {
      return Promise.reject(new TypeError(`FittingRoom keeps everything on this device: refused ${url.origin}`));
    }
    return original(input, init);
  };
  Object.defineProperty(guarded, GUARD, { value: true });
  scope.fetch = guarded;
}
