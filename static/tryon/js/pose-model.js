// @ts-check
// Download a PoseLandmarker .task bundle ourselves, so a page can show a progress bar in MB,
// and hand MediaPipe the bytes (baseOptions.modelAssetBuffer) instead of a URL.

/** @typedef {{loaded: number, total: number}} DownloadProgress  total is 0 while unknown. */

/**
 * Fetch the model with progress reports.
 *
 * `total` comes from Content-Length when the body is not content-encoded; with gzip or brotli
 * the header counts compressed bytes while the stream yields decoded ones, so `expectedBytes`
 * (the model's own size, which the page knows) is the total then. It is 0 while unknown, and the
 * last report always has loaded === total.
 *
 * @param {string | URL} url same-origin URL of the .task file
 * @param {(progress: DownloadProgress) => void} [onProgress]
 * @param {number} [expectedBytes] the decoded model's size, if known
 * @returns {Promise<Uint8Array>} exactly the model bytes (the view spans its whole buffer)
 */
export async function fetchModel(url, onProgress, expectedBytes = 0) {
  const report = (/** @type {number} */ loaded, /** @type {number} */ total) => {
    if (!onProgress) return;
    try {
      onProgress({ loaded, total });
    } catch (error) {
      console.error("pose model progress callback failed", error);
    }
  };
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`Pose model download failed: HTTP ${response.status} for ${url}`);
  const encoding = (response.headers.get("Content-Encoding") || "identity").toLowerCase();
  const declared = encoding === "identity" ? Number(response.headers.get("Content-Length")) || 0 : expectedBytes || 0;

  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.byteLength, bytes.byteLength);
    return bytes;
  }

  const reader = response.body.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let loaded = 0;
  report(0, declared);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    report(loaded, declared >= loaded ? declared : 0);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  report(loaded, loaded);
  return bytes;
}
