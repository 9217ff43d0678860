// Preflight (static/tryon/js/preflight.js) on real user agents and feature sets: each browser gets
// the right way forward. Run: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { detectBrowser, preflight } from "../../static/tryon/js/preflight.js";

const FULL = { secure: true, camera: true, wasm: true, simd: true, webgl: true };
const UA = {
  iosSafari16: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Mobile/15E148 Safari/604.1",
  iosSafari17: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
  iosSafari18: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  iosChrome: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1",
  androidChrome: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
  androidFirefox: "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
  samsung: "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
  instagramIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 307.0.0.34.111 (iPhone14,5; iOS 17_1; en_US; en-US; scale=3.00; 1170x2532; 532277134)",
  instagramAndroid: "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram 309.1.0.41.113 Android (33/13; 480dpi; 1080x2176; samsung; SM-G991B; o1s; exynos2100; en_GB; 541635890)",
  facebookIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/443.0.0.33.112;FBBV/537402733;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.1.2;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/539147126]",
  facebookAndroid: "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/118.0.5993.111 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/439.0.0.29.119;]",
  tiktokIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_31.5.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US ByteFullLocale/en isDarkMode/0 WKWebView/1 BytedanceWebview/d8a21c6",
  tiktokAndroid: "Mozilla/5.0 (Linux; Android 12; SM-A525F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/110.0.5481.153 Mobile Safari/537.36 trill_300403 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/trill app_version/30.4.3 ByteLocale/en ByteFullLocale/en Region/US BytedanceWebview/d8a21c6",
  androidWebView: "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.43 Mobile Safari/537.36",
  desktopSafari: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  desktopFirefox: "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
  desktopChrome: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
};

// [name, user agent, features, expected path, code, expected browser fields]
const TABLE = [
  ["iOS Safari 16.3 (no WASM SIMD before 16.4)", UA.iosSafari16, { ...FULL, simd: false }, "device", "no-simd", { os: "ios", browser: "safari", version: 16, app: null }],
  ["iOS Safari 17", UA.iosSafari17, FULL, "device", "ok", { os: "ios", browser: "safari", version: 17, app: null }],
  ["iOS Safari 18", UA.iosSafari18, FULL, "device", "ok", { os: "ios", browser: "safari", version: 18, app: null }],
  ["Chrome on iOS", UA.iosChrome, FULL, "device", "ok", { os: "ios", browser: "chrome", version: 123, app: null }],
  ["Chrome on Android", UA.androidChrome, FULL, "device", "ok", { os: "android", browser: "chrome", version: 124, app: null }],
  ["Firefox on Android", UA.androidFirefox, FULL, "device", "ok", { os: "android", browser: "firefox", version: 125, app: null }],
  ["Samsung Internet", UA.samsung, FULL, "device", "ok", { os: "android", browser: "samsung", version: 24, app: null }],
  ["Instagram on iOS", UA.instagramIos, { ...FULL, camera: false }, "open-browser", "in-app", { os: "ios", app: "Instagram", browser: "webview" }],
  ["Instagram on Android", UA.instagramAndroid, FULL, "open-browser", "in-app", { os: "android", app: "Instagram", browser: "webview" }],
  ["Facebook on iOS", UA.facebookIos, FULL, "open-browser", "in-app", { os: "ios", app: "Facebook" }],
  ["Facebook on Android", UA.facebookAndroid, FULL, "open-browser", "in-app", { os: "android", app: "Facebook" }],
  ["TikTok on iOS", UA.tiktokIos, { ...FULL, camera: false }, "open-browser", "in-app", { os: "ios", app: "TikTok" }],
  ["TikTok on Android", UA.tiktokAndroid, FULL, "open-browser", "in-app", { os: "android", app: "TikTok" }],
  ["an unnamed app's Android WebView", UA.androidWebView, FULL, "open-browser", "in-app", { os: "android", app: "an app" }],
  ["desktop Safari", UA.desktopSafari, FULL, "device", "ok", { os: "macos", browser: "safari", version: 17, app: null }],
  ["desktop Firefox ESR", UA.desktopFirefox, FULL, "device", "ok", { os: "linux", browser: "firefox", version: 115 }],
  ["plain http on a LAN address", UA.androidChrome, { ...FULL, secure: false, camera: false }, "photo", "insecure", {}],
  ["a browser without camera access", UA.desktopChrome, { ...FULL, camera: false }, "photo", "unsupported", {}],
  ["no WebAssembly (lockdown mode)", UA.iosSafari17, { ...FULL, wasm: false, simd: false }, "server", "no-wasm", {}],
  ["no WebGL", UA.desktopFirefox, { ...FULL, webgl: false }, "server", "no-webgl", {}],
];

for (const [name, ua, features, path, code, browser] of TABLE) {
  test(`preflight: ${name}`, () => {
    const got = preflight({ userAgent: /** @type {string} */ (ua), .../** @type {object} */ (features) });
    assert.equal(got.path, path, got.message);
    assert.equal(got.code, code);
    for (const [key, value] of Object.entries(/** @type {object} */ (browser))) assert.equal(/** @type {any} */ (got.browser)[key], value, key);
    if (path !== "device") assert.ok(got.message.length > 20, got.message);
  });
}

test("in-app browsers are told where to go: Safari on iOS, Chrome on Android", () => {
  const ios = preflight({ userAgent: UA.instagramIos, ...FULL });
  assert.equal(ios.openIn, "Safari");
  assert.match(ios.message, /^Instagram's built-in browser usually cannot use the camera\. Open this page in Safari/);
  assert.match(ios.message, /photo/);
  const android = preflight({ userAgent: UA.tiktokAndroid, ...FULL });
  assert.equal(android.openIn, "Chrome");
  assert.match(android.message, /TikTok's built-in browser/);
});

test("the SIMD-less path still runs on the device, with a note", () => {
  const got = preflight({ userAgent: UA.iosSafari16, ...FULL, simd: false });
  assert.match(/** @type {string} */ (got.note), /SIMD/);
});

test("detectBrowser never throws on junk", () => {
  for (const ua of ["", "curl/8.0", "x".repeat(10000)]) assert.equal(detectBrowser(ua).app, null);
});

test("the server paths say why in one sentence, for the consent dialog", () => {
  const got = preflight({ userAgent: UA.desktopFirefox, ...FULL, wasm: false, simd: false });
  assert.equal(got.reason, "This browser cannot run the try-on on your device (no WebAssembly).");
  assert.equal(got.message, `${got.reason} You can let our server do it, or try it on with a photo.`);
});
