#!/usr/bin/python3
"""A minimal WebKitGTK browser for WebKitWebDriver: MiniBrowser's automation mode plus test hooks.

WebKitWebDriver launches it (``webkitgtk:browserOptions`` ``binary``) with ``--automation``; it must run
under Debian's own Python (``/usr/bin/python3``, which has PyGObject and the WebKit2 4.1 typelib), not the
project's virtualenv. Over MiniBrowser it adds what classic WebDriver lacks and a test needs:

- ``FITTINGROOM_WEBKIT_PRELOAD``: a JavaScript file run at document start in every page (a WebKit user
  script, the engine's own equivalent of WebDriver BiDi's ``script.addPreloadScript``);
- ``FITTINGROOM_WEBKIT_MEDIA``: ``allow`` or ``deny`` answers the page's camera permission requests
  (MiniBrowser would open a dialog nobody clicks);
- ``FITTINGROOM_WEBKIT_FEATURES``: comma-separated WebKit features to switch on, e.g. ``AllowWebGLInWorkers``
  (WebGL in an OffscreenCanvas: on by default in Safari's Cocoa builds, off in WebKitGTK 2.50);
- media stream, WebGL and inline playback switched on, console messages to stdout.

Test tooling only: never shipped, never served.
"""

import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

PRELOAD = os.environ.get("FITTINGROOM_WEBKIT_PRELOAD")
MEDIA = os.environ.get("FITTINGROOM_WEBKIT_MEDIA", "allow")
WIDTH, HEIGHT = (int(v) for v in os.environ.get("FITTINGROOM_WEBKIT_SIZE", "390x844").split("x"))


def _settings() -> WebKit2.Settings:
    settings = WebKit2.Settings()
    settings.set_enable_media_stream(True)
    # WebKit's own mock camera: a device to ask permission for (the test clip comes from the preload).
    settings.set_enable_mock_capture_devices(True)
    settings.set_enable_webgl(True)
    # 2D canvases drawn by the CPU, as Chromium draws them here (--disable-gpu): with no GPU, WebKit's
    # "accelerated" canvas is Mesa's software OpenGL (llvmpipe), which costs the page 100+ ms a frame
    # on this machine's two cores, where a phone's GPU would take a few. WebGL stays on (MediaPipe reads
    # frames through it).
    settings.set_enable_2d_canvas_acceleration(os.environ.get("FITTINGROOM_WEBKIT_CANVAS_GPU") == "1")
    settings.set_enable_mediasource(True)
    settings.set_media_playback_requires_user_gesture(False)
    settings.set_media_playback_allows_inline(True)
    settings.set_enable_write_console_messages_to_stdout(True)
    settings.set_enable_developer_extras(True)
    wanted = {name for name in os.environ.get("FITTINGROOM_WEBKIT_FEATURES", "").split(",") if name}
    features = WebKit2.Settings.get_all_features()
    for i in range(features.get_length()):
        feature = features.get(i)
        if feature.get_identifier() in wanted:
            settings.set_feature_enabled(feature, True)
            wanted.discard(feature.get_identifier())
    if wanted:
        print(f"webkit_browser.py: unknown WebKit features {sorted(wanted)}", file=sys.stderr)
    return settings


def _content_manager() -> WebKit2.UserContentManager:
    manager = WebKit2.UserContentManager()
    if PRELOAD:
        with open(PRELOAD, encoding="utf-8") as f:
            source = f.read()
        manager.add_script(WebKit2.UserScript(
            source, WebKit2.UserContentInjectedFrames.TOP_FRAME, WebKit2.UserScriptInjectionTime.START, None, None
        ))
    return manager


def _on_permission(_view, request) -> bool:
    print(f"webkit_browser.py: permission request {type(request).__name__}: {MEDIA}", flush=True)
    if isinstance(request, WebKit2.UserMediaPermissionRequest) and MEDIA == "allow":
        request.allow()
    else:
        request.deny()
    return True


def _create_web_view(_session) -> WebKit2.WebView:
    view = WebKit2.WebView(
        is_controlled_by_automation=True, settings=_settings(), user_content_manager=_content_manager()
    )
    view.connect("permission-request", _on_permission)
    window = Gtk.Window()
    window.set_default_size(WIDTH, HEIGHT)
    window.add(view)
    view.connect("close", lambda *_: window.destroy())
    window.show_all()
    return view


def _on_automation_started(_context, session) -> None:
    info = WebKit2.ApplicationInfo()
    info.set_name("FittingRoomWebKit")
    info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
    session.set_application_info(info)
    session.connect("create-web-view", _create_web_view)


def main() -> int:
    if "--automation" not in sys.argv:
        print("webkit_browser.py runs only under WebKitWebDriver (--automation)", file=sys.stderr)
        return 2
    Gtk.init(None)
    context = WebKit2.WebContext.get_default()
    context.set_automation_allowed(True)
    context.connect("automation-started", _on_automation_started)
    # Keep the process alive while the driver's session lasts; the driver kills it at the end.
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
