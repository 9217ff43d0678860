// FittingRoom service worker: lets a shopper who visited once try on with no network.
//
// Served by Django at /sw.js (scope "/") with VERSION filled in from the static files' hash.
// Static files, the WASM runtime, the pose model and the garment overlays viewed are cached on
// first use (cache-first); try-on pages are network-first with the cached copy as fallback.
// Nothing is precached at install, so a first visit downloads every byte exactly once.

const VERSION = "__VERSION__";
const CACHE = `fittingroom-${VERSION}`;
const CACHE_FIRST = [/^\/static\//, /^\/media\/overlays\//, /^\/media\/products\//];
const PAGES = [/^\/p\/[^/]+\/try\/$/];

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("fittingroom-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.status === 200) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw error;
  }
}

/** Cache same-origin files the page loaded before this worker controlled it (its HTML, modules, CSS). */
async function cacheUrls(urls) {
  const cache = await caches.open(CACHE);
  for (const raw of urls) {
    const url = new URL(raw, self.location.origin);
    if (url.origin !== self.location.origin) continue;
    const wanted = CACHE_FIRST.some((re) => re.test(url.pathname)) || PAGES.some((re) => re.test(url.pathname));
    if (!wanted || (await cache.match(url.href))) continue;
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      if (response.ok && response.status === 200) await cache.put(url.href, response);
    } catch (_) {
      // Offline already: it will be cached on the next visit.
    }
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "cache-urls" || !Array.isArray(data.urls)) return;
  event.waitUntil(
    cacheUrls(data.urls).then(() => event.source && event.source.postMessage({ type: "cached", version: VERSION })),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.headers.has("range")) return;
  if (CACHE_FIRST.some((re) => re.test(url.pathname))) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" && PAGES.some((re) => re.test(url.pathname))) {
    event.respondWith(networkFirst(request));
  }
});
