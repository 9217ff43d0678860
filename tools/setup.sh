#!/usr/bin/env bash
# Idempotent set-up for FittingRoom. Usage: tools/setup.sh [--system] [--demo]
#   --system  also install the Debian packages the tests need (Chromium, ffmpeg, Redis, PostgreSQL)
#   --demo    also migrate the database and load the demo store when the catalog is empty
# Every step checks before it acts, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
want_system=0; want_demo=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    --demo) want_demo=1 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

# 1. Debian packages (tests only). nginx is the reverse proxy of the production layout
#    (tools/serve_prod.py runs its own, unprivileged, from a configuration in .run/).
#    Firefox ESR and WebKitGTK (WebKitWebDriver, driven through Debian's own python3 with PyGObject and
#    the WebKit2 4.1 typelib) are the other two browser engines of the tests; both need a display for
#    WebGL, so they run in Xvfb, whose OpenGL is Mesa's software renderer (libgl1-mesa-dri); WebKit plays
#    the camera's MediaStream through GStreamer (its base and good plugins).
if [ "$want_system" = 1 ]; then
  pkgs=(chromium ffmpeg redis-server postgresql fonts-dejavu-core nginx
        firefox-esr webkit2gtk-driver gir1.2-webkit2-4.1 python3-gi xvfb xauth libgl1-mesa-dri
        gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-gl)
  missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The package starts a system nginx on port 80 where services may start; we installed it only
    # for the layout's own nginx, so the system one is stopped and left disabled.
    if printf '%s\n' "${missing[@]}" | grep -qx nginx; then
      if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
      elif [ -x /etc/init.d/nginx ]; then
        $SUDO /etc/init.d/nginx stop >/dev/null 2>&1 || true
      fi
    fi
  fi
fi

# 2. Python virtualenv and packages.
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  "$PY" -m venv .venv
fi
req_sha=$(sha requirements.txt)
if [ "$(cat .venv/.requirements.sha 2>/dev/null)" != "$req_sha" ]; then
  say "Installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  echo "$req_sha" > .venv/.requirements.sha
fi

# 3. npm packages (MediaPipe tasks-vision runtime and pose model files), pinned by the lock.
lock_sha=$(sha package.json package-lock.json)
if [ "$(cat node_modules/.lock.sha 2>/dev/null)" != "$lock_sha" ]; then
  say "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sha" > node_modules/.lock.sha
fi

# 4. Vendor the browser runtime into static files (served by us, never a CDN).
#    vision_wasm_module_internal.* is the ES-module build of the WASM loader: the pose worker
#    (static/tryon/js/pose-worker.js, a module worker) and its main-thread fallback load it.
#    Bump vendor_recipe when the file list changes, so existing checkouts re-copy.
vendor=static/vendor/mediapipe/tasks-vision
src=node_modules/@mediapipe/tasks-vision
vendor_recipe=2
if [ "$(cat $vendor/.lock.sha 2>/dev/null)" != "$lock_sha-$vendor_recipe" ]; then
  say "Vendoring tasks-vision into $vendor"
  rm -rf "$vendor"; mkdir -p "$vendor/wasm"
  cp "$src/vision_bundle.mjs" "$src/package.json" "$vendor/"
  cp "$src"/wasm/vision_wasm_internal.* "$src"/wasm/vision_wasm_nosimd_internal.* \
     "$src"/wasm/vision_wasm_module_internal.* "$vendor/wasm/"
  echo "$lock_sha-$vendor_recipe" > "$vendor/.lock.sha"
fi

# 5. PoseLandmarker .task bundles (lite, full, heavy) built from @mediapipe/pose.
.venv/bin/python tools/build_pose_bundles.py --out static/vendor/models

# 5b. Brotli and gzip copies of the runtime and models, which WhiteNoise serves to browsers that
#     accept them (a first visit moves about 8 MB instead of 20). Made once, again only on change.
.venv/bin/python tools/precompress.py

# 6. Database and demo store.
if [ "$want_demo" = 1 ]; then
  .venv/bin/python manage.py migrate --noinput -v 0
  .venv/bin/python manage.py load_demo_store --if-empty
fi
say "Set-up complete"
