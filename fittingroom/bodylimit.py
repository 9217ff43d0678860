"""Refuse an oversized or over-long request body before anything parses it.

Django parses a form the first time anything reads ``request.POST``, and the CSRF middleware does
that for every POST, before the view can look at the size: a 12 MB text field took 3.2 s to parse
and was answered with Django's HTML 400 page (under DEBUG the technical page, with settings) and a
traceback in the log. Here every request with a body is checked, in this order:

1. **ASGI** (:class:`RequestBodyGuard`, in front of Django in ``fittingroom.asgi``): a declared
   ``Content-Length`` over the limit is answered at once, without reading the body; a body streamed
   without one is counted as it arrives and refused as soon as it passes the limit.
2. **Django** (:class:`RequestBodyLimitMiddleware`, before sessions and CSRF): the same
   ``Content-Length`` check for any other server, then the form is parsed here, once, so that
   Django's own bounds (``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``) are
   answered in the endpoint's JSON format instead of an exception page.

Each refusal is one warning line in the log (no traceback) and a JSON error, ``too_large`` (413),
``too_many_fields`` (400) or ``malformed_form`` (400). The limit comes from the view: a view
declares its own with :func:`max_body`; the admin and every other view get the settings'
``ADMIN_MAX_BODY_BYTES`` and ``MAX_BODY_BYTES``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve

from fittingroom.http import json_error

logger = logging.getLogger("fittingroom.requests")

MB = 1024 * 1024
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})

#: A view's limit: the settings' FITTINGROOM dict in, ``(max bytes, message when over)`` out.
Limit = Callable[[dict], tuple[int, str]]


def max_body(limit: Limit):
    """Declare the largest request body a view accepts (put it outermost, above ``require_POST``)."""

    def decorate(view):
        view.max_body = limit
        return view

    return decorate


def _default_limit(cfg: dict, key: str) -> tuple[int, str]:
    limit = cfg[key]
    return limit, f"The request is larger than {limit / MB:.1f} MB, the most this page accepts."


def body_limit(path: str) -> tuple[int, str]:
    """Return ``(max bytes, message)`` for a request body sent to ``path``."""
    cfg = settings.FITTINGROOM
    try:
        match = resolve(path)
    except Resolver404:
        return _default_limit(cfg, "MAX_BODY_BYTES")
    declared = getattr(match.func, "max_body", None)
    if declared is not None:
        return declared(cfg)
    if "admin" in match.namespaces:
        return _default_limit(cfg, "ADMIN_MAX_BODY_BYTES")
    return _default_limit(cfg, "MAX_BODY_BYTES")


def _log_refusal(method: str, path: str, client: str, code: str, reason: str) -> None:
    logger.warning("Refused %s %s from %s: %s (%s)", method, path, client or "unknown", reason, code)


def _content_length(value) -> int | None:
    try:
        length = int(value)
    except (TypeError, ValueError):
        return None
    return length if length >= 0 else None


class RequestBodyLimitMiddleware:
    """Refuse bodies over the view's limit, and parse forms here so their errors are JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in _BODYLESS:
            return self.get_response(request)
        limit, message = body_limit(request.path_info)
        length = _content_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > limit:
            return self._refuse(request, 413, "too_large", message, f"{length} bytes declared, limit {limit}")
        if request.content_type in _FORM_TYPES:
            # Parse once, now: CSRF and the view read the parsed form, never the raw body again.
            try:
                request.POST  # noqa: B018 - parsing is the point
            except RequestDataTooBig:
                return self._refuse(request, 413, "too_large", message, "form fields over DATA_UPLOAD_MAX_MEMORY_SIZE")
            except (TooManyFieldsSent, TooManyFilesSent):
                return self._refuse(
                    request, 400, "too_many_fields",
                    f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.",
                    "over DATA_UPLOAD_MAX_NUMBER_FIELDS or DATA_UPLOAD_MAX_NUMBER_FILES",
                )
            except MultiPartParserError as exc:
                return self._refuse(request, 400, "malformed_form", "The form could not be read.", str(exc))
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, code: str, message: str, reason: str):
        _log_refusal(request.method, request.path, request.META.get("REMOTE_ADDR", ""), code, reason)
        response = json_error(status, code, message)
        response["Connection"] = "close"
        response._has_been_logged = True  # our line above says more than Django's "Bad Request: /path"
        return response


class RequestBodyGuard:
    """ASGI middleware: refuse a body over the limit before Django reads it into memory or a file."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in _BODYLESS:
            return await self.app(scope, receive, send)
        limit, message = body_limit(scope["path"])
        headers = dict(scope.get("headers") or ())
        length = _content_length(headers.get(b"content-length", b"").decode("latin-1") or None)
        if length is not None and length > limit:
            await self._refuse(scope, send, message, f"{length} bytes declared, limit {limit}")
            return
        received = 0
        over = False
        started = False

        async def counted_receive():
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message_in = await receive()
            if message_in["type"] == "http.request":
                received += len(message_in.get("body", b""))
                if received > limit:
                    # Django stops reading at a disconnect and sends nothing; we answer below.
                    over = True
                    return {"type": "http.disconnect"}
            return message_in

        async def tracked_send(message_out):
            nonlocal started
            if message_out["type"] == "http.response.start":
                started = True
            await send(message_out)

        await self.app(scope, counted_receive, tracked_send)
        if over and not started:
            await self._refuse(scope, send, message, f"body passed the limit of {limit} bytes while streaming")

    @staticmethod
    async def _refuse(scope, send, message: str, reason: str) -> None:
        client = (scope.get("client") or ("",))[0]
        _log_refusal(scope["method"], scope["path"], client, "too_large", reason)
        body = json.dumps({"error": "too_large", "message": message}).encode()
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                (b"connection", b"close"),
            ],
        })
        await send({"type": "http.response.body", "body": body})
