"""WebSocket routes (the server-rendered try-on fallback registers here)."""

websocket_urlpatterns: list = []
