"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os
import sys

import cv2
from django.core.asgi import get_asgi_application

# MediaPipe runs its graph on its own threads and hands each result back to the
# calling Python thread, which must retake the GIL. With CPython's default 5 ms
# switch interval a busy Python thread (the event loop, another connection's
# compositing) can hold it that long each time: a pose next to a compositing
# thread took 25.0 ms instead of 22.1 alone; with 1 ms, 24.5 (alone 23.9).
sys.setswitchinterval(0.001)
# Concurrent shoppers already keep every core busy: OpenCV's own per-call
# thread pool only adds hand-offs (bench/server.py, four clients: 1.71 instead
# of 1.79 cores busy for the same 47 frames/s with one thread per call).
cv2.setNumThreads(1)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fittingroom.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from fittingroom.bodylimit import RequestBodyGuard  # noqa: E402
from fittingroom.health import HealthCheck  # noqa: E402
from fittingroom.routing import websocket_urlpatterns  # noqa: E402

if settings.FITTINGROOM.get("LIVE_PRELOAD"):
    from tryon.consumers import preload_pose_model  # noqa: E402

    preload_pose_model()

application = ProtocolTypeRouter(
    {
        "http": HealthCheck(RequestBodyGuard(django_asgi_app)),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
