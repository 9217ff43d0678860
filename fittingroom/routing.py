"""WebSocket routes (the server-rendered try-on fallback registers here)."""

from django.urls import path

from tryon.consumers import TryOnConsumer

websocket_urlpatterns: list = [
    path("ws/tryon/", TryOnConsumer.as_asgi()),
]
