"""The JSON error every endpoint answers with: ``{"error": code, "message": text}``."""

from __future__ import annotations

from django.http import JsonResponse


def json_error(status: int, code: str, message: str) -> JsonResponse:
    """Return a JSON error response that no cache keeps."""
    response = JsonResponse({"error": code, "message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response
