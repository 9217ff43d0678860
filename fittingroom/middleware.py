"""Security headers that Django 5.2 does not set by itself."""

from __future__ import annotations


# Our own origin only; 'wasm-unsafe-eval' lets MediaPipe compile its WebAssembly
# without allowing JavaScript eval. connect-src 'self' also blocks the metrics
# beacon that tasks-vision would otherwise send to a third party.
_BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob: mediastream:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def build_policy(path: str) -> str:
    """Return the Content-Security-Policy header value for a request path."""
    policy = dict(_BASE_POLICY)
    if path.startswith("/admin/"):
        # Django admin widgets set a few inline style attributes.
        policy["style-src"] = "'self' 'unsafe-inline'"
    return "; ".join(f"{key} {value}" for key, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """Add a strict Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", build_policy(request.path))
        response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
